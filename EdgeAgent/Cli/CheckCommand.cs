using EdgeAgent.Configuration;
using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent check --config FILE</c>: validates a configuration file the way the service does at start (provisioning
/// and fleet updates use it), and exits.
/// </summary>
public static class CheckCommand
{
    public static int Run(CliArgs cli)
    {
        string config = cli.Get("config") ?? throw new CliException("--config is required");
        cli.RejectUnknown();
        AgentSettings s = SettingsLoader.Load(config, overrides: null, requireCameras: true);
        if (StatePaths.LockProblem(s) is { } held) throw new ConfigurationException([held]);   // what run would refuse
        Console.WriteLine($"{config}: valid ({s.Capture.Cameras.Count} camera(s), {s.Zones.Areas.Count} zone(s), {s.Sync.Destinations.Count} destination(s))");
        return ExitCodes.Ok;
    }
}
