using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>Azurite's Blob service (npm, installed by the test command into .test-assets) on a free local port.</summary>
public sealed class Azurite : IDisposable
{
    private readonly string _dir = TestAssets.NewTempDirectory();
    private Process? _process;

    public Azurite()
    {
        Port = Capture.RtspServer.FreePort();
        Start();
    }

    public int Port { get; }

    /// <summary>The well-known development account, on this instance's port.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public void Start()
    {
        string exe = Path.Combine(TestAssets.RepoRoot, ".test-assets", "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(exe)) Assert.Fail($"Azurite is not installed at {exe}: run scripts/test.sh (it installs it with npm)");
        _process = Process.Start(new ProcessStartInfo(exe, ["--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", _dir, "--silent", "--skipApiVersionCheck", "--disableTelemetry"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try { using var probe = new TcpClient(); probe.Connect(IPAddress.Loopback, Port); return; }
            catch (SocketException) { Thread.Sleep(100); }
        }
        throw new TimeoutException("Azurite did not listen within 20 s");
    }

    public void Stop()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();
}
