using CloudSync.Contract;

namespace EdgeAgent.Zones;

/// <summary>
/// What the zone engine decides. <see cref="OccurredAt"/> is when it happened on the floor, which can be earlier than
/// when it was decided (an entry is known only after the person stayed inside for the inertia time).
/// Persons appear only as their ward pseudonym.
/// </summary>
public abstract record ZoneEvent(DateTimeOffset OccurredAt)
{
    /// <summary>The contract type (name, class, topic) in <see cref="EventTypes"/>.</summary>
    public abstract EventType Type { get; }
}

public sealed record ZoneEntered(DateTimeOffset OccurredAt, string Zone, string Person, string Role) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.ZoneEntered;
}

/// <summary>Reason: <c>left</c> (seen outside), <c>lost</c> (no longer seen), <c>restart</c> (left open by a crash or restart), <c>shutdown</c>.</summary>
public sealed record ZoneExited(DateTimeOffset OccurredAt, string Zone, string Person, string Role, DateTimeOffset EnteredAt, string Reason) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.ZoneExited;

    public TimeSpan Dwell => OccurredAt - EnteredAt;
}

/// <summary>Trigger: <c>change</c>, <c>periodic</c> or <c>start</c>.</summary>
public sealed record ZoneOccupancy(DateTimeOffset OccurredAt, string Zone, IReadOnlyDictionary<string, int> ByRole, string Trigger) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.ZoneOccupancy;

    public int Total => ByRole.Values.Sum();
}

/// <summary>Direction <c>in</c> (towards the door's inside) or <c>out</c>.</summary>
public sealed record DoorCrossed(DateTimeOffset OccurredAt, string Door, string? Zone, string Direction, string Person, string Role) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.DoorCrossed;
}

public sealed record AvailabilityAlert(DateTimeOffset OccurredAt, string Rule, string Zone, IReadOnlyList<string> Roles, int MinimumCount, DateTimeOffset UnstaffedSince, TimeSpan Threshold)
    : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.AvailabilityAlert;
}

/// <summary>Reason: <c>staffed</c> (staff returned) or <c>restart</c> (an alert left open by a crash or restart).</summary>
public sealed record AvailabilityCleared(DateTimeOffset OccurredAt, string Rule, string Zone, DateTimeOffset UnstaffedSince, string Reason) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.AvailabilityCleared;

    public TimeSpan Unstaffed => OccurredAt - UnstaffedSince;
}

/// <summary>An anonymised frame of a camera was uploaded to <see cref="Blob"/> (the event follows the upload, so the blob exists).</summary>
public sealed record FrameSampled(DateTimeOffset OccurredAt, string Camera, string Blob, string Anonymisation) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.FrameSampled;
}

/// <summary>
/// The appliance's health, periodically (Output:StatusInterval) for the fleet's dashboards: uptime, per camera whether
/// it delivers and its counters since start, the outbox backlog per destination and whether each is connected, and how
/// often the wall clock was stepped. Counters only — nothing about people.
/// </summary>
public sealed record DeviceStatus(
    DateTimeOffset OccurredAt, string AgentVersion, long UptimeSeconds, IReadOnlyList<DeviceStatus.Camera> Cameras,
    IReadOnlyList<DeviceStatus.Destination> Destinations, int ClockSteps) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.DeviceStatus;

    public sealed record Camera(string Id, bool Connected, long FramesCaptured, long FramesProcessed, long FramesDropped, long Reconnects, long Stalls, long DecodeErrors);

    public sealed record Destination(string Name, bool Connected, long Pending, long Published, int InFlightWindow, string? Alarm);
}

/// <summary>
/// Model health (<c>model.health</c>), every Output:ModelHealthInterval: per camera, histograms of detection confidence,
/// detections per frame and track length since the last report (bins in <see cref="Health.ModelHealth"/>).
/// </summary>
public sealed record ModelHealthReport(DateTimeOffset OccurredAt, string Model, TimeSpan Period, IReadOnlyList<ModelHealthReport.Camera> Cameras) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.ModelHealth;

    public sealed record Camera(string Id, long Frames, long[] Confidence, long[] DetectionsPerFrame, long[] TrackLength);
}

/// <summary>
/// The outbox found damage when it opened: which file, what was wrong, how many accepted events not yet delivered were
/// lost (<paramref name="FirstSeq"/>..<paramref name="LastSeq"/>, 0 when none) and the seq numbering resumed after.
/// </summary>
public sealed record OutboxDamaged(DateTimeOffset OccurredAt, string File, string What, long Lost, long FirstSeq, long LastSeq, long ResumedAt) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.OutboxDamaged;
}
