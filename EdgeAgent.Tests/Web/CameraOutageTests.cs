using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using EdgeAgent.Capture;
using EdgeAgent.Evaluation;
using EdgeAgent.Tests.Capture;
using EdgeAgent.Tests.Ward;
using EdgeAgent.Ward;
using EdgeAgent.Zones;
using Microsoft.Playwright;

namespace EdgeAgent.Tests.Web;

/// <summary>
/// What the ward sees is true with a camera unplugged — the real agent, two real RTSP cameras (GStreamer's server), a
/// real broker (mosquitto) and the pages in Chromium. Both cameras film the sample scene held still (frame 300 of the
/// sample video with sensor noise, so nothing is dropped as frozen): the left camera sees the plaza's west side, the
/// right camera alone sees two people standing in "east-bay". Stopping the right camera's server must, within the stall
/// timeout plus 5 s, show it down and east-bay blind on the pages, answer /healthz 503 naming it, publish its retained
/// status and a retained coverage.lost — and never an "unstaffed" alert for the blind bay. Restarting it brings all
/// back, the two presences continuing without an exit. Then a subscriber arriving late, and one arriving after a clean
/// stop, read the ward's state from the retained messages: the active alert, and occupancy unknown.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class CameraOutageTests
{
    private const string Base = "edgetracking/st-marys/ward-7";
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(3);

    // Frame 300 of the sample video, held for two minutes with temporal noise, as an H.264 stream for the RTSP server.
    private static string StillStream(string dir)
    {
        string path = Path.Combine(dir, "still.ts");
        var psi = new ProcessStartInfo("ffmpeg", ["-v", "error", "-y", "-i", TestAssets.Video, "-vf",
            "select=eq(n\\,299),loop=loop=1199:size=1:start=0,noise=alls=3:allf=t+u,setpts=N/10/TB", "-frames:v", "1200", "-r", "10",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "10", "-bf", "0", "-pix_fmt", "yuv420p", "-f", "mpegts", path])
        { RedirectStandardError = true };
        using Process p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, err);
        return path;
    }

    private static double[][] Square(double x, double y, double half) => [[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half]];

    private static object Camera(string id, int port, double cropX, CalibrationOptions cal) => new
    {
        Id = id, Source = $"rtsp://127.0.0.1:{port}/cam1", Crop = new { X = cropX / 768, Width = 480.0 / 768 },
        Calibration = new { cal.ImagePoints, cal.FloorPoints },
    };

    [Test]
    public async Task CameraUnplugged_PagesHealthzAndRetainedMqttTellTheTruth_BackToNormalWhenItReturns_LateSubscribersReadTheState()
    {
        string dir = TestAssets.NewTempDirectory();
        string still = StillStream(dir);
        var gt = MotFile.Read(TestAssets.GroundTruth, true);
        CalibrationOptions left = TwoCameraHandoffTests.CalibrationFromGroundTruth(gt, 0), right = TwoCameraHandoffTests.CalibrationFromGroundTruth(gt, 288);
        using var broker = new Mosquitto();   // started by its constructor
        using var camA = new RtspServer(still).Start();
        var camB = new RtspServer(still).Start();
        int web = RtspServer.FreePort();
        // East-bay: around the two people at (-3.0, -9.0) and (-2.95, -9.86) m, far right in the frame (x ≈ 585-645 px),
        // which only the right camera (crop 288-768 px) sees. West: around three people on the left (x ≈ 180-320 px).
        var zones = new object[]
        {
            new { Id = "west", Kind = "bay", Polygon = Square(-6.5, -1.5, 2.5) },
            new { Id = "east-bay", Kind = "bay", Polygon = Square(-3.0, -9.4, 1.6) },
        };
        var config = new
        {
            Capture = new
            {
                StallTimeout = "00:00:03", OpenTimeout = "00:00:10", ReconnectInitialDelay = "00:00:00.500", ReconnectMaxDelay = "00:00:01",
                Cameras = new[] { Camera("cam-a", camA.Port, 0, left), Camera("cam-b", camB.Port, 288, right) },
            },
            Detection = new { ModelsDirectory = TestAssets.ModelsDirectory, ExecutionProviders = new[] { "CPU" } },
            Ward = new { Id = "ward-7", Site = "st-marys", DeviceId = "jetson-7" },
            Zones = new
            {
                Areas = zones, EnterAfter = "00:00:01", ExitAfter = "00:00:02", OccupancyInterval = "00:00:30",
                Availability = new object[]
                {
                    new { Id = "east-bay-staffed", Zone = "east-bay", Roles = Array.Empty<string>(), MinimumCount = 1, After = "00:00:02" },
                    new { Id = "west-crowded", Zone = "west", Roles = Array.Empty<string>(), MinimumCount = 50, After = "00:00:02" },
                },
            },
            Sync = new
            {
                Destinations = new[] { new { Name = "bms", Host = "127.0.0.1", Port = broker.Port } },
                Outbox = new { Directory = Path.Combine(dir, "outbox") },
            },
            Web = new { Urls = $"http://127.0.0.1:{web}" },
            Output = new { Directory = dir, StateDirectory = Path.Combine(dir, "state"), StatusInterval = "00:00:02" },
        };
        string configPath = Path.Combine(dir, "cfg.json");
        File.WriteAllText(configPath, JsonSerializer.Serialize(config));

        // The coverage the agent will compute, from the same calibrations: east-bay is the right camera's alone.
        var settings = EdgeAgent.Configuration.SettingsLoader.Load(configPath, null, requireCameras: true);
        var coverage = ZoneCoverage.Of(FloorPlan.Create(settings.Zones, [])!, settings.Capture.Cameras);
        Assert.That(coverage.CamerasOf["east-bay"], Is.EqualTo(new[] { "cam-b" }), "only the right camera sees east-bay");
        Assert.That(coverage.CamerasOf["west"], Does.Contain("cam-a"));

        await using var early = new Verifier(broker.Port, $"{Base}/#");
        using var agent = new AgentProcess("run", "--config", configPath);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}"), Timeout = TimeSpan.FromSeconds(10) };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Pages.LaunchAsync(playwright);
        IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 }, BypassCSP = true });
        try
        {
            // Both cameras deliver; two people are present in east-bay; the crowd rule on west alerts (retained).
            await WaitAsync(() => Events(dir).Count(e => IsEvent(e, "zone.entered", "east-bay")) >= 2, TimeSpan.FromSeconds(90), "two people entered east-bay", agent);
            await WaitAsync(() => Events(dir).Any(e => IsEvent(e, "availability.alert", "west")), TimeSpan.FromSeconds(30), "the west crowd alert", agent);
            Assert.That(Events(dir).Where(e => IsEvent(e, "availability.alert", "east-bay")), Is.Empty, "no alert for a bay whose camera was still opening");
            Assert.That((await http.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var present = Events(dir).Where(e => IsEvent(e, "zone.entered", "east-bay")).Select(e => Payload(e, "person")).ToHashSet();

            IPage dashboard = await context.NewPageAsync();
            await dashboard.GotoAsync($"http://127.0.0.1:{web}/dashboard");
            IPage status = await context.NewPageAsync();
            await status.GotoAsync($"http://127.0.0.1:{web}/");
            await WaitForAsync(dashboard, "() => document.querySelector('#cameras li[data-camera=\"cam-b\"]')?.dataset.state === 'delivering'", 30);

            // Unplug the right camera.
            int before = Events(dir).Count;
            var unplugged = Stopwatch.StartNew();
            camB.Kill();
            TimeSpan limit = StallTimeout + TimeSpan.FromSeconds(5);
            await WaitForAsync(dashboard, "() => document.querySelector('#cameras li[data-camera=\"cam-b\"]')?.dataset.state === 'down'"
                + " && document.querySelector('#plan g[data-zone=\"east-bay\"]')?.dataset.blind === 'true'", (int)limit.TotalSeconds);
            TestContext.Out.WriteLine($"dashboard showed cam-b down and east-bay blind {unplugged.Elapsed.TotalSeconds:0.0} s after the server stopped");
            Assert.That(unplugged.Elapsed, Is.LessThan(limit));
            HttpResponseMessage health = await http.GetAsync("/healthz");
            string healthBody = await health.Content.ReadAsStringAsync();
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), healthBody);
            Assert.That(healthBody, Does.Contain("degraded").And.Contain("cam-b"));
            await WaitForAsync(status, "() => document.getElementById('health')?.textContent.includes('degraded: camera cam-b down')", 5);
            Assert.That(await dashboard.InnerTextAsync("#occupancy tr[data-zone=\"east-bay\"]"), Does.Contain("unknown"));
            Assert.That(await dashboard.InnerTextAsync("#alerts"), Does.Contain("east-bay is blind"));
            await Pages.ShotAsync(dashboard, "dashboard-camera-down");
            await Pages.ShotAsync(status, "status-camera-down");
            var serious = await Pages.SeriousViolationsAsync(dashboard, "/dashboard (camera down)");
            serious.AddRange(await Pages.SeriousViolationsAsync(status, "/ (camera down)"));
            Assert.That(serious, Is.Empty, "axe-core: no serious or critical violation with a camera down");

            // A subscriber arriving now reads the camera down and the rule's coverage alert from retained messages.
            var retained = await RetainedAsync(broker.Port);
            Assert.That(Json(retained[$"{Base}/cameras/cam-b/status"]).GetProperty("payload").GetProperty("state").GetString(), Is.EqualTo("down"));
            Assert.That(Json(retained[$"{Base}/alerts/east-bay-staffed"]).GetProperty("type").GetString(), Is.EqualTo("coverage.lost"));
            Assert.That(Json(retained[$"{Base}/occupancy/east-bay"]).GetProperty("payload").GetProperty("known").GetBoolean(), Is.False);
            Assert.That(Json(retained[$"{Base}/alerts/west-crowded"]).GetProperty("type").GetString(), Is.EqualTo("availability.alert"), "the active alert, for a late subscriber");
            Assert.That(Json(retained[$"{Base}/status/device"]).GetProperty("payload").GetProperty("cameras").EnumerateArray()
                .Single(c => c.GetProperty("camera").GetString() == "cam-b").GetProperty("state").GetString(), Is.EqualTo("down").Or.EqualTo("starting").Or.EqualTo("delivering"),
                "device.status is retained (its camera states are those of its last period)");

            // Down for a while: no "unstaffed" alert for the blind bay, no exit of the two people held there.
            await Task.Delay(TimeSpan.FromSeconds(8));
            var outage = Events(dir).Skip(before).ToList();
            Assert.That(outage.Where(e => IsEvent(e, "availability.alert", "east-bay")), Is.Empty, "a blind zone is never reported unstaffed");
            Assert.That(outage.Where(e => IsEvent(e, "zone.exited", "east-bay")), Is.Empty, "presences are held while nobody can see the bay");
            Assert.That(outage.Count(e => IsEvent(e, "coverage.lost", "east-bay")), Is.EqualTo(1));
            Assert.That(outage.Count(e => e.GetProperty("type").GetString() == "camera.status" && Payload(e, "camera") == "cam-b" && Payload(e, "state") == "down"), Is.EqualTo(1));

            // Plug it back in.
            int down = Events(dir).Count;
            camB = new RtspServer(still, camB.Port).Start();
            await WaitForAsync(dashboard, "() => document.querySelector('#cameras li[data-camera=\"cam-b\"]')?.dataset.state === 'delivering'"
                + " && document.querySelector('#plan g[data-zone=\"east-bay\"]')?.dataset.blind === 'false'", 30);
            Assert.That((await http.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await Task.Delay(TimeSpan.FromSeconds(5));   // longer than ExitAfter: a presence not taken up again would have ended
            var back = Events(dir).Skip(down).ToList();
            foreach (JsonElement e in Events(dir).Where(e => Payload(e, "zone") == "east-bay" || Payload(e, "camera") == "cam-b"))
                TestContext.Out.WriteLine($"{e.GetProperty("seq")} {e.GetProperty("occurredAt")} {e.GetProperty("type")} {e.GetProperty("payload")}");   // the story, for a failure
            Assert.That(back.Count(e => IsEvent(e, "coverage.restored", "east-bay") && Payload(e, "reason") == "camera_up"), Is.EqualTo(1));
            Assert.That(back.Where(e => IsEvent(e, "zone.exited", "east-bay")), Is.Empty, "the two presences continue: no false exit");
            Assert.That(back.Where(e => IsEvent(e, "zone.entered", "east-bay")), Is.Empty, "and no re-entry under a new pseudonym");
            Assert.That(back.Where(e => IsEvent(e, "availability.alert", "east-bay")), Is.Empty, "staffed again");
            var occupancy = back.Last(e => IsEvent(e, "zone.occupancy", "east-bay")).GetProperty("payload");
            Assert.That((occupancy.GetProperty("known").GetBoolean(), occupancy.GetProperty("total").GetInt32()), Is.EqualTo((true, present.Count)));
            retained = await RetainedAsync(broker.Port);
            Assert.That(retained.ContainsKey($"{Base}/alerts/east-bay-staffed"), Is.False, "the coverage alert's retained message was deleted");
            Assert.That(Json(retained[$"{Base}/cameras/cam-b/status"]).GetProperty("payload").GetProperty("state").GetString(), Is.EqualTo("delivering"));
            await Pages.ShotAsync(dashboard, "dashboard-camera-back");
            await context.DisposeAsync();

            // A clean stop: a subscriber arriving afterwards reads "stopped", every zone unknown (never 0), the alert still active.
            Process.Start("kill", ["-TERM", agent.Pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(30)), Is.Zero, agent.Stderr);
            retained = await RetainedAsync(broker.Port);
            Assert.That(retained[$"{Base}/status"], Is.EqualTo("stopped"));
            foreach (string zone in new[] { "west", "east-bay" })
            {
                JsonElement p = Json(retained[$"{Base}/occupancy/{zone}"]).GetProperty("payload");
                Assert.That((p.GetProperty("known").GetBoolean(), p.GetProperty("total").ValueKind, p.GetProperty("trigger").GetString()),
                    Is.EqualTo((false, JsonValueKind.Null, "shutdown")), $"occupancy of {zone} after a clean stop");
            }
            Assert.That(Json(retained[$"{Base}/alerts/west-crowded"]).GetProperty("type").GetString(), Is.EqualTo("availability.alert"));
            foreach (var (topic, _, payload) in early.Messages.Where(m => m.Topic.Contains("/events/", StringComparison.Ordinal)))
                Assert.That(EventSchema.Problems(payload), Is.Empty, topic);
        }
        finally
        {
            camB.Dispose();
        }
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what, AgentProcess agent)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) Assert.Fail($"timed out after {timeout} waiting for {what}; agent stderr: {agent.Stderr}");
            await Task.Delay(200);
        }
    }

    private static Task WaitForAsync(IPage page, string condition, int seconds) =>
        page.WaitForFunctionAsync(condition, null, new PageWaitForFunctionOptions { Timeout = seconds * 1000 });

    // Everything retained under the ward, as a subscriber connecting now receives it (a fresh clean session).
    private static async Task<Dictionary<string, string>> RetainedAsync(int port)
    {
        await using var late = new Verifier(port, $"{Base}/#", clientId: $"late-{Guid.NewGuid():N}");
        await late.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the late subscriber connected");
        await Task.Delay(1500);   // retained messages arrive right after the subscription
        return late.Messages.Where(m => m.Retained).GroupBy(m => m.Topic).ToDictionary(g => g.Key, g => g.Last().Payload);
    }

    private static List<JsonElement> Events(string dir) => WebAgent.ReadEvents(dir);

    private static JsonElement Json(string payload) => JsonDocument.Parse(payload).RootElement.Clone();

    private static string? Payload(JsonElement e, string field) =>
        e.GetProperty("payload").TryGetProperty(field, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool IsEvent(JsonElement e, string type, string zone) => e.GetProperty("type").GetString() == type && Payload(e, "zone") == zone;
}
