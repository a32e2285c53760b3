namespace EdgeAgent.Zones;

/// <summary>
/// The event stage's "now": the time of the latest snapshot it processed (wall time in the service, media time in a
/// replay), never moving backwards. The zone engine reads it as its <see cref="TimeProvider"/>.
/// </summary>
public sealed class EventClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void AdvanceTo(DateTimeOffset t)
    {
        if (t > _now) _now = t;
    }

    /// <summary>The wall clock was stepped back: time goes on from <paramref name="t"/> instead of standing still until it passes the old time.</summary>
    public void StepTo(DateTimeOffset t) => _now = t;
}
