using EdgeAgent.Configuration;
using EdgeAgent.Fleet;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.Fleet;

/// <summary>
/// RELIABILITY U3: the agent stopped (kill -9, power cut) at each step of an update; at the next start the old release
/// runs, or the new one on trial — never a mix — and what a crash left half-done is cleaned up.
/// </summary>
public class FleetStartupTests
{
    private static (AgentSettings Provisioned, FleetStore Store, string Dir) Setup()
    {
        string dir = TestAssets.NewTempDirectory();
        File.WriteAllText(Path.Combine(dir, "fleet.pub"), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
        string config = EventServiceTests.Config(dir, $$"""
            ,
              "Sync": { "Destinations": [ { "Name": "bms", "Port": 1 } ] },
              "Fleet": { "Enabled": true, "PublicKeyFile": "{{dir}}/fleet.pub", "Directory": "{{dir}}/fleet" }
            """);
        AgentSettings provisioned = SettingsLoader.Load(config, null, requireCameras: true);
        return (provisioned, new FleetStore(provisioned.Fleet.Directory), config);
    }

    // A whole release: the provisioned configuration with another zone name, and the models directory of the repository.
    private static string Release(FleetStore store, string config, long version, string zone)
    {
        string release = store.ReleaseDirectory(version);
        Directory.CreateDirectory(Path.Combine(release, "models"));
        File.WriteAllText(Path.Combine(release, "appsettings.json"), File.ReadAllText(config).Replace("\"Id\": \"plaza\", \"Kind\"", $"\"Id\": \"{zone}\", \"Kind\""));
        foreach (string f in Directory.GetFiles(TestAssets.ModelsDirectory)) File.CreateSymbolicLink(Path.Combine(release, "models", Path.GetFileName(f)), f);
        return release;
    }

    [Test]
    public void StoppedBetweenRecordingTheTrialAndSwitching_TheSwitchIsFinished_TheReleaseRunsOnTrial()
    {
        var (provisioned, store, config) = Setup();
        store.Activate(Release(store, config, 2, "zone-2"));
        store.Save(new FleetState { Current = 2, LastAccepted = 2 });
        Release(store, config, 3, "zone-3");
        store.Save(new FleetState { Current = 2, LastAccepted = 3, Pending = 3 });   // the kill came here, before Activate
        var (settings, trial) = FleetStartup.Resolve(provisioned);
        Assert.That(trial, Is.EqualTo(3));
        Assert.That(settings.Zones.Areas.Single().Id, Is.EqualTo("zone-3"));
        Assert.That(store.PreviousRelease, Is.EqualTo(store.ReleaseDirectory(2)), "the last known good is kept for the health gate");
    }

    [Test]
    public void StoppedWhileFetching_StagingRemoved_TheRunningReleaseRuns()
    {
        var (provisioned, store, config) = Setup();
        store.Activate(Release(store, config, 2, "zone-2"));
        Directory.CreateDirectory(store.ReleaseDirectory(3) + ".staging");
        File.WriteAllText(Path.Combine(store.ReleaseDirectory(3) + ".staging", "appsettings.json.part"), "{ \"Capt");
        store.Save(new FleetState { Current = 2, LastAccepted = 2 });
        var (settings, trial) = FleetStartup.Resolve(provisioned);
        Assert.That(trial, Is.Null);
        Assert.That(settings.Zones.Areas.Single().Id, Is.EqualTo("zone-2"));
        Assert.That(Directory.Exists(store.ReleaseDirectory(3) + ".staging"), Is.False);
    }

    [Test]
    public void ReleaseOnTrialStoppedThreeTimes_OrNotLoading_RolledBackToTheLastKnownGood()
    {
        var (provisioned, store, config) = Setup();
        store.Activate(Release(store, config, 2, "zone-2"));
        store.Activate(Release(store, config, 3, "zone-3"));
        store.Save(new FleetState { Current = 2, LastAccepted = 3, Pending = 3, PendingStarts = FleetStartup.MaxTrialStarts });
        var (settings, trial) = FleetStartup.Resolve(provisioned);
        Assert.That(trial, Is.Null);
        Assert.That(settings.Zones.Areas.Single().Id, Is.EqualTo("zone-2"));
        FleetState state = store.Load();
        Assert.That(state.FailedVersion, Is.EqualTo(3));
        Assert.That(state.FailedReason, Does.Contain("stopped 3 times"));

        string broken = Release(store, config, 4, "zone-4");
        File.WriteAllText(Path.Combine(broken, "appsettings.json"), "{ \"Capture\": { \"Cameras\": [ { \"Id\": \"bad id\" } ] } }");
        store.Activate(broken);
        store.Save(state with { Pending = 4, LastAccepted = 4, PendingStarts = 0 });
        (settings, trial) = FleetStartup.Resolve(provisioned);
        Assert.That(trial, Is.Null);
        Assert.That(settings.Zones.Areas.Single().Id, Is.EqualTo("zone-2"));
        Assert.That(store.Load().FailedReason, Does.Contain("does not load").And.Contain("Capture:Cameras:0:Id"));
    }
}
