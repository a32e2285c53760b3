using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using EdgeAgent.Capture;
using EdgeAgent.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace EdgeAgent.Web;

/// <summary>
/// The agent's web surface on Kestrel: pages (status, live view, editor, dashboard) served from the assembly, their
/// JSON API, the live frames (MJPEG), the dashboard's server-sent events, <c>/metrics</c> (OpenTelemetry, Prometheus
/// text) and <c>/healthz</c>. Every path but <c>/healthz</c> and the login page needs the token when one is set.
/// </summary>
public static class WebEndpoints
{
    private const string CsrfHeader = "X-Edge-Request";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static void AddWeb(this WebApplicationBuilder builder, AgentView view)
    {
        WebOptions o = view.Settings.Web;
        builder.WebHost.UseUrls(o.Urls);
        ServerCertificate? certificate = o.CertificateFile.Length > 0 && o.CertificateKeyFile.Length > 0
            ? new ServerCertificate(o.CertificateFile, o.CertificateKeyFile, TimeProvider.System)
            : null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 256 * 1024;   // a configuration edit; nothing bigger is accepted
            if (certificate is not null)
                k.ConfigureHttpsDefaults(https =>
                {
                    https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
                    https.ServerCertificateSelector = (_, _) => certificate.Current();
                });
        });
        builder.Services.AddSingleton(view);
        builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("edge-agent", serviceVersion: view.Status.AgentVersion)).WithMetrics(m => m.AddMeter(EdgeMetrics.Meter.Name).AddPrometheusExporter());
    }

    public static void MapWeb(this WebApplication app, AgentView view)
    {
        var access = new WebAccess(view.Settings.Web);
        var editor = new ConfigEditor(view.ConfigPath);
        ObserveGauges(view);

        app.Use(async (ctx, next) =>
        {
            ctx.Response.Headers.XContentTypeOptions = "nosniff";
            ctx.Response.Headers["Referrer-Policy"] = "no-referrer";
            ctx.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'";
            string path = ctx.Request.Path.Value ?? "/";
            if (!access.Reachable(ctx.Connection.LocalIpAddress))
            {
                // No token is set, so the pages are for localhost only — yet this request arrived on another address
                // (a URL Kestrel bound wider than it was read). Refused whatever the path, /healthz included.
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                await ctx.Response.WriteAsJsonAsync(new { error = "this agent has no Web:Token and serves localhost only" });
                return;
            }
            if (path is "/healthz" or "/login" or "/assets/app.css" or "/assets/icon.svg" or "/favicon.ico") { await next(ctx); return; }
            if (!access.Allows(WebAccess.Presented(ctx.Request.Headers.Authorization, ctx.Request.Cookies[WebAccess.CookieName])))
            {
                await Refuse(ctx, path);
                return;
            }
            // A state-changing request must come from the pages' own script (a custom header cannot be sent cross-site).
            if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method) && !ctx.Request.Headers.ContainsKey(CsrfHeader))
            {
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                await ctx.Response.WriteAsJsonAsync(new { error = $"the {CsrfHeader} header is required" });
                return;
            }
            await next(ctx);
        });

        app.MapGet("/", ctx => Page(ctx, "status.html"));
        app.MapGet("/live", ctx => Page(ctx, "live.html"));
        app.MapGet("/editor", ctx => Page(ctx, "editor.html"));
        app.MapGet("/dashboard", ctx => Page(ctx, "dashboard.html"));
        app.MapGet("/favicon.ico", ctx => Page(ctx, "icon.svg"));
        app.MapGet("/login", ctx => Page(ctx, "login.html", next: ctx.Request.Query["next"].ToString() is { Length: > 0 } n && n.StartsWith('/') ? n : "/"));
        app.MapGet("/assets/{file}", (HttpContext ctx, string file) => Page(ctx, file));
        app.MapPost("/login", async ctx =>
        {
            IFormCollection form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            string token = form["token"].ToString();
            if (!access.TokenRequired || !access.Allows(token))
            {
                await Page(ctx, "login.html", StatusCodes.Status401Unauthorized,
                    message: access.TokenRequired ? "That token was refused." : "This agent has no token set (Web:Token); no sign-in is needed.", next: "/");
                return;
            }
            ctx.Response.Cookies.Append(WebAccess.CookieName, token, new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = ctx.Request.IsHttps, Path = "/",
            });
            string back = form["next"].ToString();
            ctx.Response.Redirect(back.StartsWith('/') && !back.StartsWith("//", StringComparison.Ordinal) ? back : "/", permanent: false);
        }).DisableAntiforgery();

        app.MapGet("/healthz", (HttpContext ctx) =>
        {
            // Minimal on purpose: open to the hospital's monitoring without the token. "unhealthy": the agent itself is
            // stuck (what the systemd watchdog acts on); "degraded": it runs, but a configured camera is down, so part of
            // the ward is not watched — both 503, so a monitor alerts on either.
            string? silent = view.Status.Silent();
            if (silent is not null) return Results.Json(new { status = "unhealthy", silent }, statusCode: StatusCodes.Status503ServiceUnavailable);
            var down = StatusReport.DownCameras(view);
            return down.Count == 0
                ? Results.Json(new { status = "ok" })
                : Results.Json(new { status = "degraded", cameras = down.Select(c => new { id = c.CameraId, reason = c.State.Reason, since = c.State.Since }) },
                    statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapPrometheusScrapingEndpoint("/metrics");

        app.MapGet("/api/status", () => Results.Json(StatusReport.Of(view), Json));
        app.MapGet("/api/dashboard", () => Results.Json(StatusReport.Dashboard(view), Json));
        app.MapGet("/api/dashboard/timeline.csv", () => Results.Text(view.Board.TimelineCsv(), "text/csv; charset=utf-8"));
        app.MapGet("/api/dashboard/stream", (HttpContext ctx) => StreamDashboard(ctx, view, view.Board));
        app.MapGet("/api/cameras/{id}/live.jpg", async (string id, CancellationToken ct) =>
        {
            if (!view.Settings.Capture.Cameras.Any(c => c.Id == id)) return Results.NotFound(new { error = $"no camera '{id}'" });
            // A fresh frame when the camera delivers one soon; else the last one made (a camera that stopped), else 503.
            var latest = view.Live.Latest(id);
            var frame = await view.Live.NextAsync(id, latest?.Version ?? 0, TimeSpan.FromSeconds(latest is null ? 10 : 3), ct) ?? latest;
            return frame is { } f ? Results.File(f.Jpeg, "image/jpeg") : Results.Json(new { error = $"camera '{id}' delivered no frame within 10 s" }, statusCode: 503);
        });
        app.MapGet("/api/cameras/{id}/live.mjpeg", (HttpContext ctx, string id) => StreamCamera(ctx, view, id));
        app.MapGet("/api/editor", () => Results.Json(EditorModel(view), Json));
        app.MapPost("/api/calibration/fit", async (HttpContext ctx) =>
            await Body<CalibrationRequest>(ctx) is { } request
                ? Results.Json(CalibrationFit.Fit(request), Json)
                : Results.Json(new CalibrationResult(false, "the request is not {imagePoints: [[x, y], ...], floorPoints: [[x, y], ...]}", null, []), Json, statusCode: 400));
        app.MapPut("/api/config", async (HttpContext ctx, CancellationToken ct) =>
        {
            if (await Body<ConfigEditor.Edit>(ctx) is not { } edit)
                return Results.Json(new { problems = new[] { "the request is not an edit: {areas: [...], doors: [...], calibrations: {camera: {imagePoints, floorPoints}}} with numbers for every coordinate" } }, Json, statusCode: 400);
            if (view.ReadOnlyReason is { } reason)
                return Results.Json(new { problems = new[] { reason } }, Json, statusCode: StatusCodes.Status409Conflict);
            if (view.FleetManaged)
            {
                const string Managed = "Fleet:Enabled: this ward's configuration is managed by fleet updates; publish the edited zones as a release (see docs/fleet.md)";
                return Results.Json(new { problems = new[] { Managed } }, Json, statusCode: StatusCodes.Status409Conflict);
            }
            var (settings, problems) = editor.Save(edit);
            if (settings is null) return Results.Json(new { problems }, Json, statusCode: StatusCodes.Status400BadRequest);
            long seq = await view.Reconfigure(settings).WaitAsync(TimeSpan.FromSeconds(30), ct);
            return Results.Json(new { saved = view.ConfigPath, appliedAfterSeq = seq }, Json);
        });
    }

    // A malformed request body is answered with what was expected, never a bare 400 or a 500.
    private static async Task<T?> Body<T>(HttpContext ctx) where T : class
    {
        try { return await JsonSerializer.DeserializeAsync<T>(ctx.Request.Body, Json, ctx.RequestAborted); }
        catch (JsonException) { return null; }
    }

    private static async Task Refuse(HttpContext ctx, string path)
    {
        ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
        if (path.StartsWith("/api/", StringComparison.Ordinal) || path == "/metrics")
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
            await ctx.Response.WriteAsJsonAsync(new { error = "a valid token is required" });
            return;
        }
        await Page(ctx, "login.html", StatusCodes.Status401Unauthorized, message: null, next: path);
    }

    private static async Task Page(HttpContext ctx, string file, int status = StatusCodes.Status200OK, string? message = null, string? next = null)
    {
        using Stream? stream = typeof(WebEndpoints).Assembly.GetManifestResourceStream("wwwroot/" + file);
        if (stream is null || file.Contains('/') || file.Contains(".."))
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        ctx.Response.StatusCode = status;
        if (message is not null || next is not null)
        {
            // The login page: the refusal and the page to return to, HTML-encoded.
            string html = await new StreamReader(stream).ReadToEndAsync(ctx.RequestAborted);
            if (message is not null) html = html.Replace("<!--message-->", $"<p class=\"error\" role=\"alert\">{System.Net.WebUtility.HtmlEncode(message)}</p>", StringComparison.Ordinal);
            if (next is not null) html = html.Replace("name=\"next\" value=\"/\"", $"name=\"next\" value=\"{System.Net.WebUtility.HtmlEncode(next)}\"", StringComparison.Ordinal);
            ctx.Response.ContentType = "text/html; charset=utf-8";
            ctx.Response.Headers.CacheControl = "no-store";
            await ctx.Response.WriteAsync(html, ctx.RequestAborted);
            return;
        }
        ctx.Response.ContentType = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".svg" => "image/svg+xml",
            ".ico" => "image/x-icon",
            _ => "application/octet-stream",
        };
        ctx.Response.Headers.CacheControl = "no-cache";
        await stream.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
    }

    // Server-sent events: a snapshot whenever the board changes (at most 4 a second), a comment every 15 s otherwise.
    private static async Task StreamDashboard(HttpContext ctx, AgentView view, WardBoard board)
    {
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        CancellationToken ct = ctx.RequestAborted;
        long seen = -1;
        DateTime quietSince = DateTime.UtcNow;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                long version = board.Version;
                if (version != seen)
                {
                    seen = version;
                    await ctx.Response.WriteAsync("event: board\ndata: " + JsonSerializer.Serialize(StatusReport.Dashboard(view), Json) + "\n\n", ct);
                    await ctx.Response.Body.FlushAsync(ct);
                    quietSince = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(15))
                {
                    await ctx.Response.WriteAsync(": keep-alive\n\n", ct);
                    await ctx.Response.Body.FlushAsync(ct);
                    quietSince = DateTime.UtcNow;
                }
                await Task.Delay(250, ct);
            }
        }
        catch (OperationCanceledException) { }
    }

    private static async Task StreamCamera(HttpContext ctx, AgentView view, string id)
    {
        if (!view.Settings.Capture.Cameras.Any(c => c.Id == id))
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        ctx.Response.ContentType = "multipart/x-mixed-replace; boundary=frame";
        ctx.Response.Headers.CacheControl = "no-cache";
        CancellationToken ct = ctx.RequestAborted;
        long version = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (await view.Live.NextAsync(id, version, TimeSpan.FromSeconds(5), ct) is not { } frame) continue;
                version = frame.Version;
                await ctx.Response.WriteAsync($"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {frame.Jpeg.Length}\r\n\r\n", ct);
                await ctx.Response.Body.WriteAsync(frame.Jpeg, ct);
                await ctx.Response.WriteAsync("\r\n", ct);
                await ctx.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) { }
    }

    private static object EditorModel(AgentView view)
    {
        var s = view.Settings;
        return new
        {
            configPath = view.ConfigPath,
            fleetManaged = view.FleetManaged,
            readOnly = view.ReadOnlyReason,
            cameras = s.Capture.Cameras.Select(c => new { c.Id, calibration = c.Calibration }),
            areas = s.Zones.Areas,
            doors = s.Zones.Doors.Select(d => new { d.Id, d.Line, inside = d.Inside.ToString(), d.Zone }),
            availability = s.Zones.Availability,
        };
    }

    private static void ObserveGauges(AgentView view)
    {
        EdgeMetrics.OutboxPendingSource = () =>
            view.Status.Outbox() is { } stats
                ? stats.Pending.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("destination", kv.Key)))
                : [];
        EdgeMetrics.OccupancySource = () => view.Board.Snapshot().Zones.SelectMany(z => z.Occupancy.Select(r =>
            new Measurement<long>(r.Value, new KeyValuePair<string, object?>("zone.id", z.Id), new KeyValuePair<string, object?>("role", r.Key))));
        EdgeMetrics.CameraConnectedSource = () => view.Status.Cameras.Values.Select(c =>
            new Measurement<long>(c.Connected ? 1 : 0, new KeyValuePair<string, object?>("camera.id", c.CameraId)));
        EdgeMetrics.CameraStateSource = () => view.Status.Cameras.Values.SelectMany(c => Enum.GetValues<CameraCondition>().Select(state =>
            new Measurement<long>(c.State.Condition == state ? 1 : 0, new KeyValuePair<string, object?>("camera.id", c.CameraId),
                new KeyValuePair<string, object?>("state", state.ToString().ToLowerInvariant()))));
        EdgeMetrics.ZoneBlindSource = () => view.Board.Snapshot().Zones.Select(z =>
            new Measurement<long>(z.Blind ? 1 : 0, new KeyValuePair<string, object?>("zone.id", z.Id)));
    }
}
