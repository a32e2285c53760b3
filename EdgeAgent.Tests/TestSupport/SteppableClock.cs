namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A clock whose wall time can be stepped apart from its monotonic time (which FakeTimeProvider cannot: it moves both
/// together and refuses to go back): <see cref="Advance"/> is time passing, <see cref="Step"/> is NTP or an operator
/// setting the wall clock.
/// </summary>
public sealed class SteppableClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks;
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => start + TimeSpan.FromTicks(_ticks) + _offset;

    public override long GetTimestamp() => _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan t) => _ticks += t.Ticks;

    public void Step(TimeSpan t) => _offset += t;
}
