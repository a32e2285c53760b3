namespace EdgeAgent.Zones;

/// <summary>
/// The ward floor plan and the presence rules. Section <c>Zones</c>. Geometry is in floor metres, in the same
/// frame as the cameras' calibrations (<c>Capture:Cameras:N:Calibration:FloorPoints</c>).
/// </summary>
public sealed class ZoneOptions
{
    public const string SectionName = "Zones";

    /// <summary>Rooms, bays, corridors, the nurse station: polygons of at least 3 points.</summary>
    public List<ZoneDefinition> Areas { get; set; } = [];

    /// <summary>Doors: lines of two points, with the side that is inside.</summary>
    public List<DoorDefinition> Doors { get; set; } = [];

    /// <summary>"No staff in bay 3 for 10 minutes": rules that raise and clear availability alerts.</summary>
    public List<AvailabilityRule> Availability { get; set; } = [];

    /// <summary>Inertia: a person must be inside this long before they are present (and an entry is reported).</summary>
    public TimeSpan EnterAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Inertia: a present person must be outside (or unseen) this long before they are gone (and an exit is reported).</summary>
    public TimeSpan ExitAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Occupancy is reported on every change and also this often for every zone.</summary>
    public TimeSpan OccupancyInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A door crossing counts once the feet are this far past the line (hides jitter on the threshold).</summary>
    public double DoorHysteresisMetres { get; set; } = 0.3;

    /// <summary>Feet farther than this from a door line are not near the door (walking round its end is no crossing).</summary>
    public double DoorReachMetres { get; set; } = 2.5;

    /// <summary>
    /// While no working camera covers a zone, the presences in it are held (occupancy unknown, no exit); held longer than
    /// this they end with reason <c>camera_down</c>, dated at the last sighting. Five minutes covers a camera's reboot or a
    /// switch restart (one to three minutes) with margin; beyond it, claiming someone is still there is a guess.
    /// </summary>
    public TimeSpan BlindHoldFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The role of a person no role source has recognised.</summary>
    public string UnknownRole { get; set; } = "unknown";
}

/// <summary>A zone on the floor plan.</summary>
public sealed class ZoneDefinition
{
    /// <summary>Id used in events and topics (letters, digits, '-', '_').</summary>
    public string Id { get; set; } = "";

    /// <summary>What it is: room, bay, corridor, station or other (for dashboards; no behaviour depends on it).</summary>
    public string Kind { get; set; } = "room";

    /// <summary>Corners in floor metres, [x, y] each, in order around the zone.</summary>
    public List<double[]> Polygon { get; set; } = [];

    /// <summary>
    /// The cameras that see this zone, when their calibrated footprints mislead (a wall the floor mapping cannot know
    /// about). Unset: every calibrated camera that sees at least a fifth of the zone. The zone is blind while all are down.
    /// </summary>
    public List<string>? Cameras { get; set; }
}

/// <summary>A door on the floor plan.</summary>
public sealed class DoorDefinition
{
    public string Id { get; set; } = "";

    /// <summary>The door opening: two points [x, y] in floor metres.</summary>
    public List<double[]> Line { get; set; } = [];

    /// <summary>Which side of the line, looking from its first point to its second, is inside: Left or Right.</summary>
    public DoorSide Inside { get; set; } = DoorSide.Left;

    /// <summary>The zone the door leads into, when there is one (reported with the crossing).</summary>
    public string? Zone { get; set; }
}

public enum DoorSide { Left, Right }

/// <summary>Raise an alert when fewer than <see cref="MinimumCount"/> people of <see cref="Roles"/> are in <see cref="Zone"/> for <see cref="After"/>.</summary>
public sealed class AvailabilityRule
{
    public string Id { get; set; } = "";

    public string Zone { get; set; } = "";

    /// <summary>Roles that count as staff here; empty means anyone.</summary>
    public List<string> Roles { get; set; } = [];

    public int MinimumCount { get; set; } = 1;

    public TimeSpan After { get; set; } = TimeSpan.FromMinutes(10);
}
