using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A real mosquitto broker (Debian package) owned by one test: its own config, port and persistence directory;
/// stopped (SIGTERM), killed (SIGKILL) and started again under the same config.
/// </summary>
public sealed class Mosquitto : IDisposable
{
    private readonly string _dir = TestAssets.NewTempDirectory();
    private Process? _process;

    /// <summary>A broker that requires a client certificate of <paramref name="pki"/>'s CA, plus a plain listener on <paramref name="plainPort"/> for the test's subscriber.</summary>
    public static Mosquitto MutualTls(TestCertificates pki, int plainPort) => new($"""
        cafile {pki.Crt("ca")}
        certfile {pki.Crt("server")}
        keyfile {pki.Key("server")}
        require_certificate true
        listener {plainPort} 127.0.0.1
        """);

    public Mosquitto(string extraConfig = "", int? port = null)
    {
        Port = port ?? Capture.RtspServer.FreePort();
        File.WriteAllText(Path.Combine(_dir, "mosquitto.conf"), $"""
            user root
            listener {Port} 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location {_dir}/
            autosave_interval 1
            max_queued_messages 100000
            log_dest file {_dir}/mosquitto.log
            {extraConfig}
            """);
        Start();
    }

    public int Port { get; }

    public string Directory => _dir;

    public string Log => File.Exists(Path.Combine(_dir, "mosquitto.log")) ? File.ReadAllText(Path.Combine(_dir, "mosquitto.log")) : "";

    public void Start()
    {
        string exe = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        _process = Process.Start(new ProcessStartInfo(exe, ["-c", Path.Combine(_dir, "mosquitto.conf")]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("mosquitto did not start (apt install mosquitto)");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) { Thread.Sleep(50); }
            if (_process.HasExited) throw new InvalidOperationException($"mosquitto exited: {_process.StandardError.ReadToEnd()} {Log}");
        }
        throw new TimeoutException("mosquitto did not listen within 10 s");
    }

    /// <summary>SIGTERM (a clean stop; it saves its persistence) or SIGKILL.</summary>
    public void Stop(bool kill = false)
    {
        if (_process is null || _process.HasExited) return;
        if (kill) _process.Kill();
        else Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
        _process.WaitForExit(10_000);
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Stop(kill: true);
}
