using System.Text.RegularExpressions;

namespace EdgeAgent.Zones;

/// <summary>The validated floor plan: zone polygons, door lines and availability rules.</summary>
public sealed partial class FloorPlan
{
    private FloorPlan(IReadOnlyList<(ZoneDefinition Zone, FloorPolygon Shape)> zones, IReadOnlyList<DoorLine> doors, IReadOnlyList<AvailabilityRule> rules)
    {
        Zones = zones;
        Doors = doors;
        Rules = rules;
    }

    public IReadOnlyList<(ZoneDefinition Zone, FloorPolygon Shape)> Zones { get; }

    public IReadOnlyList<DoorLine> Doors { get; }

    public IReadOnlyList<AvailabilityRule> Rules { get; }

    /// <summary>Builds the plan; every problem is added as <c>Zones:Key: problem</c> and the plan is null when there is one.</summary>
    public static FloorPlan? Create(ZoneOptions o, List<string> problems)
    {
        const string S = ZoneOptions.SectionName;
        int before = problems.Count;
        var zones = new List<(ZoneDefinition, FloorPolygon)>();
        var zoneIds = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < o.Areas.Count; i++)
        {
            ZoneDefinition z = o.Areas[i];
            string k = $"{S}:Areas:{i}";
            CheckId(z.Id, $"{k}:Id", zoneIds, problems);
            if (FloorPolygon.Create(z.Polygon, out string? why) is { } shape) zones.Add((z, shape));
            else problems.Add($"{k}:Polygon: {why}");
        }
        var doors = new List<DoorLine>();
        var doorIds = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < o.Doors.Count; i++)
        {
            DoorDefinition d = o.Doors[i];
            string k = $"{S}:Doors:{i}";
            CheckId(d.Id, $"{k}:Id", doorIds, problems);
            if (d.Zone is not null && !zoneIds.Contains(d.Zone)) problems.Add($"{k}:Zone: no area has the id '{d.Zone}'");
            if (DoorLine.Create(d, o.DoorHysteresisMetres, o.DoorReachMetres, out string? why) is { } line) doors.Add(line);
            else problems.Add($"{k}:Line: {why}");
        }
        var ruleIds = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < o.Availability.Count; i++)
        {
            AvailabilityRule r = o.Availability[i];
            string k = $"{S}:Availability:{i}";
            CheckId(r.Id, $"{k}:Id", ruleIds, problems);
            if (!zoneIds.Contains(r.Zone)) problems.Add($"{k}:Zone: no area has the id '{r.Zone}'");
            if (r.MinimumCount < 1) problems.Add($"{k}:MinimumCount: must be at least 1, got {r.MinimumCount}");
            if (r.After < TimeSpan.Zero) problems.Add($"{k}:After: must not be negative, got {r.After}");
            if (r.Roles.Any(string.IsNullOrWhiteSpace)) problems.Add($"{k}:Roles: role names must not be empty");
        }
        if (o.EnterAfter < TimeSpan.Zero) problems.Add($"{S}:EnterAfter: must not be negative, got {o.EnterAfter}");
        if (o.BlindHoldFor < TimeSpan.Zero) problems.Add($"{S}:BlindHoldFor: must not be negative, got {o.BlindHoldFor}");
        if (o.ExitAfter < TimeSpan.Zero) problems.Add($"{S}:ExitAfter: must not be negative, got {o.ExitAfter}");
        if (o.OccupancyInterval < TimeSpan.FromSeconds(1)) problems.Add($"{S}:OccupancyInterval: must be at least 00:00:01, got {o.OccupancyInterval}");
        if (o.DoorHysteresisMetres is < 0 or > 5) problems.Add($"{S}:DoorHysteresisMetres: must be between 0 and 5, got {o.DoorHysteresisMetres}");
        if (o.DoorReachMetres <= o.DoorHysteresisMetres) problems.Add($"{S}:DoorReachMetres: must exceed DoorHysteresisMetres ({o.DoorHysteresisMetres}), got {o.DoorReachMetres}");
        if (string.IsNullOrWhiteSpace(o.UnknownRole)) problems.Add($"{S}:UnknownRole: must not be empty");
        return problems.Count == before ? new FloorPlan(zones, doors, o.Availability) : null;
    }

    private static void CheckId(string id, string key, HashSet<string> seen, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(id)) problems.Add($"{key}: is required");
        else if (!IdPattern().IsMatch(id)) problems.Add($"{key}: '{id}' may contain only letters, digits, '-' and '_' (at most 64); it becomes part of MQTT topics");
        else if (!seen.Add(id)) problems.Add($"{key}: '{id}' is used twice");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();
}
