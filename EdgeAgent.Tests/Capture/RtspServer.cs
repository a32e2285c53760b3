using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Tests.Capture;

/// <summary>A real RTSP camera for tests: GStreamer's RTSP server (scripts/test-support/rtsp_server.py) serving an H.264 file.</summary>
public sealed class RtspServer : IDisposable
{
    private Process? _process;

    public RtspServer(string file, int? port = null)
    {
        File = file;
        Port = port ?? FreePort();
    }

    public string File { get; }
    public int Port { get; }
    public string Url => $"rtsp://127.0.0.1:{Port}/cam1";

    public RtspServer Start()
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(TestAssets.RtspServerScript);
        psi.ArgumentList.Add(Port.ToString());
        psi.ArgumentList.Add(File);
        _process = Process.Start(psi)!;
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(10)) || line.Result != "ready")
            Assert.Fail($"RTSP test server did not start: {_process.StandardError.ReadToEnd()}");
        return this;
    }

    /// <summary>Kills the server at once, as a camera losing power would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.WaitForExit(5000);
        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
