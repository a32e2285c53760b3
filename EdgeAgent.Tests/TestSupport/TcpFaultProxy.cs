using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A TCP proxy on loopback between the agent and a test server. <see cref="Blackhole"/> keeps every
/// connection open but stops forwarding in both directions — a camera that stalls while TCP stays up. Bytes sent on an
/// open connection meanwhile are delivered when the hole closes (TCP retransmits them); a connection opened during
/// the hole never reaches the server (its handshake would not have completed) and is closed when the hole ends.
/// A degraded link (<see cref="Latency"/>, <see cref="Jitter"/>, <see cref="BytesPerSecond"/>) delays every chunk in
/// each direction, in order, as a satellite or 3G link does (netem is not available on the CI kernel).
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private volatile bool _blackhole;

    public TcpFaultProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool Blackhole { get => _blackhole; set => _blackhole = value; }

    /// <summary>One-way delay added to every chunk, each direction (set before connections are made).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Uniform random extra delay, 0..Jitter (order is kept: TCP does not reorder).</summary>
    public TimeSpan Jitter { get; set; }

    /// <summary>Rate limit per direction; 0 for none.</summary>
    public long BytesPerSecond { get; set; }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            if (_blackhole)
            {
                lock (_clients) _clients.Add(inbound);
                _ = SwallowAsync(inbound);
                continue;
            }
            var outbound = new TcpClient();
            try { await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token); }
            catch (Exception) { inbound.Dispose(); outbound.Dispose(); continue; }
            lock (_clients) { _clients.Add(inbound); _clients.Add(outbound); }
            Task up = PumpAsync(inbound.GetStream(), outbound.GetStream());
            Task down = PumpAsync(outbound.GetStream(), inbound.GetStream());
            // When both directions have ended, release the pair, so the proxy itself holds no descriptors of dead links.
            _ = Task.WhenAll(up, down).ContinueWith(_ =>
            {
                lock (_clients) { _clients.Remove(inbound); _clients.Remove(outbound); }
                inbound.Dispose();
                outbound.Dispose();
            }, TaskScheduler.Default);
        }
    }

    private async Task SwallowAsync(TcpClient inbound)
    {
        try
        {
            while (_blackhole) await Task.Delay(50, _stop.Token);
        }
        catch (OperationCanceledException) { }
        inbound.Dispose();
    }

    private Task PumpAsync(NetworkStream from, NetworkStream to) =>
        Latency > TimeSpan.Zero || BytesPerSecond > 0 ? DegradedPumpAsync(from, to) : PlainPumpAsync(from, to);

    // Reader and writer apart: each chunk is due at its arrival + latency + jitter (never before the previous one), and
    // the writer spends n / rate on it, so a slow link still reads while it delays.
    private async Task DegradedPumpAsync(NetworkStream from, NetworkStream to)
    {
        var chunks = Channel.CreateUnbounded<(long Due, byte[] Bytes)>();
        var random = new Random();
        Task writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var (due, bytes) in chunks.Reader.ReadAllAsync(_stop.Token))
                {
                    long wait = due - Environment.TickCount64;
                    if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), _stop.Token);
                    while (_blackhole) await Task.Delay(50, _stop.Token);
                    await to.WriteAsync(bytes, _stop.Token);
                    if (BytesPerSecond > 0) await Task.Delay(TimeSpan.FromSeconds((double)bytes.Length / BytesPerSecond), _stop.Token);
                }
            }
            catch (Exception) { }
            finally
            {
                try { to.Socket.Shutdown(SocketShutdown.Send); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            }
        });
        var buffer = new byte[64 * 1024];
        long last = 0;
        try
        {
            while (true)
            {
                int n = await from.ReadAsync(buffer, _stop.Token);
                if (n == 0) break;
                long due = Math.Max(last, Environment.TickCount64 + (long)(Latency + Jitter * random.NextDouble()).TotalMilliseconds);
                last = due;
                chunks.Writer.TryWrite((due, buffer.AsSpan(0, n).ToArray()));
            }
        }
        catch (Exception) { }
        chunks.Writer.TryComplete();
        await writer;
    }

    private async Task PlainPumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReadAsync(buffer, _stop.Token);
                if (n == 0) break;
                while (_blackhole) await Task.Delay(50, _stop.Token);   // swallow: the peer sees silence, not a close
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception) { }
        finally
        {
            try { to.Socket.Shutdown(SocketShutdown.Send); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        }
    }

    /// <summary>Cuts every open connection with a TCP reset (RST), as a firewall or a rebooting router does; new ones are accepted.</summary>
    public void ResetAll()
    {
        lock (_clients)
        {
            foreach (TcpClient c in _clients)
            {
                try { c.Client.LingerState = new LingerOption(true, 0); c.Client.Close(); }
                catch (ObjectDisposedException) { }
            }
            _clients.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_clients) foreach (TcpClient c in _clients) c.Dispose();
    }
}
