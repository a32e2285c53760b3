using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeAgent.Inference;
using EdgeAgent.Tracking;
using Microsoft.Playwright;
using OpenCvSharp;

namespace EdgeAgent.Tests.Web;

/// <summary>
/// The agent's pages end to end, in headless Chromium (Debian's, driven by Playwright) against the real agent on the
/// sample video: the dashboard shows the occupancy the events report, a zone drawn in the editor changes the events that
/// follow, a wrong token is refused, no page loads anything from outside the device, and axe-core finds no serious
/// accessibility violation. Screenshots of each page are kept in TestResults/screenshots (described in docs/web.md).
/// </summary>
[Category("Integration")]
[NonParallelizable]
public partial class WebUiTests
{
    private WebAgent _agent = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IBrowserContext _context = null!;
    private readonly List<string> _pageErrors = [];
    private readonly List<string> _foreignRequests = [];

    [OneTimeSetUp]
    public async Task StartAgentAndBrowser()
    {
        _agent = new WebAgent();
        _playwright = await Playwright.CreateAsync();
        _browser = await Pages.LaunchAsync(_playwright);
        _context = await NewContextAsync(bypassCsp: false);
        await SignInAsync(_context, WebAgent.Token);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        _agent?.Dispose();
    }

    private async Task<IBrowserContext> NewContextAsync(bool bypassCsp)
    {
        IBrowserContext context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 }, BypassCSP = bypassCsp, Locale = "en-GB", TimezoneId = "UTC",
        });
        context.Page += (_, page) =>
        {
            // Refusals the tests provoke (401) are expected; anything else logged as an error is not.
            page.Console += (_, m) =>
            {
                if (m.Type == "error" && !m.Text.Contains("status of 401", StringComparison.Ordinal)) lock (_pageErrors) _pageErrors.Add($"{page.Url}: {m.Text}");
            };
            page.PageError += (_, e) => { lock (_pageErrors) _pageErrors.Add($"{page.Url}: {e}"); };
            page.Request += (_, r) =>
            {
                var uri = new Uri(r.Url);
                if (uri.Scheme is "http" or "https" or "ws" or "wss" && uri.Host != "127.0.0.1") lock (_foreignRequests) _foreignRequests.Add(r.Url);
            };
        };
        return context;
    }

    private async Task SignInAsync(IBrowserContext context, string token)
    {
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(_agent.BaseUrl + "/login");
        await page.FillAsync("#token", token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(_agent.BaseUrl + "/");
        await page.CloseAsync();
    }

    private static Task WaitForAsync(IPage page, string condition, int seconds = 30) =>
        page.WaitForFunctionAsync(condition, null, new PageWaitForFunctionOptions { Timeout = seconds * 1000 });

    private static Task ShotAsync(IPage page, string name) => Pages.ShotAsync(page, name);

    [Test, Order(1)]
    public async Task Status_ShowsEachCameraTheModelsAndTheExecutionProvider()
    {
        IPage page = await _context.NewPageAsync();
        await page.GotoAsync(_agent.BaseUrl + "/");
        await WaitForAsync(page, "() => [...document.querySelectorAll('#cameras tbody tr')].some(r => r.textContent.includes('plaza') && r.textContent.includes('delivering'))", seconds: 30);
        await WaitForAsync(page, "() => document.querySelector('#cameras tbody tr td.num')?.textContent !== '…'", seconds: 10);
        string models = await page.InnerTextAsync("#models");
        Assert.That(models, Does.Contain("yolox-nano-person-humanart").And.Contain("CPU"));
        Assert.That(await page.InnerTextAsync("#provider"), Is.EqualTo("CPU"));
        Assert.That(await page.InnerTextAsync("#outbox"), Does.Contain("local file"), "no destination in this configuration");
        await ShotAsync(page, "status");
        await page.CloseAsync();
    }

    [Test, Order(2)]
    public async Task Dashboard_AgentOnTheSampleVideo_ShowsTheOccupancyTheEventsReport()
    {
        IPage page = await _context.NewPageAsync();
        await page.GotoAsync(_agent.BaseUrl + "/dashboard");
        // Wait until the page shows people, then read what it shows and the event it is as of, at one moment.
        await WaitForAsync(page, "() => [...document.querySelectorAll('#occupancy td[data-total]')].some(td => +td.dataset.total > 0)", seconds: 60);
        JsonElement shown = await ReadDashboardAsync(page);
        long seq = shown.GetProperty("seq").GetInt64();
        List<JsonElement> events = [];
        for (int i = 0; i < 50 && (events.Count == 0 || events.Max(e => e.GetProperty("seq").GetInt64()) < seq); i++)
        {
            events = _agent.Events();
            await Task.Delay(100);
        }
        AssertShowsTheOccupancyOfTheEvents(shown, events);
        Assert.That(shown.GetProperty("people").GetInt32(), Is.GreaterThan(0), "people drawn on the plan");
        Assert.That(shown.GetProperty("heat").GetInt32(), Is.GreaterThan(0), "heatmap cells drawn");
        // The rule "3 people in west" is not met by the plaza's walkers for long: an alert is shown, as the events say.
        await WaitForAsync(page, "() => document.getElementById('alerts').textContent.includes('west-staffed')", seconds: 30);
        Assert.That(_agent.Events().Any(e => e.GetProperty("type").GetString() == "availability.alert"), Is.True, "the alert shown was raised as an event");
        Assert.That(await page.Locator("#timeline tbody tr").CountAsync(), Is.EqualTo(3), "a timeline row per zone");
        await ShotAsync(page, "dashboard");
        await page.CloseAsync();
    }

    [Test, Order(3)]
    public async Task Live_ShowsTheCameraAnonymised_NoPersonDetectableInTheFrames()
    {
        IPage page = await _context.NewPageAsync();
        await page.GotoAsync(_agent.BaseUrl + "/live");
        await WaitForAsync(page, "() => document.getElementById('frame').naturalWidth > 0", seconds: 30);
        await page.WaitForTimeoutAsync(1000);
        await ShotAsync(page, "live");
        await page.CloseAsync();

        using PersonDetector detector = TestAssets.CreateDetector();
        int framesWithTracks = 0;
        for (int i = 0; i < 3; i++)
        {
            byte[] jpeg = await _agent.Http.GetByteArrayAsync("/api/cameras/plaza/live.jpg");
            using Mat frame = Cv2.ImDecode(jpeg, ImreadModes.Color);
            Assert.That(frame.Width, Is.EqualTo(768));
            var found = new List<Detection>();
            detector.Detect(frame, found);
            Assert.That(found.Where(d => d.Score >= 0.3f), Is.Empty, "no person detectable in the live view");
            // The drawn track boxes (white or green outlines) are there: the view is not simply blank.
            using Mat mask = new();
            Cv2.InRange(frame, new Scalar(200, 200, 200), new Scalar(255, 255, 255), mask);
            if (Cv2.CountNonZero(mask) > 200) framesWithTracks++;
            await Task.Delay(700);
        }
        Assert.That(framesWithTracks, Is.GreaterThan(0), "tracks are drawn on the live frames");
        Assert.That((await _agent.Http.GetAsync("/api/cameras/nope/live.jpg")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test, Order(4)]
    public async Task Editor_FitOfTheCalibration_ShowsTheReprojectionErrorTheAgentComputes()
    {
        IPage page = await _context.NewPageAsync();
        await page.GotoAsync(_agent.BaseUrl + "/editor");
        await WaitForAsync(page, "() => document.querySelectorAll('#pairs tbody tr').length >= 4", seconds: 15);
        await page.ClickAsync("#fit");
        await WaitForAsync(page, "() => document.getElementById('fit-result').textContent.includes('Reprojection error')");
        var settings = EdgeAgent.Configuration.SettingsLoader.Load(_agent.ConfigPath, null, requireCameras: true);
        double expected = EdgeAgent.Ward.WardStage.Fit(settings.Capture.Cameras[0].Calibration!, out _)!.ReprojectionErrorMetres;
        Assert.That(await page.InnerTextAsync("#fit-result"), Does.Contain($"{expected.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} m"));
        // Three pairs cannot define a floor mapping: the fit says why.
        var three = await _agent.Http.PostAsync("/api/calibration/fit", Json(new { imagePoints = new[] { new[] { 0.1, 0.1 }, new[] { 0.5, 0.5 }, new[] { 0.9, 0.2 } },
            floorPoints = new[] { new[] { 0.0, 0 }, new[] { 1.0, 1 }, new[] { 2.0, 0 } } }));
        Assert.That(await three.Content.ReadAsStringAsync(), Does.Contain("needs at least 4 point pairs"));
        await page.CloseAsync();
    }

    [Test, Order(5)]
    public async Task Editor_ZoneWithTwoCornersOrAMalformedEdit_RefusedNamingTheProblemAndTheFileUntouched()
    {
        byte[] before = await File.ReadAllBytesAsync(_agent.ConfigPath);
        var bad = await _agent.Http.PutAsync("/api/config", Json(new { areas = new[] { new { id = "thin", kind = "bay", polygon = new[] { new[] { 0.0, 0 }, new[] { 1.0, 1 } } } }, doors = Array.Empty<object>() }));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("Zones:Areas:0:Polygon: needs at least 3 points"));
        var garbage = await _agent.Http.PutAsync("/api/config", Json("not an edit", raw: "{\"areas\": [ {\"polygon\": \"x\"} ]"));
        Assert.That(garbage.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await garbage.Content.ReadAsStringAsync(), Does.Contain("not an edit"));
        Assert.That(await File.ReadAllBytesAsync(_agent.ConfigPath), Is.EqualTo(before), "nothing written");
        Assert.That(File.Exists(_agent.ConfigPath + ".edit"), Is.False, "no staged file left behind");
    }

    [Test, Order(6)]
    public async Task Editor_DrawAZoneAndSave_TheEventsThatFollowUseItWithoutARestart()
    {
        IPage page = await _context.NewPageAsync();
        await page.GotoAsync(_agent.BaseUrl + "/editor");
        await page.WaitForSelectorAsync("#zones tbody tr");
        await page.CheckAsync("#mode-zone");
        await page.Locator("#plan").ScrollIntoViewIfNeededAsync();
        // A zone over the whole plaza, where people walk all the time, drawn by clicking its corners on the plan.
        foreach (double[] corner in new[] { new[] { -23.0, -19 }, new[] { 9.5, -19 }, new[] { 9.5, 9.5 } })
        {
            var at = await page.EvaluateAsync<double[]>("""
                ([x, y]) => { const svg = document.getElementById('plan'); const p = svg.createSVGPoint(); p.x = x; p.y = y;
                              const s = p.matrixTransform(svg.getScreenCTM()); return [s.x, s.y]; }
                """, corner);
            await page.Mouse.ClickAsync((float)at[0], (float)at[1]);
        }
        // The last corner from the keyboard: typed in metres.
        await page.FillAsync("#point-x", "-23");
        await page.FillAsync("#point-y", "9.5");
        await page.ClickAsync("#add-point");
        Assert.That(await page.InnerTextAsync("#drawing"), Does.Contain("4 point(s)"));
        await page.FillAsync("#shape-id", "plaza-all");
        await page.SelectOptionAsync("#zone-kind", "bay");
        await page.ClickAsync("#finish");
        Assert.That(await page.InnerTextAsync("#zones"), Does.Contain("plaza-all"));

        // A door drawn on the camera image: each click is mapped to the floor through the camera's calibration.
        var calibration = EdgeAgent.Configuration.SettingsLoader.Load(_agent.ConfigPath, null, requireCameras: true).Capture.Cameras[0].Calibration!;
        var homography = EdgeAgent.Ward.WardStage.Fit(calibration, out _)!;
        await WaitForAsync(page, "() => document.getElementById('frame').naturalWidth > 0 && document.querySelector('#image-points polygon')", seconds: 15);
        await page.CheckAsync("#mode-door");
        await page.Locator("#frame").ScrollIntoViewIfNeededAsync();
        var clicked = new List<(double U, double V)>();
        foreach (int k in new[] { 0, 2 })
        {
            var at = await page.EvaluateAsync<double[]>("""
                ([u, v]) => { const r = document.getElementById('frame').getBoundingClientRect(); return [r.left + u * r.width, r.top + v * r.height, r.width, r.height]; }
                """, calibration.ImagePoints[k]);
            await page.Mouse.ClickAsync((float)at[0], (float)at[1]);
            clicked.Add((calibration.ImagePoints[k][0], calibration.ImagePoints[k][1]));
        }
        await page.FillAsync("#shape-id", "img-door");
        await page.SelectOptionAsync("#door-zone", "plaza-all");
        await page.ClickAsync("#finish");
        Assert.That(await page.InnerTextAsync("#doors"), Does.Contain("img-door"), await page.InnerTextAsync("#problems"));
        await ShotAsync(page, "editor");
        await page.ClickAsync("#save");
        await WaitForAsync(page, "() => document.getElementById('save-result').textContent.startsWith('Saved')", seconds: 30);
        string result = await page.InnerTextAsync("#save-result");
        long appliedAfter = long.Parse(AppliedAfter().Match(result).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await page.CloseAsync();

        // The file holds the new zone and the door, and passes the agent's own check.
        Assert.That(await File.ReadAllTextAsync(_agent.ConfigPath), Does.Contain("plaza-all"));
        var saved = EdgeAgent.Configuration.SettingsLoader.Load(_agent.ConfigPath, null, requireCameras: true);
        var door = saved.Zones.Doors.Single(d => d.Id == "img-door");
        Assert.That(door.Zone, Is.EqualTo("plaza-all"));
        for (int i = 0; i < 2; i++)
        {
            var (x, y) = homography.Map(clicked[i].U, clicked[i].V);
            Assert.That(Math.Sqrt(Math.Pow(door.Line[i][0] - x, 2) + Math.Pow(door.Line[i][1] - y, 2)), Is.LessThan(0.25),
                $"door end {i} is where the clicked image point lies on the floor ({x:0.00}, {y:0.00})");
        }
        var (code, stdout, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", _agent.ConfigPath);
        Assert.That(code, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("4 zone(s)"));

        // The events that follow use it: someone enters it, after the save, with no restart of the agent.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<JsonElement> events = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            events = _agent.Events();
            if (events.Any(e => IsEvent(e, "zone.entered", "plaza-all"))) break;
            await Task.Delay(250);
        }
        Assert.That(events.Where(e => IsEvent(e, "zone.entered", "plaza-all")).Select(e => e.GetProperty("seq").GetInt64()), Is.Not.Empty.And.All.GreaterThan(appliedAfter));
        Assert.That(events.Where(e => e.GetProperty("seq").GetInt64() <= appliedAfter).Any(e => IsEvent(e, "zone.entered", "plaza-all")), Is.False, "not before the save");
        Assert.That(events.Any(e => e.GetProperty("type").GetString() == "zone.exited" && e.GetProperty("payload").GetProperty("reason").GetString() == "reconfigured"),
            Is.True, "presences in the old zones were closed with reason reconfigured");
        Assert.That(events.SelectMany(e => EventSchema.Problems(e.GetRawText())), Is.Empty, "every event, reconfigured ones included, fits the schema");
        Assert.That(_agent.Stderr, Does.Not.Contain("Unhandled"));
        string board = await _agent.Http.GetStringAsync("/api/dashboard");
        Assert.That(board, Does.Contain("\"plaza-all\""), "the dashboard draws the new zone");
    }

    [Test, Order(7)]
    public async Task Token_WrongOrMissing_RefusedEverywhereButHealthz()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(_agent.BaseUrl) };
        foreach (string path in new[] { "/api/status", "/api/dashboard", "/metrics", "/api/cameras/plaza/live.jpg" })
        {
            Assert.That((await anonymous.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path + " without a token");
            using var wrong = new HttpRequestMessage(HttpMethod.Get, path);
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WebAgent.Token + "x");
            Assert.That((await anonymous.SendAsync(wrong)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path + " with a wrong token");
        }
        Assert.That((await anonymous.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "healthz is open to monitoring");
        Assert.That(await anonymous.GetStringAsync("/healthz"), Does.Not.Contain("plaza"), "and says nothing about the ward");
        var page = await anonymous.GetAsync("/dashboard");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("Access token").And.Not.Contain("occupancy"));
        // With the right token, a change still needs the pages' own header (no cross-site form can send it).
        using var forged = new HttpRequestMessage(HttpMethod.Put, "/api/config") { Content = Json(new { areas = Array.Empty<object>() }, pagesHeader: false) };
        forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WebAgent.Token);
        Assert.That((await anonymous.SendAsync(forged)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        // In the browser: a wrong token is refused on the sign-in page, and the pages stay closed.
        IBrowserContext stranger = await NewContextAsync(bypassCsp: false);
        IPage login = await stranger.NewPageAsync();
        var first = await login.GotoAsync(_agent.BaseUrl + "/dashboard");
        Assert.That(first!.Status, Is.EqualTo(401));
        await login.FillAsync("#token", "guess-guess-guess-guess");
        var refused = login.WaitForResponseAsync(r => r.Url.EndsWith("/login", StringComparison.Ordinal) && r.Request.Method == "POST");
        await login.ClickAsync("button[type=submit]");
        Assert.That((await refused).Status, Is.EqualTo(401));
        Assert.That(await login.InnerTextAsync("[role=alert]"), Does.Contain("refused"));
        await ShotAsync(login, "login-refused");
        var again = await login.GotoAsync(_agent.BaseUrl + "/api/status");
        Assert.That(again!.Status, Is.EqualTo(401));
        await stranger.DisposeAsync();
    }

    [Test, Order(8)]
    public async Task Metrics_PrometheusText_CountsFramesAndOccupancy()
    {
        string metrics = await _agent.Http.GetStringAsync("/metrics");
        Assert.That(metrics, Does.Match(@"edge_capture_frames_total\{[^}]*camera_id=""plaza""[^}]*\} [1-9]"));
        Assert.That(metrics, Does.Contain("edge_zones_occupancy"));
        Assert.That(metrics, Does.Match(@"edge_capture_connected\{[^}]*camera_id=""plaza""[^}]*\} 1"));
        Assert.That(metrics, Does.Contain("edge_detect_duration_milliseconds_bucket"));
        Assert.That(metrics, Does.Match(@"edge_capture_state\{[^}]*camera_id=""plaza""[^}]*state=""delivering""[^}]*\} 1"), "the camera's state as a gauge");
        Assert.That(metrics, Does.Match(@"edge_zones_blind\{[^}]*zone_id=""west""[^}]*\} 0"), "no zone blind");
    }

    [Test, Order(9)]
    public async Task EveryPage_NoExternalResourceNoScriptErrorAndNoSeriousAccessibilityViolation()
    {
        // axe is injected as an inline script, which the pages' policy forbids; this context bypasses it for axe alone.
        IBrowserContext audit = await NewContextAsync(bypassCsp: true);
        await SignInAsync(audit, WebAgent.Token);
        var serious = new List<string>();
        foreach (string path in new[] { "/", "/live", "/dashboard", "/editor", "/login" })
        {
            IPage page = await audit.NewPageAsync();
            await page.GotoAsync(_agent.BaseUrl + path, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            await page.WaitForTimeoutAsync(2000);   // let the scripts fill the tables
            serious.AddRange(await Pages.SeriousViolationsAsync(page, path));
            await page.CloseAsync();
        }
        await audit.DisposeAsync();
        Assert.That(serious, Is.Empty, "axe-core: no serious or critical violation");
        lock (_foreignRequests) Assert.That(_foreignRequests, Is.Empty, "every resource comes from the agent (no CDN)");
        lock (_pageErrors) Assert.That(_pageErrors, Is.Empty, "no script error or blocked resource on any page (the content security policy holds)");
    }

    // What the dashboard shows and the event it is as of, read at one moment.
    private static Task<JsonElement> ReadDashboardAsync(IPage page) => page.EvaluateAsync<JsonElement>("""
        () => ({ seq: +document.getElementById('seq').dataset.seq,
                 zones: Object.fromEntries([...document.querySelectorAll('#occupancy tbody tr')].map(r => [r.dataset.zone, { total: +r.querySelector('td[data-total]').dataset.total, roles: r.cells[3].textContent }])),
                 people: document.querySelectorAll('#plan circle.person').length,
                 heat: document.querySelectorAll('#plan rect').length })
        """);

    // The occupancy the events report as of the page's event: each zone's latest zone.occupancy, total and by role.
    private static void AssertShowsTheOccupancyOfTheEvents(JsonElement shown, List<JsonElement> events)
    {
        long seq = shown.GetProperty("seq").GetInt64();
        var reported = events.Where(e => e.GetProperty("seq").GetInt64() <= seq && e.GetProperty("type").GetString() == "zone.occupancy")
            .GroupBy(e => e.GetProperty("payload").GetProperty("zone").GetString()!)
            .ToDictionary(g => g.Key, g => g.Last().GetProperty("payload"));
        TestContext.Out.WriteLine($"as of event {seq}: page {shown.GetProperty("zones")}; events {string.Join(", ", reported.Select(kv => $"{kv.Key}={kv.Value.GetProperty("total")}"))}");
        Assert.That(reported.Keys, Is.EquivalentTo(new[] { "west", "centre", "east" }));
        foreach (var (zone, payload) in reported)
        {
            JsonElement onPage = shown.GetProperty("zones").GetProperty(zone);
            Assert.That(onPage.GetProperty("total").GetInt32(), Is.EqualTo(payload.GetProperty("total").GetInt32()), $"zone {zone} as of event {seq}");
            string roles = payload.GetProperty("total").GetInt32() == 0 ? "nobody"
                : string.Join(", ", payload.GetProperty("byRole").EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name} {p.Value.GetInt32()}"));
            Assert.That(onPage.GetProperty("roles").GetString(), Is.EqualTo(roles), $"zone {zone} by role");
        }
        Assert.That(reported.Values.Sum(p => p.GetProperty("total").GetInt32()), Is.GreaterThan(0), "people were present");
    }

    [Test, Order(10)]
    public async Task Dashboard_DuringAReplayCommandOfTheSampleVideo_ShowsTheOccupancyOfItsEvents()
    {
        string dir = TestAssets.NewTempDirectory();
        int port = Capture.RtspServer.FreePort();
        string config = WebAgent.WriteConfig(dir, "http://127.0.0.1:1", "");
        using var replay = new AgentProcess("replay", "--config", config, "--realtime", "--quiet", "--frames", "250", "--out", dir,
            "--web", $"http://127.0.0.1:{port}");
        IBrowserContext local = await NewContextAsync(bypassCsp: false);   // on localhost no token is needed
        IPage page = await local.NewPageAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try { await page.GotoAsync($"http://127.0.0.1:{port}/dashboard"); break; }
            catch (PlaywrightException) when (clock.Elapsed < TimeSpan.FromSeconds(60)) { await Task.Delay(300); }
        }
        await WaitForAsync(page, "() => [...document.querySelectorAll('#occupancy td[data-total]')].some(td => +td.dataset.total > 0)", seconds: 60);
        JsonElement shown = await ReadDashboardAsync(page);
        await ShotAsync(page, "dashboard-replay");
        await local.DisposeAsync();
        Assert.That(replay.WaitForExit(TimeSpan.FromSeconds(120)), Is.Zero, replay.Stderr);
        var events = File.ReadAllLines(Path.Combine(dir, "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        AssertShowsTheOccupancyOfTheEvents(shown, events);
    }

    private static bool IsEvent(JsonElement e, string type, string zone) =>
        e.GetProperty("type").GetString() == type && e.GetProperty("payload").TryGetProperty("zone", out JsonElement z) && z.GetString() == zone;

    private static StringContent Json(object body, string? raw = null, bool pagesHeader = true)
    {
        var content = new StringContent(raw ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        if (pagesHeader) content.Headers.Add("X-Edge-Request", "1");
        return content;
    }

    [GeneratedRegex(@"#(\d+)")]
    private static partial Regex AppliedAfter();
}
