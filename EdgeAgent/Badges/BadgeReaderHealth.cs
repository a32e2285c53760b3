namespace EdgeAgent.Badges;

/// <summary>Counters of one badge reader, written by its thread and read by anyone.</summary>
public sealed class BadgeReaderHealth(string readerId)
{
    private long _accepted, _unknown, _badChecksum, _malformed, _repeats, _reconnects, _garbage;
    private volatile bool _connected;

    public string ReaderId { get; } = readerId;
    public bool Connected { get => _connected; internal set => _connected = value; }
    public long Accepted => Interlocked.Read(ref _accepted);
    public long Unknown => Interlocked.Read(ref _unknown);
    public long BadChecksum => Interlocked.Read(ref _badChecksum);
    public long Malformed => Interlocked.Read(ref _malformed);
    public long Repeats => Interlocked.Read(ref _repeats);
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long GarbageBytes => Interlocked.Read(ref _garbage);

    internal void Count(string result)
    {
        switch (result)
        {
            case "accepted": Interlocked.Increment(ref _accepted); break;
            case "unknown": Interlocked.Increment(ref _unknown); break;
            case "bad_checksum": Interlocked.Increment(ref _badChecksum); break;
            case "malformed": Interlocked.Increment(ref _malformed); break;
            case "repeat": Interlocked.Increment(ref _repeats); break;
        }
        Health.EdgeMetrics.BadgeReads.Add(1, new("reader.id", ReaderId), new("result", result));
    }

    internal void Reconnected()
    {
        Interlocked.Increment(ref _reconnects);
        Health.EdgeMetrics.BadgeReconnects.Add(1, new KeyValuePair<string, object?>("reader.id", ReaderId));
    }

    internal void Garbage(long bytes)
    {
        Interlocked.Add(ref _garbage, bytes);
        Health.EdgeMetrics.BadgeGarbageBytes.Add(bytes, new KeyValuePair<string, object?>("reader.id", ReaderId));
    }

    public override string ToString() =>
        $"accepted {Accepted}, unknown {Unknown}, bad checksum {BadChecksum}, malformed {Malformed}, repeats {Repeats}, garbage bytes {GarbageBytes}, reconnects {Reconnects}";
}
