using System.Globalization;
using System.Text.Json;
using EdgeAgent.Configuration;

namespace EdgeAgent.Tests.Cli;

/// <summary>
/// <c>edge-agent replay --input FILE --config ward.json</c> replays the file through the configured camera: its calibration
/// and zones are kept, so the zone events and floor positions are those of the configured camera.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class ReplayInputTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);
    private const int Frames = 200;

    private static string BundledConfig => Path.Combine(AppContext.BaseDirectory, "appsettings.json");

    // Zone events as a subscriber would compare them: type, zone, reason and role, dated from the run's start (pseudonyms
    // and event ids are new in every run).
    private static List<string> ZoneEvents(string eventsFile)
    {
        var events = File.ReadLines(eventsFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        DateTimeOffset start = events.Min(e => e.GetProperty("occurredAt").GetDateTimeOffset());
        return events.Where(e => e.GetProperty("type").GetString()!.StartsWith("zone.", StringComparison.Ordinal)
                                 || e.GetProperty("type").GetString() == "door.crossed")
            .Select(e =>
            {
                JsonElement p = e.GetProperty("payload");
                string Field(string name) => p.TryGetProperty(name, out JsonElement v) ? v.ToString() : "";
                double at = (e.GetProperty("occurredAt").GetDateTimeOffset() - start).TotalSeconds;
                return string.Create(CultureInfo.InvariantCulture,
                    $"{at:0.000} {e.GetProperty("type").GetString()} {Field("zone")} {Field("door")} {Field("reason")} {Field("role")} {Field("total")} {Field("trigger")}");
            }).Order(StringComparer.Ordinal).ToList();
    }

    [Test]
    public void ReplayWithInput_AndTheBundledConfiguration_MakesTheSameZoneEventsAsTheConfiguredCamera_AndFloorPositions()
    {
        string withoutInput = TestAssets.NewTempDirectory(), withInput = TestAssets.NewTempDirectory();
        // The configured camera's own source, as scripts/demo.sh runs it (the environment overrides the file's path).
        var source = new Dictionary<string, string> { ["EDGEAGENT_Capture__Cameras__0__Source"] = TestAssets.Video };
        var (codeA, _, errA) = AgentProcess.Run(Timeout, source, "replay", "--config", BundledConfig, "--frames", $"{Frames}", "--out", withoutInput, "--quiet");
        Assert.That(codeA, Is.Zero, errA);
        var (codeB, stdoutB, errB) = AgentProcess.Run(Timeout, "replay", "--input", TestAssets.Video, "--config", BundledConfig, "--frames", $"{Frames}",
            "--out", withInput, "--quiet");
        Assert.That(codeB, Is.Zero, errB);
        Assert.That(stdoutB, Does.Contain("camera sample: floor calibration reprojection error"), "the configured camera, with its calibration");

        List<string> expected = ZoneEvents(Path.Combine(withoutInput, "events.jsonl")), actual = ZoneEvents(Path.Combine(withInput, "events.jsonl"));
        Assert.That(expected.Count(e => e.Contains(" zone.entered ", StringComparison.Ordinal)), Is.GreaterThan(5), "the configured camera makes zone entries");
        Assert.That(actual, Is.EqualTo(expected), "the same zone events with --input as without");

        // The tracks carry each box's floor position in the world columns.
        string[] rows = File.ReadAllLines(Path.Combine(withInput, "tracks.mot.txt"));
        Assert.That(rows, Is.Not.Empty);
        var row = new System.Text.RegularExpressions.Regex(@"^\d+,\d+,-?[\d.]+,-?[\d.]+,[\d.]+,[\d.]+,[\d.]+,-?[\d.]+,-?[\d.]+,-1$");
        Assert.That(rows.FirstOrDefault(r => !row.IsMatch(r)), Is.Null, "frame,id,x,y,w,h,score,floor x,floor y,-1");
        Assert.That(rows.Count(r => r.EndsWith(",-1,-1,-1", StringComparison.Ordinal)), Is.Zero, "every box of the calibrated camera has a floor position");
    }

    [Test]
    public void Evaluate_TracksWithFloorPositions_PrintsTheMedianFloorErrorAgainstTheGroundTruthsWorldCoordinates()
    {
        string dir = TestAssets.NewTempDirectory();
        var (code, _, err) = AgentProcess.Run(Timeout, "replay", "--input", TestAssets.Video, "--config", BundledConfig, "--frames", $"{Frames}", "--out", dir, "--quiet");
        Assert.That(code, Is.Zero, err);
        var (evalCode, stdout, evalErr) = AgentProcess.Run(Timeout, "evaluate", "--gt", TestAssets.GroundTruth, "--results", Path.Combine(dir, "tracks.mot.txt"));
        Assert.That(evalCode, Is.Zero, evalErr);
        TestContext.Out.WriteLine(stdout);
        var m = System.Text.RegularExpressions.Regex.Match(stdout, @"floor error: median ([\d.]+) m, 90th percentile ([\d.]+) m over (\d+) matched boxes");
        Assert.That(m.Success, Is.True, stdout);
        Assert.That(int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), Is.GreaterThan(500), "most boxes matched");
        Assert.That(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Is.LessThan(0.5), "the bundled calibration places people within half a metre (median)");
    }

    [Test]
    public void ReplayWithInput_SeveralCamerasConfigured_NeedsCameraAndSaysSo()
    {
        string dir = TestAssets.NewTempDirectory();
        string config = Path.Combine(dir, "two.json");
        File.WriteAllText(config, $$"""
            { "Capture": { "Cameras": [ { "Id": "east", "Source": "{{TestAssets.Video}}" }, { "Id": "west", "Source": "{{TestAssets.Video}}" } ] } }
            """);
        var (code, _, stderr) = AgentProcess.Run(Timeout, "replay", "--input", TestAssets.Video, "--config", config, "--frames", "5", "--out", dir, "--quiet");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("--camera").And.Contain("east").And.Contain("west"));

        var (unknown, _, unknownErr) = AgentProcess.Run(Timeout, "replay", "--input", TestAssets.Video, "--config", config, "--camera", "north", "--out", dir, "--quiet");
        Assert.That(unknown, Is.EqualTo(2), unknownErr);
        Assert.That(unknownErr, Does.Contain("--camera north: no such camera").And.Contain("east, west"));

        var (chosen, stdout, chosenErr) = AgentProcess.Run(Timeout, "replay", "--input", TestAssets.Video, "--config", config, "--camera", "west", "--frames", "5",
            "--out", dir, "--quiet");
        Assert.That(chosen, Is.Zero, chosenErr);
        Assert.That(stdout, Does.Contain("camera west: captured"));
        Assert.That(stdout, Does.Not.Contain("camera east:"));
    }

    [Test]
    public void ChooseCameras_InputKeepsTheConfiguredCamerasCalibrationAndCrop()
    {
        AgentSettings settings = TestAssets.SettingsFor("rtsp://127.0.0.1:1/ward", "bay3");
        settings.Capture.Cameras[0].Calibration = new EdgeAgent.Capture.CalibrationOptions { ImagePoints = [[0, 0]], FloorPoints = [[1, 1]] };
        settings.Capture.Cameras[0].Crop = new EdgeAgent.Capture.CropOptions { X = 0.5, Width = 0.5 };
        settings.Capture.Cameras[0].Kind = EdgeAgent.Capture.SourceKind.Ffmpeg;
        EdgeAgent.Cli.ReplayCommand.ChooseCameras(settings, "clip.avi", cameraId: null, realtime: false);
        var camera = settings.Capture.Cameras.Single();
        Assert.That((camera.Id, camera.Source, camera.Kind, camera.Loop), Is.EqualTo(("bay3", "clip.avi", EdgeAgent.Capture.SourceKind.Auto, false)));
        Assert.That(camera.Calibration, Is.Not.Null);
        Assert.That(camera.Crop!.X, Is.EqualTo(0.5));
    }
}
