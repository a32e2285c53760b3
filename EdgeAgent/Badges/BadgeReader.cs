using CloudSync;
using System.IO.Ports;
using EdgeAgent.Capture;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Badges;

/// <summary>
/// One badge reader on a serial port, on its own thread (System.IO.Ports can block in Read and Dispose when the
/// device goes away). Only a loop: open → read → parse → look up → hand on; on any port error close, back off and
/// reopen. Garbage and unknown badges are counted; a badge id is hashed for the lookup and then forgotten.
/// </summary>
public sealed class BadgeReader : IDisposable
{
    private readonly BadgeReaderOptions _options;
    private readonly BadgeOptions _common;
    private readonly BadgeRoster _roster;
    private readonly Action<BadgeRead> _sink;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private SerialPort? _port;   // the open port, so Dispose can close it under a blocked Read

    public BadgeReader(BadgeReaderOptions options, BadgeOptions common, BadgeRoster roster, Action<BadgeRead> sink, ILogger logger, TimeProvider time)
    {
        _options = options;
        _common = common;
        _roster = roster;
        _sink = sink;
        _logger = logger;
        _time = time;
        Health = new BadgeReaderHealth(options.Id);
    }

    public BadgeReaderHealth Health { get; }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = $"badge-{_options.Id}" };
        _thread.Start();
    }

    private void Run()
    {
        var backoff = new ReconnectBackoff(_common.ReconnectInitialDelay, _common.ReconnectMaxDelay, 0.2);
        var buffer = new byte[256];
        var frames = new List<BadgeFrame>();
        string? lastBadge = null;
        long lastBadgeAt = 0;
        bool everOpened = false;
        while (!_stop.IsCancellationRequested)
        {
            SerialPort? port = null;
            bool opened = false;
            IBadgeParser parser = _options.Protocol == BadgeProtocol.Rdm6300 ? new Rdm6300Parser() : new LineBadgeParser();
            long garbageSeen = 0;
            try
            {
                port = new SerialPort(_options.Port, _options.BaudRate, Parity.None, 8, StopBits.One) { ReadTimeout = 500, WriteTimeout = 500 };
                port.Open();
                _port = port;
                opened = true;
                if (everOpened) Health.Reconnected();
                everOpened = true;
                Health.Connected = true;
                BadgeLog.Opened(_logger, _options.Id, _options.Port);
                backoff.Reset();
                while (!_stop.IsCancellationRequested)
                {
                    int n;
                    try { n = port.BaseStream.Read(buffer, 0, buffer.Length); }
                    catch (TimeoutException) { continue; }
                    if (n <= 0) throw new IOException("the port reported end of stream");
                    frames.Clear();
                    parser.Feed(buffer.AsSpan(0, n), frames);
                    if (parser.GarbageBytes > garbageSeen) { Health.Garbage(parser.GarbageBytes - garbageSeen); garbageSeen = parser.GarbageBytes; }
                    foreach (BadgeFrame f in frames) Handle(f, ref lastBadge, ref lastBadgeAt);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ObjectDisposedException or ArgumentException)
            {
                if (!_stop.IsCancellationRequested) BadgeLog.PortFailed(_logger, _options.Id, _options.Port, e.Message);
            }
            catch (Exception e)
            {
                // A badge reader is a peripheral: nothing it does may take the agent down. Log, back off, reopen.
                BadgeLog.ReaderFailed(_logger, _options.Id, e.Message, e);
            }
            finally
            {
                Health.Connected = false;
                // Whoever takes the open port from _port closes it (this thread, or Dispose to unblock a Read).
                if (Interlocked.Exchange(ref _port, null) is { } open) Close(open);
                else if (!opened) Close(port);
            }
            if (_stop.IsCancellationRequested) break;
            TimeSpan delay = backoff.NextDelay();
            _stop.Token.WaitHandle.WaitOne(delay);
        }
    }

    private void Handle(BadgeFrame f, ref string? lastBadge, ref long lastBadgeAt)
    {
        switch (f.Kind)
        {
            case BadgeFrameKind.BadChecksum: Health.Count("bad_checksum"); return;
            case BadgeFrameKind.Malformed: Health.Count("malformed"); return;
        }
        string id = f.BadgeId!;
        if (id == lastBadge && _time.GetElapsedTime(lastBadgeAt) < _common.RepeatSuppression)
        {
            lastBadgeAt = _time.GetTimestamp();
            Health.Count("repeat");
            return;
        }
        lastBadge = id;
        lastBadgeAt = _time.GetTimestamp();
        if (_roster.Find(id) is not { } entry)
        {
            Health.Count("unknown");   // counted, never stored or logged
            return;
        }
        Health.Count("accepted");
        _sink(new BadgeRead(_options.Id, _options.Door, entry.Role, entry.Department));
    }

    // Closing a port whose device vanished can block: do it off this thread and do not wait long.
    private static void Close(SerialPort? port)
    {
        if (port is null) return;
        Task close = Task.Run(() =>
        {
            try { port.Dispose(); }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException) { }   // the device is gone already
        });
        close.Wait(TimeSpan.FromSeconds(2));
    }

    public void Dispose()
    {
        _stop.Cancel();
        Close(Interlocked.Exchange(ref _port, null));   // a Read blocked in the kernel returns once the port is closed
        _thread?.Join(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
