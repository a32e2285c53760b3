namespace EdgeAgent.Health;

/// <summary>What the judge reads of one camera at one moment (timestamps in Stopwatch ticks; 0 = never).</summary>
public readonly record struct CameraReading(bool Connected, long ConnectedAt, long LastFrameAt, long FramesAccepted, double ExpectedFrameRate, string? LastError)
{
    public static CameraReading Of(CameraHealth h) =>
        new(h.Connected, h.ConnectedTimestamp, h.LastFrameTimestamp, h.FramesAccepted, h.ExpectedFrameRate, h.LastError);
}

/// <summary>
/// Decides each camera's <see cref="CameraCondition"/> from its counters — a pure decider, polled by the event loop:
/// <list type="bullet">
/// <item><b>down</b> when the stream is not open (after the first open's open timeout (<c>Capture:OpenTimeout</c>)), or open
/// but silent for <c>Capture:StallTimeout</c> — the same limit at which capture reopens it;</item>
/// <item><b>degraded</b> when frames pass the quality gate at under half the rate the source promises over the last
/// <see cref="RateWindow"/> (back to delivering at 70 %, so a rate on the edge does not flap);</item>
/// <item><b>delivering</b> otherwise; <b>starting</b> before the first frame, within the open timeout.</item>
/// </list>
/// A new state keeps the moment its condition began; only a change of condition is reported as a change.
/// </summary>
public sealed class CameraStateJudge(TimeSpan openTimeout, TimeSpan stallTimeout, long startedAt, long frequency)
{
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);
    private const double DegradedBelow = 0.5, RecoveredAt = 0.7;

    private readonly Dictionary<string, Queue<(long At, long Accepted)>> _samples = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CameraState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _connection = new(StringComparer.Ordinal);   // the connection the rate window belongs to

    /// <summary>The camera's state now; <paramref name="changed"/> when its condition differs from the last judgement.</summary>
    public CameraState Judge(string camera, CameraReading r, long now, DateTimeOffset utcNow, out bool changed)
    {
        CameraState before = _states.GetValueOrDefault(camera) ?? CameraState.Starting;
        (CameraCondition condition, string reason) = Decide(camera, r, now, before);
        CameraState next = condition == before.Condition ? before with { Reason = reason } : new CameraState(condition, reason, utcNow);
        changed = condition != before.Condition;
        _states[camera] = next;
        return next;
    }

    private (CameraCondition, string) Decide(string camera, CameraReading r, long now, CameraState before)
    {
        double Seconds(long ticks) => ticks / (double)frequency;
        bool everDelivered = r.LastFrameAt != 0;
        if (!r.Connected)
        {
            _samples.Remove(camera);
            if (!everDelivered && before.Condition == CameraCondition.Starting && Seconds(now - startedAt) < openTimeout.TotalSeconds)
                return (CameraCondition.Starting, "opening");
            return (CameraCondition.Down, r.LastError is { Length: > 0 } e ? e : "the stream is closed");
        }
        bool frameSinceOpen = r.LastFrameAt >= r.ConnectedAt && r.LastFrameAt != 0;
        if (!frameSinceOpen)
        {
            if (before.Condition == CameraCondition.Starting && Seconds(now - startedAt) < Math.Max(openTimeout.TotalSeconds, stallTimeout.TotalSeconds))
                return (CameraCondition.Starting, "waiting for the first frame");
            double waited = Seconds(now - r.ConnectedAt);
            return before.Condition == CameraCondition.Down || waited >= stallTimeout.TotalSeconds
                ? (CameraCondition.Down, $"open, but no frame for {waited:0} s")
                : (before.Condition, before.Reason);
        }
        double silent = Seconds(now - r.LastFrameAt);
        if (silent >= stallTimeout.TotalSeconds)
        {
            _samples.Remove(camera);
            return (CameraCondition.Down, $"no frame for {silent:0} s");
        }

        // The rate is measured within one connection, from its first frame (a gap before it is not a slow camera).
        if (!_samples.TryGetValue(camera, out var window) || _connection.GetValueOrDefault(camera) != r.ConnectedAt || before.Condition == CameraCondition.Down)
        {
            _samples[camera] = window = new Queue<(long, long)>();
            _connection[camera] = r.ConnectedAt;
        }
        window.Enqueue((now, r.FramesAccepted));
        long horizon = now - (long)(RateWindow.TotalSeconds * frequency);
        while (window.Count > 2 && window.Peek().At < horizon) window.Dequeue();
        var (oldestAt, oldestAccepted) = window.Peek();
        double span = Seconds(now - oldestAt);
        if (r.ExpectedFrameRate <= 0 || span < RateWindow.TotalSeconds / 2) return (CameraCondition.Delivering, "delivering");
        double rate = (r.FramesAccepted - oldestAccepted) / span;
        double limit = (before.Condition == CameraCondition.Degraded ? RecoveredAt : DegradedBelow) * r.ExpectedFrameRate;
        return rate < limit
            ? (CameraCondition.Degraded, $"{rate:0.0} of {r.ExpectedFrameRate:0.#} frames/s")
            : (CameraCondition.Delivering, "delivering");
    }
}
