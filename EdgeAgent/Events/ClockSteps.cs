namespace EdgeAgent.Events;

/// <summary>
/// Notices when the wall clock is stepped (NTP correcting a Jetson that booted without a real-time clock, an operator
/// setting the time): the wall time elapsed since the last check differs from the monotonic time elapsed by more than
/// <see cref="Threshold"/>. Events keep wall time; the first event after a step carries <c>clockStepped</c> so a consumer
/// knows <c>occurredAt</c> may jump there and orders by <c>seq</c>.
/// </summary>
public sealed class ClockSteps(TimeProvider clock)
{
    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(2);
    private DateTimeOffset _lastWall = clock.GetUtcNow();
    private long _lastTimestamp = clock.GetTimestamp();

    /// <summary>Steps seen since the start.</summary>
    public int Count { get; private set; }

    /// <summary>The size of the step since the last check (positive: forwards), or null when the clock ran true.</summary>
    public TimeSpan? Check()
    {
        DateTimeOffset wall = clock.GetUtcNow();
        long timestamp = clock.GetTimestamp();
        TimeSpan drift = (wall - _lastWall) - clock.GetElapsedTime(_lastTimestamp, timestamp);
        _lastWall = wall;
        _lastTimestamp = timestamp;
        if (drift.Duration() <= Threshold) return null;
        Count++;
        return drift;
    }
}
