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

    internal void CountPublished(int n) => Interlocked.Add(ref _published, n);
    internal void CountConnect() => Interlocked.Increment(ref _connects);
    internal void CountDeadLink() => Interlocked.Increment(ref _deadLinks);
    internal void CountDeadLetter() => Interlocked.Increment(ref _deadLetters);
    internal void CountRefusal() => Interlocked.Increment(ref _refusals);
}
