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

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent replay --input VIDEO [--config FILE] [--mot-out FILE] [--gt FILE] [--summary-out FILE]
/// [--events-out FILE] [--realtime] [--frames N] [--min-mota X] [--detections-out FILE] [--quiet]</c>: the whole pipeline on a file,
/// as fast as it can (or at the file's rate): tracks in MOTChallenge format, the zone events as JSON lines (dated by the
/// video's media time from the start of the run), and with <c>--gt</c> the accuracy.
/// </summary>
public static class ReplayCommand
{
    private static async Task<WebApplication> StartWebAsync(AgentView view, PipelineRunner runner, PersonDetector detector, ReidEmbedder? embedder, CancellationToken ct)
    {
        view.Cameras = runner.Health;
        view.Detector = detector;
        view.Embedder = embedder;
        view.Silent = () => null;
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.AddWeb(view);
        WebApplication app = builder.Build();
        app.MapWeb(view);
        await app.StartAsync(ct);
        Console.WriteLine($"pages while the replay runs: {view.Settings.Web.Urls.Split(';')[0]}/dashboard");
        return app;
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
        args.RejectUnknown();
        double? minMota = minMotaText is null ? null
            : double.TryParse(minMotaText, CultureInfo.InvariantCulture, out double m) ? m : throw new CliException($"--min-mota must be a number, got '{minMotaText}'");

        AgentSettings settings = SettingsLoader.Bind(SettingsLoader.Build(config));
        if (input is not null)
        {
            settings.Capture.Cameras.Clear();
            settings.Capture.Cameras.Add(new CameraOptions { Id = "replay", Source = input, Kind = SourceKind.Auto, Realtime = realtime });
        }
        else
        {
            foreach (CameraOptions c in settings.Capture.Cameras) { c.Loop = false; c.Realtime = realtime; }
        }
        if (webUrls is not null) settings.Web.Urls = webUrls;
        settings.Web.Enabled = webUrls is not null;
        SettingsValidator.ThrowIfInvalid(settings, requireCameras: true);
        List<MotRow>? groundTruth = gtPath is null ? null : MotFile.Read(gtPath, isGroundTruth: true);

        long totalFrames = maxFrames ?? CountFrames(settings.Capture.Cameras);
        using PersonDetector detector = PipelineRunner.CreateDetector(settings.Detection, loggers);
        using ReidEmbedder? embedder = PipelineRunner.CreateEmbedder(settings, loggers);
        // With --web the pages are served while the replay runs (read-only: a replay saves no configuration).
        AgentView? view = webUrls is null ? null : new AgentView(settings, config ?? SettingsLoader.DefaultConfigPath, TimeProvider.System, readOnly: "a replay shows the pages read-only; edit the zones on the running agent");
        using var runner = new PipelineRunner(settings, detector, dropWhenBusy: realtime, loggers, TimeProvider.System, ownsDetector: false, embedder, live: view?.Live);
        await using WebApplication? app = view is null ? null : await StartWebAsync(view, runner, detector, embedder, ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bool single = settings.Capture.Cameras.Count == 1;
        var results = new Dictionary<string, List<MotRow>>(StringComparer.Ordinal);
        var ids = new HashSet<(string, int)>();
        var progress = new ConsoleProgress(totalFrames * settings.Capture.Cameras.Count, quiet);
        long frames = 0, detections = 0, eventCount = 0;
        var eventTypes = new Dictionary<string, int>(StringComparer.Ordinal);

        var clock = Stopwatch.StartNew();
        Task run = runner.RunAsync(stop.Token);
        var stage = new EventStage(settings, new EventFactory(settings.Ward.EffectiveDeviceId, settings.Ward.Site, settings.Ward.Id),
            DateTimeOffset.UtcNow, mediaTime: true, TimeProvider.System);
        using var badges = BadgeReaderGroup.Start(settings.Badges, stage.Enqueue, loggers, TimeProvider.System);
        // Events go where the service's would (configured brokers, or the embedded demo broker), from an outbox of this run's own.
        settings.Sync.Outbox.Directory = Path.Combine(outDir, "state");
        await using var delivery = new EventDelivery(settings, loggers, TimeProvider.System);
        delivery.Start();
        if (delivery.EmbeddedBrokerPort is { } brokerPort)
            Console.WriteLine($"events: also published on the embedded demo broker, watch with: mosquitto_sub -h 127.0.0.1 -p {brokerPort} -i watcher -t 'edgetracking/#' -v");
        foreach (var (cam, error) in stage.Ward.ReprojectionErrors)
            Console.WriteLine($"camera {cam}: floor calibration reprojection error {error:0.000} m");
        view?.Board.SetPlan(stage.Plan);
        void Show(IReadOnlyList<EventEnvelope> events, IReadOnlyList<WardSnapshot> ward)
        {
            if (view is null) return;
            foreach (WardSnapshot ws in ward) view.Board.Observe(ws, stage.RoleOf);
            if (events.Count > 0) view.Board.Update(events[^1].Seq, stage);
        }
        var wardIds = new HashSet<int>();
        using (var writer = new MotTrackWriter(cam => single ? motOut : InsertSuffix(motOut, cam)))
        using (var wardWriter = new MotTrackWriter(cam => InsertSuffix(motOut, single ? "ward" : $"ward.{cam}")))
        using (StreamWriter? detWriter = detectionsOut is null ? null : CreateWriter(detectionsOut))
        using (var eventWriter = new JsonLinesEventWriter(eventsOut))
        {
            eventWriter.Write(delivery.Accept(stage.Start(null)));
            try
            {
                await foreach (TrackSnapshot snap in runner.Channels.Tracks.Reader.ReadAllAsync(CancellationToken.None))
                {
                    if (maxFrames is { } limit && snap.Sequence > limit) { stop.Cancel(); continue; }
                    writer.Write(snap);
                    var (wardSnaps, made) = stage.Add(snap);
                    IReadOnlyList<EventEnvelope> events = delivery.Accept(made);
                    eventWriter.Write(events);
                    Show(events, wardSnaps);
                    foreach (EventEnvelope e in events) eventTypes[e.Type] = eventTypes.GetValueOrDefault(e.Type) + 1;
                    foreach (WardSnapshot wardSnap in wardSnaps)
                    {
                        wardWriter.Write(wardSnap);
                        foreach (WardPerson p in wardSnap.People) wardIds.Add(p.WardIndex);
                    }
                    if (detWriter is not null)
                        foreach (Detection d in snap.Detections)
                            detWriter.WriteLine(MotFile.Format((int)snap.Sequence, -1, d.Box, d.Score));
                    frames++;
                    detections += snap.DetectionCount;
                    var rows = results.TryGetValue(snap.CameraId, out var r) ? r : results[snap.CameraId] = [];
                    foreach (TrackedPerson p in snap.Tracks)
                    {
                        rows.Add(new MotRow((int)snap.Sequence, p.TrackId, p.Box, p.Score, true));
                        ids.Add((snap.CameraId, p.TrackId));
                    }
                    progress.Report(frames, snap.Tracks.Count);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            await run.ConfigureAwait(false);
            var (lastSnaps, lastMade) = stage.Flush();
            IReadOnlyList<EventEnvelope> lastEvents = delivery.Accept(lastMade);
            eventWriter.Write(lastEvents);
            foreach (EventEnvelope e in lastEvents) eventTypes[e.Type] = eventTypes.GetValueOrDefault(e.Type) + 1;
            foreach (WardSnapshot wardSnap in lastSnaps)
            {
                wardWriter.Write(wardSnap);
                foreach (WardPerson p in wardSnap.People) wardIds.Add(p.WardIndex);
            }
            eventWriter.Write(delivery.Accept(stage.Stop()));
            eventCount = eventWriter.Written;
        }
        clock.Stop();
        progress.Done();
        if (ct.IsCancellationRequested) return ExitCodes.Failure;

        double fps = frames / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        MotMetrics? metrics = null;
        if (groundTruth is not null)
        {
            var gt = maxFrames is { } lim ? groundTruth.Where(g => g.Frame <= lim).ToList() : groundTruth;
            metrics = MotEvaluator.Evaluate(gt, results.Values.FirstOrDefault() ?? []);
        }

        Console.WriteLine($"replay: {frames} frames in {clock.Elapsed.TotalSeconds:0.0} s ({fps:0.0} frames/s) on {detector.Provider}, model {detector.Model.Name}");
        Console.WriteLine($"tracks: {ids.Count} ids, {detections} detections; written to {(single ? motOut : InsertSuffix(motOut, "<camera>"))}");
        Console.WriteLine($"ward: {wardIds.Count} ward identities across {settings.Capture.Cameras.Count} camera(s); written to {InsertSuffix(motOut, single ? "ward" : "ward.<camera>")}");
        if (delivery.Outbox is { } outbox) Console.WriteLine($"outbox: {outbox.LastSeq} events accepted, cursors {string.Join(", ", delivery.Destinations.Select(d => $"{d.Health.Name} {outbox.Cursor(d.Health.Name)}"))}");
        Console.WriteLine($"events: {eventCount} written to {eventsOut} ({string.Join(", ", eventTypes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"))})");
        foreach (BadgeReader r in badges.Readers) Console.WriteLine($"badge reader {r.Health.ReaderId}: {r.Health}");
        foreach (var h in runner.Health.Values)
            Console.WriteLine($"camera {h.CameraId}: captured {h.FramesCaptured}, processed {h.FramesProcessed}, dropped {h.DropSummary()}, decode errors {h.DecodeErrors}, reconnects {h.Reconnects}");
        if (metrics is not null) Console.WriteLine($"accuracy vs {gtPath}: {metrics}");

        var summary = new
        {
            input = input ?? string.Join(",", settings.Capture.Cameras.Select(c => c.Source)),
            model = detector.Model.Name,
            provider = detector.Provider,
            frames,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            framesPerSecond = Math.Round(fps, 2),
            trackIds = ids.Count,
            wardIdentities = wardIds.Count,
            detections,
            cameras = runner.Health.Values.Select(h => new
            {
                id = h.CameraId, captured = h.FramesCaptured, processed = h.FramesProcessed,
                dropped = Enum.GetValues<DropReason>().ToDictionary(r => r.Tag(), h.Dropped),
                decodeErrors = h.DecodeErrors, reconnects = h.Reconnects, stalls = h.Stalls,
            }),
            motOut,
            eventsOut,
            events = eventCount,
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

    private static StreamWriter CreateWriter(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new StreamWriter(path);
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
