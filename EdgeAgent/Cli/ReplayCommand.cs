using EdgeAgent.Web;
using Microsoft.AspNetCore.Builder;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeAgent.Capture;
using EdgeAgent.Badges;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Evaluation;
using EdgeAgent.Inference;
using EdgeAgent.Pipeline;
using EdgeAgent.Reid;
using EdgeAgent.Tracking;
using EdgeAgent.Ward;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

using EdgeAgent.Hosting;

using EdgeAgent.Health;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent replay --input VIDEO [--config FILE] [--mot-out FILE] [--gt FILE] [--summary-out FILE]
/// [--events-out FILE] [--realtime] [--frames N] [--min-mota X] [--detections-out FILE] [--quiet]</c>: the whole pipeline on a file,
/// as fast as it can (or at the file's rate): tracks in MOTChallenge format, the zone events as JSON lines (dated by the
/// video's media time from the start of the run), and with <c>--gt</c> the accuracy.
/// </summary>
public static class ReplayCommand
{
    private static async Task<WebApplication> StartWebAsync(AgentView view, CancellationToken ct)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.AddWeb(view);
        WebApplication app = builder.Build();
        app.MapWeb(view);
        await app.StartAsync(ct);
        Console.WriteLine($"pages while the replay runs: {view.Settings.Web.Urls.Split(';')[0]}/dashboard");
        return app;
    }

    /// <summary>
    /// The cameras a replay runs. With <c>--input FILE</c> the file replaces the source of the configured camera — its
    /// calibration, crop and zones kept — or, with several configured, of the one <c>--camera ID</c> names; with no camera
    /// configured, the file is an uncalibrated camera of its own. Without <c>--input</c> every configured camera (or the
    /// one <c>--camera</c> names) replays its own file once.
    /// </summary>
    public static void ChooseCameras(AgentSettings settings, string? input, string? cameraId, bool realtime)
    {
        List<CameraOptions> cameras = settings.Capture.Cameras;
        if (cameraId is not null)
        {
            CameraOptions chosen = cameras.FirstOrDefault(c => c.Id == cameraId)
                ?? throw new CliException($"--camera {cameraId}: no such camera in the configuration (cameras: {(cameras.Count == 0 ? "none" : string.Join(", ", cameras.Select(c => c.Id)))})");
            cameras.RemoveAll(c => c != chosen);
        }
        if (input is not null)
        {
            if (cameras.Count > 1)
                throw new CliException($"--input replays one camera, and the configuration has {cameras.Count} ({string.Join(", ", cameras.Select(c => c.Id))}): say which with --camera ID");
            if (cameras.Count == 0) cameras.Add(new CameraOptions { Id = "replay" });
            cameras[0].Source = input;
            cameras[0].Kind = SourceKind.Auto;
        }
        foreach (CameraOptions c in cameras)
        {
            c.Loop = false;
            c.Realtime = realtime;
        }
    }

    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "realtime", "quiet" };

    public static async Task<int> RunAsync(CliArgs args, ILoggerFactory loggers, CancellationToken ct)
    {
        string? input = args.Get("input");
        string? config = args.Get("config");
        string? gtPath = args.Get("gt");
        bool realtime = args.Has("realtime");
        bool quiet = args.Has("quiet");
        int? maxFrames = args.GetInt("frames");
        string? minMotaText = args.Get("min-mota");
        string outDir = args.Get("out") ?? Path.Combine("out", "replay");
        string motOut = args.Get("mot-out") ?? Path.Combine(outDir, "tracks.mot.txt");
        string summaryOut = args.Get("summary-out") ?? Path.Combine(outDir, "summary.json");
        string? detectionsOut = args.Get("detections-out");
        string eventsOut = args.Get("events-out") ?? Path.Combine(outDir, "events.jsonl");
        string? webUrls = args.Get("web");
        string? camera = args.Get("camera");
        double? minMota = minMotaText is null ? null
            : double.TryParse(minMotaText, CultureInfo.InvariantCulture, out double m) ? m : throw new CliException($"--min-mota must be a number, got '{minMotaText}'");

        AgentSettings settings = SettingsLoader.Bind(SettingsLoader.Build(config));
        ChooseCameras(settings, input, camera, realtime);
        if (webUrls is not null) settings.Web.Urls = webUrls;
        settings.Web.Enabled = webUrls is not null;
        // Events go where the service's would (configured brokers, or the embedded demo broker), from an outbox of this run's own.
        settings.Sync.Outbox.Directory = Path.Combine(outDir, "state");
        SettingsValidator.ThrowIfInvalid(settings, requireCameras: true);
        List<MotRow>? groundTruth = gtPath is null ? null : MotFile.Read(gtPath, isGroundTruth: true);

        long totalFrames = maxFrames ?? CountFrames(settings.Capture.Cameras);
        // With --web the pages are served while the replay runs (read-only: a replay saves no configuration).
        LiveFrames? live = webUrls is null ? null : new LiveFrames(settings.Web, settings.Frames, TimeProvider.System);
        await using AgentRuntime runtime = await AgentRuntime.CreateAsync(settings, AgentMode.Replay(realtime), loggers, TimeProvider.System, live);
        AgentView? view = live is null ? null : new AgentView(settings, config ?? SettingsLoader.DefaultConfigPath, TimeProvider.System, runtime, live,
            new WardBoard(settings.Web), readOnly: "a replay shows the pages read-only; edit the zones on the running agent");
        await using WebApplication? app = view is null ? null : await StartWebAsync(view, ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bool single = settings.Capture.Cameras.Count == 1;
        var progress = new ConsoleProgress(totalFrames * settings.Capture.Cameras.Count, quiet);

        EventDelivery delivery = runtime.Delivery;
        delivery.Start();
        if (delivery.EmbeddedBrokerPort is { } brokerPort)
            Console.WriteLine($"events: also published on the embedded demo broker, watch with: mosquitto_sub -h 127.0.0.1 -p {brokerPort} -i watcher -t 'edgetracking/#' -v");
        foreach (var (cam, error) in runtime.Stage.Ward.ReprojectionErrors)
            Console.WriteLine($"camera {cam}: floor calibration reprojection error {error:0.000} m");
        view?.Board.SetPlan(runtime.Stage.Plan, runtime.Stage.Coverage.CamerasOf, settings.Zones.UnknownRole);
        using var badges = BadgeReaderGroup.Start(settings.Badges, runtime.Stage.Enqueue, loggers, TimeProvider.System);
        var tally = new ReplayTally(progress, detectionsOut);
        var clock = Stopwatch.StartNew();
        using (var tracks = new MotTrackWriter(cam => single ? motOut : InsertSuffix(motOut, cam)))
        using (var ward = new MotTrackWriter(cam => InsertSuffix(motOut, single ? "ward" : $"ward.{cam}")))
        using (var eventWriter = new JsonLinesEventWriter(eventsOut))
        using (tally)
        {
            var observers = new List<IEventLoopObserver> { new EventFileObserver(eventWriter, flushEachBatch: false), new TrackFileObserver(tracks, ward), tally };
            if (view is not null) observers.Add(new DashboardObserver(view, boards: null, TimeProvider.System, loggers.CreateLogger("EdgeAgent.Web")));
            EventLoop loop = runtime.CreateLoop(new EventLoopOptions { MaxFrames = maxFrames, FrameLimitReached = stop.Cancel }, observers);
            // The cameras stop at --frames N (or Ctrl-C); the loop takes what they delivered until the track channel ends.
            await runtime.RunAsync(loop, stopCameras: stop.Token, stopLoop: ct);
        }
        clock.Stop();
        progress.Done();
        if (ct.IsCancellationRequested) return ExitCodes.Failure;

        double fps = tally.Frames / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        MotMetrics? metrics = null;
        if (groundTruth is not null)
        {
            var gt = maxFrames is { } lim ? groundTruth.Where(g => g.Frame <= lim).ToList() : groundTruth;
            metrics = MotEvaluator.Evaluate(gt, tally.Results.Values.FirstOrDefault() ?? []);
        }

        Console.WriteLine($"replay: {tally.Frames} frames in {clock.Elapsed.TotalSeconds:0.0} s ({fps:0.0} frames/s) on {runtime.Detector.Provider}, model {runtime.Detector.Model.Name}");
        Console.WriteLine($"tracks: {tally.TrackIds.Count} ids, {tally.Detections} detections; written to {(single ? motOut : InsertSuffix(motOut, "<camera>"))}");
        Console.WriteLine($"ward: {tally.WardIds.Count} ward identities across {settings.Capture.Cameras.Count} camera(s); written to {InsertSuffix(motOut, single ? "ward" : "ward.<camera>")}");
        if (delivery.Outbox is { } outbox) Console.WriteLine($"outbox: {outbox.LastSeq} events accepted, cursors {string.Join(", ", delivery.Destinations.Select(d => $"{d.Health.Name} {outbox.Cursor(d.Health.Name)}"))}");
        Console.WriteLine($"events: {tally.Events} written to {eventsOut} ({string.Join(", ", tally.EventTypes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"))})");
        foreach (BadgeReader r in badges.Readers) Console.WriteLine($"badge reader {r.Health.ReaderId}: {r.Health}");
        foreach (var h in runtime.Runner.Health.Values)
            Console.WriteLine($"camera {h.CameraId}: captured {h.FramesCaptured}, processed {h.FramesProcessed}, dropped {h.DropSummary()}, decode errors {h.DecodeErrors}, reconnects {h.Reconnects}");
        if (metrics is not null) Console.WriteLine($"accuracy vs {gtPath}: {metrics}");

        var summary = new
        {
            input = input ?? string.Join(",", settings.Capture.Cameras.Select(c => c.Source)),
            model = runtime.Detector.Model.Name,
            provider = runtime.Detector.Provider,
            frames = tally.Frames,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            framesPerSecond = Math.Round(fps, 2),
            trackIds = tally.TrackIds.Count,
            wardIdentities = tally.WardIds.Count,
            detections = tally.Detections,
            cameras = runtime.Runner.Health.Values.Select(h => new
            {
                id = h.CameraId, captured = h.FramesCaptured, processed = h.FramesProcessed,
                dropped = Enum.GetValues<DropReason>().ToDictionary(r => r.Tag(), h.Dropped),
                decodeErrors = h.DecodeErrors, reconnects = h.Reconnects, stalls = h.Stalls,
            }),
            motOut,
            eventsOut,
            events = tally.Events,
            accuracy = metrics is null ? null : new
            {
                groundTruth = gtPath, mota = Math.Round(metrics.Mota, 4), idf1 = Math.Round(metrics.Idf1, 4),
                idSwitches = metrics.IdSwitches, falsePositives = metrics.FalsePositives, falseNegatives = metrics.FalseNegatives,
                recall = Math.Round(metrics.Recall, 4), precision = Math.Round(metrics.Precision, 4),
            },
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(summaryOut))!);
        await File.WriteAllTextAsync(summaryOut, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }), CancellationToken.None);
        Console.WriteLine($"summary: {summaryOut}");

        if (minMota is { } floor && metrics is not null && metrics.Mota < floor)
        {
            Console.Error.WriteLine($"MOTA {metrics.Mota:0.000} is below the floor {floor:0.000}");
            return ExitCodes.AccuracyBelowFloor;
        }
        return ExitCodes.Ok;
    }

    private static long CountFrames(IEnumerable<CameraOptions> cameras)
    {
        CameraOptions? first = cameras.FirstOrDefault();
        if (first is null || FrameSourceFactory.Classify(first) != SourceKind.File) return 0;
        using var cap = new VideoCapture(first.Source);
        return cap.IsOpened() ? Math.Max(0, (long)cap.FrameCount) : 0;
    }

    private static string InsertSuffix(string path, string camera)
    {
        string dir = Path.GetDirectoryName(path) ?? "";
        string name = Path.GetFileNameWithoutExtension(path);
        return Path.Combine(dir, $"{name}.{camera}{Path.GetExtension(path)}");
    }
}
