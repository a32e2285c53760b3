using System.Globalization;
using EdgeAgent.Configuration;
using EdgeAgent.Evaluation;
using EdgeAgent.Ward;
using EdgeAgent.Zones;
using EdgeAgent.Tests.Events;

namespace EdgeAgent.Tests.Zones;

/// <summary>
/// Localisation and zone events on PETS09-S2L1 against its ground truth (floor positions in metres): the camera's
/// homography is fitted from 6 ground-truth correspondences; zone events from the agent's tracks are compared with
/// zone events derived, by the same engine, from the ground-truth tracks.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class ZoneAccuracyTests
{
    // The ground truth counts frames; the agent dates them by the video's own rate (10 fps for vtest.avi, not the
    // 7 fps of the original image sequence), so the ground-truth events use that rate too.
    private static double FrameRate
    {
        get
        {
            using var video = new OpenCvSharp.VideoCapture(TestAssets.Video);
            return video.Fps;
        }
    }

    /// <summary>Three areas across the plaza (metres, the ground truth's floor frame).</summary>
    public static ZoneOptions TestZones() => new()
    {
        Areas =
        [
            new ZoneDefinition { Id = "west", Kind = "bay", Polygon = [[-22, -18], [-11, -18], [-11, 9], [-22, 9]] },
            new ZoneDefinition { Id = "centre", Kind = "corridor", Polygon = [[-11, -18], [-4, -18], [-4, 9], [-11, 9]] },
            new ZoneDefinition { Id = "east", Kind = "bay", Polygon = [[-4, -18], [9, -18], [9, 9], [-4, 9]] },
        ],
    };

    private static List<MotRow>? _gt;
    private static WardReplay.Result? _replay;

    private static async Task<(List<MotRow> Gt, WardReplay.Result Replay)> RunOnceAsync()
    {
        _gt ??= MotFile.Read(TestAssets.GroundTruth, true);
        if (_replay is null)
        {
            AgentSettings settings = TestAssets.SettingsFor(TestAssets.Video);
            settings.Capture.Cameras[0].Calibration = WardReplay.CalibrationFromGroundTruth(_gt, 0, 768, columns: 3, rows: 2);
            settings.Zones.Areas.AddRange(TestZones().Areas);
            _replay = await WardReplay.RunAsync(settings);
        }
        return (_gt, _replay);
    }

    [Test]
    public async Task Replay_HomographyFromSixPairs_PutsTracksWithinHalfAMetreMedian()
    {
        var (gt, replay) = await RunOnceAsync();
        var gtByFrame = gt.Where(r => r.Considered && r.FloorX is not null).GroupBy(r => r.Frame).ToDictionary(g => g.Key, g => g.ToList());
        var errors = new List<double>();
        foreach (WardSnapshot ws in replay.Snapshots)
        {
            if (!gtByFrame.TryGetValue((int)ws.Sequence, out var truth)) continue;
            var used = new HashSet<int>();
            foreach (WardPerson p in ws.People.OrderByDescending(p => truth.Max(t => t.Box.IoU(p.Box))))
            {
                MotRow? best = null;
                float bestIoU = 0.5f;
                foreach (MotRow t in truth)
                    if (!used.Contains(t.Id) && t.Box.IoU(p.Box) >= bestIoU) { bestIoU = t.Box.IoU(p.Box); best = t; }
                if (best is not { } match) continue;
                used.Add(match.Id);
                errors.Add(Math.Sqrt(Math.Pow(p.FloorX - match.FloorX!.Value, 2) + Math.Pow(p.FloorY - match.FloorY!.Value, 2)));
            }
        }
        errors.Sort();
        double median = errors[errors.Count / 2], p90 = errors[(int)(errors.Count * 0.9)];
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{errors.Count} matched boxes: floor error median {median:0.000} m, 90th percentile {p90:0.000} m; reprojection error {replay.Stage.Ward.ReprojectionErrors.Values.Single():0.000} m"));
        Assert.That(errors, Has.Count.GreaterThan(3000), "most ground-truth boxes are matched");
        Assert.That(median, Is.LessThanOrEqualTo(0.5));
    }

    [Test]
    public async Task Replay_ZoneEvents_MatchThoseOfTheGroundTruthWithF1AboveNinety()
    {
        var (gt, replay) = await RunOnceAsync();
        List<ZoneEvent> truth = GroundTruthEvents(gt, TestZones());
        List<(string Type, string Zone, DateTimeOffset At)> expected = EntriesAndExits(truth);
        List<(string Type, string Zone, DateTimeOffset At)> actual = replay.Events
            .Where(e => e.Type is "zone.entered" || (e.Type is "zone.exited" && e.Payload["reason"]!.GetValue<string>() is "left" or "lost"))
            .Select(e => (e.Type, e.Payload["zone"]!.GetValue<string>(), e.OccurredAt)).ToList();
        var (tp, fp, fn) = Match(expected, actual, TimeSpan.FromSeconds(2));
        double f1 = 2.0 * tp / ((2.0 * tp) + fp + fn);
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ground truth {expected.Count} entries/exits, agent {actual.Count}: matched {tp}, false {fp}, missed {fn}, F1 {f1:0.000}"));
        EventSchema.AssertAllValid(replay.Events);
        Assert.That(expected, Has.Count.GreaterThanOrEqualTo(30), "enough events to measure");
        Assert.That(f1, Is.GreaterThanOrEqualTo(0.9));
    }

    /// <summary>Zone events of the ground-truth people, through the same engine and inertia as the agent.</summary>
    public static List<ZoneEvent> GroundTruthEvents(IReadOnlyList<MotRow> gt, ZoneOptions zones)
    {
        var problems = new List<string>();
        FloorPlan plan = FloorPlan.Create(zones, problems) ?? throw new InvalidOperationException(string.Join("; ", problems));
        var clock = new EventClock(WardReplay.Epoch);
        var engine = new ZoneEngine(plan, zones, clock);
        var events = new List<ZoneEvent>(engine.Start(null));
        double fps = FrameRate;
        foreach (var frame in gt.Where(r => r.Considered && r.FloorX is not null).GroupBy(r => r.Frame).OrderBy(g => g.Key))
        {
            clock.AdvanceTo(WardReplay.Epoch + TimeSpan.FromSeconds((frame.Key - 1) / fps));
            events.AddRange(engine.Observe(frame.Select(r => new FloorPerson($"gt{r.Id}", r.FloorX!.Value, r.FloorY!.Value, null)).ToList()));
        }
        events.AddRange(engine.Stop());
        return events;
    }

    private static List<(string, string, DateTimeOffset)> EntriesAndExits(IEnumerable<ZoneEvent> events) =>
        events.Select(e => e switch
        {
            ZoneEntered x => (x.Type.Name, x.Zone, x.OccurredAt),
            ZoneExited { Reason: "left" or "lost" } x => (x.Type.Name, x.Zone, x.OccurredAt),
            _ => ((string, string, DateTimeOffset)?)null,
        }).OfType<(string, string, DateTimeOffset)>().ToList();

    /// <summary>One-to-one matching of events of the same type and zone within the tolerance, closest pairs first.</summary>
    public static (int Tp, int Fp, int Fn) Match(List<(string Type, string Zone, DateTimeOffset At)> expected, List<(string Type, string Zone, DateTimeOffset At)> actual, TimeSpan tolerance)
    {
        var pairs = new List<(double Gap, int E, int A)>();
        for (int i = 0; i < expected.Count; i++)
            for (int j = 0; j < actual.Count; j++)
                if (expected[i].Type == actual[j].Type && expected[i].Zone == actual[j].Zone && (expected[i].At - actual[j].At).Duration() <= tolerance)
                    pairs.Add(((expected[i].At - actual[j].At).Duration().TotalSeconds, i, j));
        var usedE = new HashSet<int>();
        var usedA = new HashSet<int>();
        foreach (var (_, e, a) in pairs.OrderBy(p => p.Gap))
            if (!usedE.Contains(e) && !usedA.Contains(a)) { usedE.Add(e); usedA.Add(a); }
        return (usedE.Count, actual.Count - usedA.Count, expected.Count - usedE.Count);
    }
}
