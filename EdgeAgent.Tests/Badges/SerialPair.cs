using System.Diagnostics;

namespace EdgeAgent.Tests.Badges;

/// <summary>
/// A real pseudo-terminal pair from socat: the agent opens <see cref="AgentEnd"/>, the test writes to
/// <see cref="TestEnd"/>. <see cref="Unplug"/> kills socat (both ends vanish, as an unplugged USB reader does) and
/// <see cref="Plug"/> starts it again under the same names.
/// </summary>
public sealed class SerialPair : IDisposable
{
    private readonly string _dir = TestAssets.NewTempDirectory();
    private Process? _socat;

    public SerialPair() => Plug();

    public string AgentEnd => Path.Combine(_dir, "ttyAGENT");

    public string TestEnd => Path.Combine(_dir, "ttyTEST");

    public void Plug()
    {
        _socat = Process.Start(new ProcessStartInfo("socat", ["-d", "-d", $"pty,raw,echo=0,link={AgentEnd}", $"pty,raw,echo=0,link={TestEnd}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("socat did not start (apt install socat)");
        _socat.ErrorDataReceived += (_, _) => { };
        _socat.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!(File.Exists(AgentEnd) && File.Exists(TestEnd)))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(5)) throw new TimeoutException("socat made no pty pair within 5 s");
            Thread.Sleep(20);
        }
    }

    public void Unplug()
    {
        if (_socat is null) return;
        _socat.Kill();
        _socat.WaitForExit();
        _socat.Dispose();
        _socat = null;
        // Killed socat leaves its links dangling; remove them, as the device node of an unplugged reader disappears.
        File.Delete(AgentEnd);
        File.Delete(TestEnd);
    }

    /// <summary>Writes bytes to the reader's line, optionally in small pieces with pauses (frames split across reads).</summary>
    public void Write(byte[] bytes, int chunk = 0)
    {
        using var stream = new FileStream(TestEnd, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        if (chunk <= 0) { stream.Write(bytes); stream.Flush(); return; }
        for (int i = 0; i < bytes.Length; i += chunk)
        {
            stream.Write(bytes, i, Math.Min(chunk, bytes.Length - i));
            stream.Flush();
            Thread.Sleep(5);
        }
    }

    public void Dispose() => Unplug();
}
