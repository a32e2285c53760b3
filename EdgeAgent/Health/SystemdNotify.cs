using System.Net.Sockets;
using System.Text;

namespace EdgeAgent.Health;

/// <summary>
/// sd_notify(3) without libsystemd: a datagram to the socket in <c>NOTIFY_SOCKET</c> (a path, or an abstract name
/// starting with '@'). Does nothing when the agent does not run under a <c>Type=notify</c> unit. The hosting package's
/// notifier sends READY and STOPPING only; the watchdog beat is ours (dotnet/extensions#1241).
/// </summary>
public sealed class SystemdNotify : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;

    public SystemdNotify(string? notifySocket = null)
    {
        notifySocket ??= Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(notifySocket)) return;
        _endpoint = new UnixDomainSocketEndPoint(notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public bool Enabled => _socket is not null;

    /// <summary>The watchdog interval systemd asked for (<c>WATCHDOG_USEC</c>), or null.</summary>
    public static TimeSpan? WatchdogInterval() =>
        long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out long usec) && usec > 0 ? TimeSpan.FromMicroseconds(usec) : null;

    public void Send(string state)
    {
        if (_socket is null) return;
        try { _socket.SendTo(Encoding.UTF8.GetBytes(state), _endpoint!); }
        catch (SocketException) { }   // systemd went away: nothing to tell
    }

    public void Dispose() => _socket?.Dispose();
}

/// <summary>
/// Whether the agent is alive enough for the systemd watchdog: the event loop beat within <c>maxSilence</c>, and every
/// camera either processed a frame within it or is disconnected (its reconnect loop owns it; restarting the agent would
/// not bring a camera back). A camera that is connected but processes nothing — a hung decoder or inference — stops
/// the beat, and systemd restarts the agent.
/// </summary>
public static class WatchdogGate
{
    public static string? Silent(IEnumerable<CameraHealth> cameras, long eventLoopBeat, long now, TimeSpan maxSilence, long frequency)
    {
        long limit = (long)(maxSilence.TotalSeconds * frequency);
        if (now - eventLoopBeat > limit) return "the event loop";
        foreach (CameraHealth c in cameras)
            if (c.Connected && now - Math.Max(c.LastProcessedTimestamp, c.ConnectedTimestamp) > limit) return $"camera {c.CameraId}";
        return null;
    }
}
