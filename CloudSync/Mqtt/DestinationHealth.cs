namespace CloudSync.Mqtt;

/// <summary>What one destination is doing, written by its loop and read by status reporting and tests.</summary>
public sealed class DestinationHealth(string name)
{
    private long _published, _connects, _deadLinks, _deadLetters, _refusals;
    private volatile bool _connected;
    private volatile string? _alarm;

    public string Name { get; } = name;
    public bool Connected { get => _connected; internal set => _connected = value; }
    public long Published => Interlocked.Read(ref _published);
    public long Connects => Interlocked.Read(ref _connects);
    /// <summary>Connections found dead (publish or ping not answered in time) and dropped.</summary>
    public long DeadLinks => Interlocked.Read(ref _deadLinks);
    public long DeadLetters => Interlocked.Read(ref _deadLetters);
    public long Refusals => Interlocked.Read(ref _refusals);
    /// <summary>The current alarm (e.g. the broker refuses our messages), or null.</summary>
    public string? Alarm { get => _alarm; internal set => _alarm = value; }

    /// <summary>QoS 1 messages allowed in flight on the current connection: MaxInFlight capped by the broker's Receive Maximum.</summary>
    public int InFlightWindow { get; private set; }

    /// <summary>The broker's Maximum Packet Size from its CONNACK (MQTT 5), or null when it announced none.</summary>
    public long? BrokerMaxPacketBytes { get; private set; }

    internal void SetLimits(int window, long? maxPacket)
    {
        InFlightWindow = window;
        BrokerMaxPacketBytes = maxPacket;
    }

    /// <summary>The destination's send limits (<see cref="SendRate"/>), null where none.</summary>
    public double? MessagesPerSecondLimit { get; internal set; }

    public double? BytesPerSecondLimit { get; internal set; }

    /// <summary>Retained copies not kept because they were larger than the broker's limit (the events themselves went).</summary>
    public long RetainedSkipped => Interlocked.Read(ref _retainedSkipped);

    private long _retainedSkipped;
    private readonly object _rateLock = new();
    private double _drainRate;
    private long _lastCommit;

    /// <summary>Messages per second acknowledged lately (smoothed over the last few commits); 0 when nothing went for 5 s.</summary>
    public double DrainRate
    {
        get
        {
            lock (_rateLock) return Environment.TickCount64 - _lastCommit > 5000 ? 0 : _drainRate;
        }
    }

    /// <summary>
    /// How long <paramref name="pending"/> messages will take: at the rate they are going now, never faster than the limit;
    /// at the limit when nothing is going (e.g. while disconnected); null when neither is known.
    /// </summary>
    public TimeSpan? ExpectedDrainTime(long pending)
    {
        if (pending <= 0) return TimeSpan.Zero;
        double rate = DrainRate;
        if (MessagesPerSecondLimit is { } limit) rate = rate > 0 ? Math.Min(rate, limit) : limit;
        return rate > 0 ? TimeSpan.FromSeconds(pending / rate) : null;
    }

    internal void CountPublished(int n)
    {
        Interlocked.Add(ref _published, n);
        long now = Environment.TickCount64;
        lock (_rateLock)
        {
            double seconds = (now - _lastCommit) / 1000.0;
            if (seconds is > 0 and < 5) _drainRate = _drainRate <= 0 ? n / seconds : (0.7 * _drainRate) + (0.3 * n / seconds);
            else if (seconds >= 5) _drainRate = 0;
            _lastCommit = now;
        }
    }

    internal void CountRetainedSkipped() => Interlocked.Increment(ref _retainedSkipped);
    internal void CountConnect() => Interlocked.Increment(ref _connects);
    internal void CountDeadLink() => Interlocked.Increment(ref _deadLinks);
    internal void CountDeadLetter() => Interlocked.Increment(ref _deadLetters);
    internal void CountRefusal() => Interlocked.Increment(ref _refusals);
}
