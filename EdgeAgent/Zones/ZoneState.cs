namespace EdgeAgent.Zones;

/// <summary>
/// What the zone engine must not forget across a crash: presences and alerts that are open. Saved after every
/// change; on start-up the engine closes each one (reason <c>restart</c>) so no subscriber sees a person inside forever.
/// </summary>
public sealed class ZoneState
{
    public List<OpenPresence> Presences { get; set; } = [];

    public List<OpenAlert> Alerts { get; set; } = [];

    public sealed record OpenPresence(string Zone, string Person, string Role, DateTimeOffset EnteredAt, DateTimeOffset LastInside);

    public sealed record OpenAlert(string Rule, string Zone, DateTimeOffset UnstaffedSince);
}
