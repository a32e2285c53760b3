namespace CloudSync.Contract;

/// <summary>
/// The event contract in one place: every type the agent makes, with its class and retained topic. The event factory,
/// the outbox's classes, the topics, the schema (<c>docs/events/event.schema.json</c>), the AsyncAPI document and the
/// events README all follow this list; a test holds the documents to it.
/// </summary>
public static class EventTypes
{
    public static readonly EventType ZoneEntered = new("zone.entered", MessageClass.Zone);
    public static readonly EventType ZoneExited = new("zone.exited", MessageClass.Zone);
    public static readonly EventType DoorCrossed = new("door.crossed", MessageClass.Zone);

    /// <summary>Also retained per zone on <c>occupancy/&lt;zone&gt;</c>, so a late subscriber sees the current count (or that it is unknown).</summary>
    public static readonly EventType ZoneOccupancy = new("zone.occupancy", MessageClass.Periodic, new RetainedState("occupancy/{0}", "zone"));

    /// <summary>A rule's active alert is retained on <c>alerts/&lt;rule&gt;</c> until cleared (an empty retained message).</summary>
    public static readonly EventType AvailabilityAlert = new("availability.alert", MessageClass.Alert, new RetainedState("alerts/{0}", "rule"));
    public static readonly EventType AvailabilityCleared = new("availability.cleared", MessageClass.Alert, new RetainedState("alerts/{0}", "rule", Clears: true));

    /// <summary>No working camera sees a rule's zone: the rule cannot be judged (instead of an "unstaffed" alert). Retained like the rule's alerts.</summary>
    public static readonly EventType CoverageLost = new("coverage.lost", MessageClass.Alert, new RetainedState("alerts/{0}", "rule"));
    public static readonly EventType CoverageRestored = new("coverage.restored", MessageClass.Alert, new RetainedState("alerts/{0}", "rule", Clears: true));

    /// <summary>A camera became delivering, degraded or down; its latest status retained on <c>cameras/&lt;camera&gt;/status</c>.</summary>
    public static readonly EventType CameraStatus = new("camera.status", MessageClass.Alert, new RetainedState("cameras/{0}/status", "camera"));

    public static readonly EventType FrameSampled = new("frame.sampled", MessageClass.Frame);

    /// <summary>The appliance's health, periodically; the latest retained on <c>status/device</c>.</summary>
    public static readonly EventType DeviceStatus = new("device.status", MessageClass.Periodic, new RetainedState("status/device"));
    public static readonly EventType ModelHealth = new("model.health", MessageClass.Periodic);

    /// <summary>The outbox found accepted events missing when it opened (damage outside the power-loss model): counted, never silent.</summary>
    public static readonly EventType OutboxDamaged = new("outbox.damaged", MessageClass.Alert);

    public static IReadOnlyList<EventType> All { get; } =
        [ZoneEntered, ZoneExited, ZoneOccupancy, DoorCrossed, AvailabilityAlert, AvailabilityCleared, CoverageLost, CoverageRestored, CameraStatus,
         FrameSampled, DeviceStatus, ModelHealth, OutboxDamaged];

    private static readonly Dictionary<string, EventType> ByName = All.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The type of that name, or null for a name the contract does not define.</summary>
    public static EventType? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The delivery class of a type name; a name outside the contract (a test's, a benchmark's) is periodic.</summary>
    public static MessageClass ClassOf(string name) => Find(name)?.Class ?? MessageClass.Periodic;
}
