using System.Diagnostics;
using EdgeAgent.Badges;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Evaluation;
using EdgeAgent.Tests.Events;
using EdgeAgent.Tests.Zones;
using EdgeAgent.Zones;

namespace EdgeAgent.Tests.Badges;

/// <summary>
/// A badge read on a real pty (socat) just before a person in PETS09-S2L1 walks through a door drawn on the floor:
/// the crossing and what follows carry the badge's role; the badge id appears nowhere.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class BadgeFusionReplayTests
{
    private const string NurseBadge = "0100BC614E";

    [Test]
    public async Task Replay_BadgeReadAtTheDoorJustBeforeACrossing_CrossingAndLaterEventsCarryTheRole()
    {
        using var pair = new SerialPair();
        string dir = TestAssets.NewTempDirectory();
        var (roster, _) = BadgeRoster.Build(["badge,name,role", $"{NurseBadge},Jane Doe,nurse"]);
        File.WriteAllText(Path.Combine(dir, "roster.json"), BadgeRoster.ToJson(roster));

        List<MotRow> gt = MotFile.Read(TestAssets.GroundTruth, true);
        AgentSettings settings = TestAssets.SettingsFor(TestAssets.Video);
        settings.Capture.Cameras[0].Calibration = WardReplay.CalibrationFromGroundTruth(gt, 0, 768, columns: 3, rows: 2);
        settings.Zones.Areas.AddRange(ZoneAccuracyTests.TestZones().Areas);
        // Ground-truth person 13 walks west across x = −4 m at y ≈ −6 m about 20.5 s into the video, alone at that door.
        settings.Zones.Doors.Add(new DoorDefinition { Id = "centre-east", Line = [[-4, -8], [-4, -4]], Inside = DoorSide.Left, Zone = "centre" });
        settings.Badges.Roster = Path.Combine(dir, "roster.json");
        settings.Badges.Readers.Add(new BadgeReaderOptions { Id = "door-reader", Port = pair.AgentEnd, Door = "centre-east" });
        Assert.That(SettingsValidator.Validate(settings, requireCameras: true), Is.Empty);

        var log = new ListLogger();
        BadgeReaderGroup? readers = null;
        bool written = false;
        try
        {
            WardReplay.Result replay = await WardReplay.RunAsync(settings, async (snap, stage) =>
            {
                readers ??= BadgeReaderGroup.Start(settings.Badges, stage.Enqueue, log, TimeProvider.System);
                if (written || snap.MediaTime < TimeSpan.FromSeconds(19)) return;
                written = true;
                pair.Write(Rdm6300Parser.Encode(NurseBadge), chunk: 4);
                var clock = Stopwatch.StartNew();
                while (readers.Readers[0].Health.Accepted == 0 && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10);
            }, maxFrames: 300);

            Assert.That(written, Is.True);
            var crossings = replay.Events.Where(e => e.Type == "door.crossed").ToList();
            var nurse = crossings.Where(e => e.Payload["role"]!.GetValue<string>() == "nurse").ToList();
            Assert.That(nurse, Has.Count.EqualTo(1), "the crossing next to the read takes its role: " + string.Join(" | ", crossings.Select(EventFactory.ToJson)));
            EventEnvelope crossed = nurse[0];
            Assert.That((crossed.OccurredAt - WardReplay.Epoch).TotalSeconds, Is.EqualTo(20.5).Within(2.0));
            Assert.That(crossed.Payload["direction"]!.GetValue<string>(), Is.EqualTo("in"));
            string person = crossed.Payload["person"]!.GetValue<string>();
            var later = replay.Events.Where(e => e.Seq > crossed.Seq && e.Payload["person"]?.GetValue<string>() == person && e.Type == "zone.entered").ToList();
            Assert.That(later, Is.Not.Empty, "the person enters a zone after the door");
            Assert.That(later.Select(e => e.Payload["role"]!.GetValue<string>()), Has.All.EqualTo("nurse"));

            string eventsFile = Path.Combine(dir, "events.jsonl");
            using (var writer = new JsonLinesEventWriter(eventsFile)) writer.Write(replay.Events);
            EventSchema.AssertAllValid(replay.Events);
            Assert.That(File.ReadAllText(eventsFile), Does.Not.Contain(NurseBadge).IgnoreCase.And.Not.Contain("Jane"));
            Assert.That(File.ReadAllText(settings.Badges.Roster), Does.Not.Contain(NurseBadge).IgnoreCase.And.Not.Contain("Jane"));
            Assert.That(log.Lines, Has.None.Contains(NurseBadge));
        }
        finally
        {
            readers?.Dispose();
        }
    }
}
