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

/// <summary>
/// Reason: <c>left</c> (seen outside), <c>lost</c> (no longer seen), <c>camera_down</c> (held while no camera covered the
/// zone, longer than <c>Zones:BlindHoldFor</c>), <c>restart</c> (left open by a crash or restart), <c>shutdown</c>,
/// <c>reconfigured</c>. Dated at the last sighting inside.
/// </summary>
public sealed record ZoneExited(DateTimeOffset OccurredAt, string Zone, string Person, string Role, DateTimeOffset EnteredAt, string Reason) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.ZoneExited;

    public TimeSpan Dwell => OccurredAt - EnteredAt;
}

/// <summary>
/// Trigger: <c>change</c>, <c>periodic</c>, <c>start</c>, <c>blind</c> (no working camera covers the zone),
/// <c>restored</c> (one does again) or <c>shutdown</c>. <see cref="Known"/> is false while the zone is blind and after a
/// clean stop: then nobody can say who is there, and the count is unknown — never 0.
/// </summary>
public sealed record ZoneOccupancy(DateTimeOffset OccurredAt, string Zone, IReadOnlyDictionary<string, int> ByRole, string Trigger, bool Known = true) : ZoneEvent(OccurredAt)
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

/// <summary>
/// Reason: <c>staffed</c> (staff returned), <c>coverage_lost</c> (the zone went blind: a <c>coverage.lost</c> follows),
/// <c>restart</c> (an alert left open by a crash or restart) or <c>reconfigured</c>.
/// </summary>
public sealed record AvailabilityCleared(DateTimeOffset OccurredAt, string Rule, string Zone, DateTimeOffset UnstaffedSince, string Reason) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.AvailabilityCleared;

    public TimeSpan Unstaffed => OccurredAt - UnstaffedSince;
}

/// <summary>
/// No working camera covers the zone of an availability rule (<paramref name="Cameras"/>: those that would, all down):
/// the rule cannot be judged, so it raises this instead of an "unstaffed" alert.
/// </summary>
public sealed record CoverageLost(DateTimeOffset OccurredAt, string Rule, string Zone, IReadOnlyList<string> Cameras) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.CoverageLost;
}

/// <summary>Reason: <c>camera_up</c> (a covering camera delivers again), <c>restart</c> or <c>reconfigured</c>.</summary>
public sealed record CoverageRestored(DateTimeOffset OccurredAt, string Rule, string Zone, DateTimeOffset BlindSince, string Reason) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.CoverageRestored;

    public TimeSpan Blind => OccurredAt - BlindSince;
}

/// <summary>
/// A camera's condition changed: <c>delivering</c>, <c>degraded</c> or <c>down</c> (with the reason and since when), the
/// reconnect attempts so far, and the zones it covers (blind now if no other covering camera works).
/// </summary>
public sealed record CameraStatusChanged(DateTimeOffset OccurredAt, string Camera, string State, string Reason, DateTimeOffset Since,
                                         long ReconnectAttempts, IReadOnlyList<string> Zones) : ZoneEvent(OccurredAt)
{
    public override EventType Type => EventTypes.CameraStatus;
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

    public sealed record Camera(string Id, bool Connected, long FramesCaptured, long FramesProcessed, long FramesDropped, long Reconnects, long Stalls, long DecodeErrors,
                                string State = "starting", string? Reason = null, DateTimeOffset? Since = null, long ReconnectAttempts = 0);

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
