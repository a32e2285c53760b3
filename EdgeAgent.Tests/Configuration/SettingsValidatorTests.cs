using EdgeAgent.Configuration;

namespace EdgeAgent.Tests.Configuration;

public class SettingsValidatorTests
{
    private static string WriteConfig(string json)
    {
        string path = Path.Combine(TestAssets.NewTempDirectory(), "appsettings.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static IReadOnlyList<string> ProblemsOf(string json)
    {
        try
        {
            SettingsLoader.Load(WriteConfig(json), null, requireCameras: true);
            return [];
        }
        catch (ConfigurationException e)
        {
            return e.Problems;
        }
    }

    private static string Camera(string extra = "") =>
        $$"""{ "Capture": { "Cameras": [ { "Id": "bay3", "Source": "rtsp://127.0.0.1:1/cam" {{extra}} } ] } """;

    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Web": { "Urls": "http://0.0.0.0:8080" } }""", "Web:Token: required (at least 16 characters) when Web:Urls binds beyond localhost")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Web": { "Urls": "http://*:8080", "Token": "short" } }""", "Web:Token: required (at least 16 characters)")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Web": { "Urls": "ftp://127.0.0.1:21" } }""", "Web:Urls: 'ftp://127.0.0.1:21' is not an http:// or https:// URL")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Web": { "TimelineBucket": "00:00:01" } }""", "Web:TimelineBucket: must be between 00:00:10 and 01:00:00")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Web": { "Urls": "https://127.0.0.1:8443" } }""", "Web:CertificateFile: an https:// URL needs CertificateFile and CertificateKeyFile (PEM)")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Web": { "Urls": "https://127.0.0.1:8443", "CertificateFile": "/no/web.crt", "CertificateKeyFile": "/no/web.key" } }""",
        "Web:CertificateFile: '/no/web.crt' does not exist")]
    [TestCase("""{ "Capture": { "Cameras": [] } }""", "Capture:Cameras: at least one camera is required")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "bay 3", "Source": "rtsp://127.0.0.1:1/x" } ] } }""", "Capture:Cameras:0:Id: 'bay 3' may contain only")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" }, { "Id": "a", "Source": "rtsp://127.0.0.1:1/y" } ] } }""", "Capture:Cameras:1:Id: 'a' is used by another camera")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "" } ] } }""", "Capture:Cameras:0:Source: is required")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "/no/such/clip.mp4" } ] } }""", "Capture:Cameras:0:Source: video file '/no/such/clip.mp4' does not exist")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ], "QueueCapacity": 0 } }""", "Capture:QueueCapacity: must be between 1 and 64, got 0")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ], "StallTimeout": "00:00:00.200" } }""", "Capture:StallTimeout: must be at least 00:00:01")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ], "ReconnectInitialDelay": "00:00:30", "ReconnectMaxDelay": "00:00:05" } }""",
        "Capture:ReconnectMaxDelay: must be at least ReconnectInitialDelay")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Tracking": { "HighScoreThreshold": 1.5 } }""", "Tracking:HighScoreThreshold:")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Tracking": { "LowScoreThreshold": 0.6, "HighScoreThreshold": 0.5 } }""", "Tracking:LowScoreThreshold: must not exceed HighScoreThreshold")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Detection": { "ExecutionProviders": [ "CPU", "OpenVINO" ] } }""", "Detection:ExecutionProviders:1: unknown provider 'OpenVINO'")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Zones": { "Areas": [ { "Id": "bay3", "Polygon": [ [0, 0], [1, 0] ] } ] } }""", "Zones:Areas:0:Polygon: needs at least 3 points")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Zones": { "Areas": [ { "Id": "bay3", "Polygon": [ [0, 0], [2, 2], [2, 0], [0, 2] ] } ] } }""",
        "Zones:Areas:0:Polygon: edges 0–1 and 2–3 cross")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Zones": { "Areas": [ { "Id": "bay 3", "Polygon": [ [0, 0], [2, 0], [2, 2] ] } ] } }""", "Zones:Areas:0:Id: 'bay 3' may contain only")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Zones": { "Doors": [ { "Id": "d", "Line": [ [1, 1], [1, 1] ] } ] } }""", "Zones:Doors:0:Line: its two points are the same")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Zones": { "Availability": [ { "Id": "r", "Zone": "nowhere" } ] } }""", "Zones:Availability:0:Zone: no area has the id 'nowhere'")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Badges": { "Readers": [ { "Id": "r1", "Port": "/dev/ttyTHS1", "Door": "d" } ] } }""",
        "Badges:Roster: is required when badge readers are configured")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Badges": { "Roster": "/no/roster.json" } }""", "Badges:Roster: roster file '/no/roster.json' does not exist")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Roles": { "Uniforms": [ { "Role": "nurse" } ] } }""", "Roles:Uniforms:0:Hue: give a hue range")]
    [TestCase("""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Zone": { } }""", "Zone: unknown section")]
    public void Load_InvalidValue_NamesTheKeyAndTheProblem(string json, string expected)
    {
        Assert.That(ProblemsOf(json), Has.Some.Contains(expected));
    }

    [Test]
    public void Load_UnknownKey_IsRejectedByName()
    {
        var problems = ProblemsOf(Camera() + """, "Tracking": { "HighScoreTreshold": 0.5 } }""");
        Assert.That(problems, Has.Some.Contains("HighScoreTreshold"));
    }

    [Test]
    public void Load_ValueOfWrongType_NamesTheKey()
    {
        var problems = ProblemsOf(Camera() + """, "Tracking": { "LostTrackBuffer": "three seconds" } }""");
        Assert.That(problems, Has.Some.Contains("Tracking:LostTrackBuffer"));
    }

    [Test]
    public void Load_ValidConfig_HasNoProblems()
    {
        Assert.That(ProblemsOf(Camera(""", "FrameRate": 12.5""") + """, "Tracking": { "LostTrackBuffer": "00:00:05" } }"""), Is.Empty);
    }

    [Test]
    public void Load_ExecutionProviders_ReplaceTheDefaultOrder()
    {
        AgentSettings s = SettingsLoader.Load(WriteConfig(Camera() + """, "Detection": { "ExecutionProviders": [ "CPU" ] } }"""), null, requireCameras: true);
        Assert.That(s.Detection.EffectiveProviders, Is.EqualTo(new[] { "CPU" }), "the config file's list replaces the default order, no merge");
    }

    [Test]
    public void BundledAppSettings_IsValid()
    {
        // The shipped appsettings.json must bind without unknown keys (its sample camera path aside).
        var settings = SettingsLoader.Bind(SettingsLoader.Build(Path.Combine(TestAssets.RepoRoot, "EdgeAgent", "appsettings.json")));
        var problems = SettingsValidator.Validate(settings, requireCameras: true).Where(p => !p.Contains(":Source:")).ToList();
        Assert.That(problems, Is.Empty);
        Assert.That(settings.Detection.Model, Is.EqualTo("yolox-nano-person-humanart"));
        Assert.That(settings.Web.Urls, Is.EqualTo("http://127.0.0.1:8080"), "the pages on localhost only, out of the box");
    }

    [Test]
    public void Load_ShiftChanges_ReplaceTheDefaultOnes()
    {
        AgentSettings s = SettingsLoader.Load(WriteConfig(Camera() + """, "Web": { "ShiftChanges": [ "08:00:00", "20:00:00", "02:00:00" ] } }"""), null, requireCameras: true);
        Assert.That(s.Web.ShiftChanges, Is.EqualTo(new[] { TimeSpan.FromHours(8), TimeSpan.FromHours(20), TimeSpan.FromHours(2) }), "no merge with the defaults");
    }
}
