using CloudSync.Fleet;
using EdgeAgent.Configuration;

namespace EdgeAgent.Fleet;

/// <summary>
/// At start: which configuration runs. Without fleet updates, the provisioned file. With them, the current release's
/// (its models included) — unless that release is on trial and cannot even load, or has crashed on start three times:
/// then the last known good is restored first. Returns the settings to run with and the release on trial, if any.
/// </summary>
public static class FleetStartup
{
    public const int MaxTrialStarts = 3;

    public static (AgentSettings Settings, long? OnTrial) Resolve(AgentSettings provisioned)
    {
        if (!provisioned.Fleet.Enabled) return (provisioned, null);
        var store = new FleetStore(provisioned.Fleet.Directory);
        store.RemoveStaging();   // a download or staging cut short by a crash or power cut
        FleetState state = store.Load();
        if (store.TakeLauncherRollback() is { } back)
        {
            // The new agent never got as far as its health gate: the launcher went back to the previous release.
            state = state with { Pending = null, PendingStarts = 0, FailedVersion = back, FailedReason = "the new agent stopped 3 times before its health gate; the launcher went back to the previous release" };
            store.Save(state);
        }
        if (state.Pending is { } p0 && store.CurrentRelease != store.ReleaseDirectory(p0))
        {
            // Stopped between recording a trial and switching to it: finish the switch if the release is whole.
            if (Directory.Exists(store.ReleaseDirectory(p0))) store.Activate(store.ReleaseDirectory(p0));
            else store.Save(state = state with { Pending = null, PendingStarts = 0 });
        }
        while (store.CurrentRelease is { } release)
        {
            string? failure = null;
            if (state.Pending is not null && state.PendingStarts >= MaxTrialStarts) failure = $"it stopped {state.PendingStarts} times before passing the health gate";
            else
            {
                try
                {
                    AgentSettings settings = SettingsLoader.Load(Path.Combine(release, "appsettings.json"), FleetUpdater.ReleaseOverrides(release), requireCameras: true);
                    if (state.Pending is { } p) store.Save(state with { PendingStarts = state.PendingStarts + 1 });
                    return (settings, state.Pending);
                }
                catch (ConfigurationException e) when (state.Pending is not null)
                {
                    failure = $"it does not load: {string.Join("; ", e.Problems)}";
                }
            }
            long failed = state.Pending!.Value;
            store.EndAgentTrial();
            store.RollBack();
            state = state with { Pending = null, PendingStarts = 0, FailedVersion = failed, FailedReason = failure };
            store.Save(state);
        }
        return (provisioned, null);
    }
}

/// <summary>What the service was started with: the provisioned configuration file, and the fleet release on trial.</summary>
public sealed record FleetContext(string ProvisionedConfig, long? OnTrial);
