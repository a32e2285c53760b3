using EdgeAgent.Capture;
using EdgeAgent.Inference;
using EdgeAgent.Tracking;

namespace EdgeAgent.Configuration;

/// <summary>All option sections of the agent, bound and validated together.</summary>
public sealed class AgentSettings
{
    public CaptureOptions Capture { get; init; } = new();
    public DetectorOptions Detection { get; init; } = new();
    public TrackerOptions Tracking { get; init; } = new();
    public Reid.ReidOptions Reid { get; init; } = new();
    public Ward.WardOptions Ward { get; init; } = new();
    public Zones.ZoneOptions Zones { get; init; } = new();
    public Roles.RoleOptions Roles { get; init; } = new();
    public Badges.BadgeOptions Badges { get; init; } = new();
    public global::CloudSync.SyncOptions Sync { get; init; } = new();
    public Frames.FrameOptions Frames { get; init; } = new();
    public OutputOptions Output { get; init; } = new();
    public global::CloudSync.Fleet.FleetPolicy Fleet { get; init; } = new();
    public Web.WebOptions Web { get; init; } = new();
}
