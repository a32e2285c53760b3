using EdgeAgent.Web;
using EdgeAgent.Zones;

namespace EdgeAgent.Tests.Web;

/// <summary>The editor's save, on real files: validated as at start, every other setting kept, atomic, the previous kept.</summary>
public class ConfigEditorTests
{
    private static string Config()
    {
        string path = Path.Combine(TestAssets.NewTempDirectory(), "appsettings.json");
        File.WriteAllText(path, """
            {
              // a comment the operator wrote
              "capture": { "Cameras": [ { "Id": "bay3", "Source": "rtsp://127.0.0.1:1/cam" } ], "QueueCapacity": 3 },
              "Zones": { "Areas": [ { "Id": "bay3", "Kind": "bay", "Polygon": [ [0, 0], [4, 0], [4, 4], [0, 4] ] } ], "ExitAfter": "00:00:05" },
              "Sync": { "EmbeddedBrokerPort": 0 }
            }
            """);
        return path;
    }

    private static readonly double[][] Square = [[0, 0], [6, 0], [6, 5], [0, 5]];

    [Test]
    public void Save_NewZoneAndCalibration_WrittenValidatedAndEveryOtherSettingKept()
    {
        string path = Config();
        string original = File.ReadAllText(path);
        var edit = new ConfigEditor.Edit(
            [new ZoneDefinition { Id = "bay3", Kind = "bay", Polygon = [.. Square] }, new ZoneDefinition { Id = "station", Kind = "station", Polygon = [[6, 0], [8, 0], [8, 2], [6, 2]] }],
            [new DoorDefinition { Id = "bay3-door", Line = [[1, 0], [3, 0]], Inside = DoorSide.Left, Zone = "bay3" }],
            new Dictionary<string, EdgeAgent.Capture.CalibrationOptions>
            {
                ["bay3"] = new() { ImagePoints = [[0.1, 0.9], [0.9, 0.9], [0.8, 0.3], [0.2, 0.3]], FloorPoints = [[0, 0], [6, 0], [6, 5], [0, 5]] },
            });
        var (settings, problems) = new ConfigEditor(path).Save(edit);
        Assert.That(problems, Is.Empty);
        Assert.That(settings!.Zones.Areas.Select(a => a.Id), Is.EqualTo(new[] { "bay3", "station" }));
        Assert.That(settings.Zones.Doors.Single().Zone, Is.EqualTo("bay3"));
        Assert.That(settings.Capture.Cameras.Single().Calibration!.FloorPoints, Has.Count.EqualTo(4));
        Assert.That(settings.Capture.QueueCapacity, Is.EqualTo(3), "settings the editor does not touch are kept");
        Assert.That(settings.Zones.ExitAfter, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(settings.Sync.EmbeddedBrokerPort, Is.Zero);
        var reread = EdgeAgent.Configuration.SettingsLoader.Load(path, null, requireCameras: true);
        Assert.That(reread.Zones.Areas, Has.Count.EqualTo(2), "the file on disk is the saved one");
        Assert.That(File.ReadAllText(path + ".previous"), Is.EqualTo(original), "the previous file is kept beside it");
        Assert.That(File.ReadAllText(path), Does.Contain("\"capture\""), "keys keep the operator's spelling");
    }

    [Test]
    public void Save_InvalidZones_NothingWrittenAndEveryProblemNamed()
    {
        string path = Config();
        string original = File.ReadAllText(path);
        var edit = new ConfigEditor.Edit(
            [new ZoneDefinition { Id = "bay 3", Kind = "bay", Polygon = [.. Square] }, new ZoneDefinition { Id = "line", Kind = "bay", Polygon = [[0, 0], [1, 1]] }],
            [new DoorDefinition { Id = "d", Line = [[1, 0], [3, 0]], Zone = "nowhere" }], null);
        var (settings, problems) = new ConfigEditor(path).Save(edit);
        Assert.That(settings, Is.Null);
        Assert.That(problems, Has.Some.StartsWith("Zones:Areas:0:Id"));
        Assert.That(problems, Has.Some.StartsWith("Zones:Areas:1:Polygon"));
        Assert.That(problems, Has.Some.Contains("nowhere"));
        Assert.That(File.ReadAllText(path), Is.EqualTo(original));
        Assert.That(File.Exists(path + ".edit"), Is.False);
        Assert.That(File.Exists(path + ".previous"), Is.False);
    }

    [Test]
    public void Save_CalibrationOfAnUnknownCameraOrOnOneLine_Refused()
    {
        string path = Config();
        var (_, unknown) = new ConfigEditor(path).Save(new ConfigEditor.Edit(null, null,
            new Dictionary<string, EdgeAgent.Capture.CalibrationOptions> { ["bay9"] = new() { ImagePoints = [[0.1, 0.1]], FloorPoints = [[0, 0]] } }));
        Assert.That(unknown, Is.EqualTo(new[] { "Capture:Cameras: no camera 'bay9' to calibrate" }));
        var (_, line) = new ConfigEditor(path).Save(new ConfigEditor.Edit(null, null,
            new Dictionary<string, EdgeAgent.Capture.CalibrationOptions> { ["bay3"] = new() { ImagePoints = [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3], [0.4, 0.4]], FloorPoints = [.. Square] } }));
        Assert.That(line, Is.EqualTo(new[] { "Capture:Cameras:0:Calibration: the image points are (nearly) on one line" }));
    }
}
