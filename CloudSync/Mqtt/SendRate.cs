namespace CloudSync.Mqtt;

/// <summary>
/// Two token buckets — PUBLISH packets per second and bytes per second — that a destination takes from before each send,
/// so that a backlog drains at the broker's allowed rate. Each bucket holds a tenth of a second's worth (at least one
/// packet), so the rate over any second stays within ~10 % of the limit; a packet larger than the bucket passes when the
/// bucket is full and leaves it in debt. A null rate is no limit.
/// </summary>
public sealed class SendRate
{
    private readonly double? _messages, _bytes;
    private readonly double _messageCapacity, _byteCapacity;
    private readonly TimeProvider _clock;
    private double _messageTokens, _byteTokens;
    private long _last;

    public SendRate(double? messagesPerSecond, double? bytesPerSecond, TimeProvider clock)
    {
        _messages = messagesPerSecond;
        _bytes = bytesPerSecond;
        _clock = clock;
        _messageCapacity = Math.Max(1, (messagesPerSecond ?? 0) / 10);
        _byteCapacity = Math.Max(1, (bytesPerSecond ?? 0) / 10);
        _messageTokens = _messageCapacity;
        _byteTokens = _byteCapacity;
        _last = clock.GetTimestamp();
    }

    public bool Limited => _messages is not null || _bytes is not null;

    public double? MessagesPerSecond => _messages;

    public double? BytesPerSecond => _bytes;

    /// <summary>
    /// Takes <paramref name="messages"/> packets of <paramref name="bytes"/> in all and returns zero, or takes nothing and
    /// returns how long to wait before asking again.
    /// </summary>
    public TimeSpan Take(int messages, long bytes)
    {
        if (!Limited) return TimeSpan.Zero;
        long now = _clock.GetTimestamp();
        double seconds = (now - _last) / (double)_clock.TimestampFrequency;   // not a TimeSpan: its 100 ns ticks would truncate every call
        _last = now;
        if (_messages is { } m) _messageTokens = Math.Min(_messageCapacity, _messageTokens + seconds * m);
        if (_bytes is { } b) _byteTokens = Math.Min(_byteCapacity, _byteTokens + seconds * b);
        double wait = 0;
        if (_messages is { } mr && _messageTokens < Math.Min(messages, _messageCapacity)) wait = (Math.Min(messages, _messageCapacity) - _messageTokens) / mr;
        if (_bytes is { } br && _byteTokens < Math.Min(bytes, _byteCapacity)) wait = Math.Max(wait, (Math.Min(bytes, _byteCapacity) - _byteTokens) / br);
        if (wait > 0) return TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait * 1000)));   // Task.Delay's resolution is 1 ms
        _messageTokens -= messages;
        _byteTokens -= bytes;
        return TimeSpan.Zero;
    }
}
