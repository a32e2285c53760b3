namespace EdgeAgent.Zones;

/// <summary>
/// What the zone engine must not forget across a crash: presences and alerts that are open. Saved after every
/// change; on start-up the engine closes each one (reason <c>restart</c>) so no subscriber sees a person inside forever.
/// </summary>
public sealed class ZoneState
{
    public List<OpenPresence> Presences { get; set; } = [];

    public List<OpenAlert> Alerts { get; set; } = [];

    /// <summary>Rules whose zone is blind (a <c>coverage.lost</c> not yet restored).</summary>
    public List<OpenCoverage> Coverage { get; set; } = [];

    public sealed record OpenPresence(string Zone, string Person, string Role, DateTimeOffset EnteredAt, DateTimeOffset LastInside);

    public sealed record OpenAlert(string Rule, string Zone, DateTimeOffset UnstaffedSince);

    public sealed record OpenCoverage(string Rule, string Zone, DateTimeOffset BlindSince);
}
