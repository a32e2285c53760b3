namespace EdgeAgent.Zones;

/// <summary>A person on the floor as the zone engine sees them: ward identity, feet position (metres) and role.</summary>
public readonly record struct FloorPerson(string Person, double X, double Y, string? Role);
