using System.Diagnostics;
using EdgeAgent.Capture;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Health;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Tracking;
using EdgeAgent.Ward;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent bench --input VIDEO --cameras N [--seconds S]</c>: how many cameras this box takes. N cameras play the
/// video at its own rate, looping (as the service reads live cameras: a busy detector drops the oldest frame), through
/// the service's pipeline — capture, detection, re-ID as configured, tracking, the ward and event stage — for S seconds
/// (60 by default). Per camera: the share of captured frames processed, drops by reason, and capture-to-event latency
/// (capture time to the snapshot leaving the event stage, ward ordering included) p50/p99; the process RSS; and whether
/// the load is shared fairly (no camera under 90 % of the best camera's share).
/// </summary>
public static class ScaleBench
{
    public const double ProcessedTarget = 0.95, FairShare = 0.9;
    public static readonly TimeSpan LatencyTarget = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(AgentSettings settings, string input, int cameras, int seconds, ILoggerFactory loggers, CancellationToken ct)
    {
        if (cameras is < 1 or > 16) throw new CliException("--cameras: 1 to 16");
        if (seconds < 10) throw new CliException("--seconds: at least 10");
        settings.Capture.Cameras.Clear();
        for (int i = 1; i <= cameras; i++) settings.Capture.Cameras.Add(new CameraOptions { Id = $"cam{i}", Source = input, Realtime = true, Loop = true });
        settings.Zones.Availability.Clear();
        SettingsValidator.ThrowIfInvalid(settings, requireCameras: true);

        using Inference.PersonDetector detector = PipelineRunner.CreateDetector(settings.Detection, loggers);
        using Reid.ReidEmbedder? embedder = PipelineRunner.CreateEmbedder(settings, loggers);
        using var runner = new PipelineRunner(settings, detector, dropWhenBusy: true, loggers, TimeProvider.System, ownsDetector: false, embedder);
        var stage = new EventStage(settings, new EventFactory("bench", "bench", "bench"), DateTimeOffset.UtcNow, mediaTime: false, TimeProvider.System);
        var latencies = settings.Capture.Cameras.ToDictionary(c => c.Id, _ => new List<double>(seconds * 12), StringComparer.Ordinal);
        Console.WriteLine($"bench --cameras {cameras}: {input} at its own rate, looping, {seconds} s; model {detector.Model.Name} on {detector.Provider}, "
            + $"re-ID {settings.Reid.Policy}, {Environment.ProcessorCount} cores, {detector.ParallelRuns} parallel inference(s)");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        long peakRss = 0;
        var rssSamples = new List<(double At, long Rss)>();
        var clock = Stopwatch.StartNew();
        Task run = runner.RunAsync(stop.Token);
        var warm = TimeSpan.FromSeconds(5);   // models warm, decoders started: counted from here
        Dictionary<string, (long Captured, long Processed, long[] Dropped)>? atWarm = null;
        using var sampler = new Timer(_ =>
        {
            using var self = Process.GetCurrentProcess();
            long rss = self.WorkingSet64;
            lock (rssSamples) rssSamples.Add((clock.Elapsed.TotalSeconds, rss));
            Interlocked.Exchange(ref peakRss, Math.Max(Interlocked.Read(ref peakRss), rss));
        }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        stop.CancelAfter(warm + TimeSpan.FromSeconds(seconds));
        try
        {
            await foreach (TrackSnapshot snapshot in runner.Channels.Tracks.Reader.ReadAllAsync(CancellationToken.None))
            {
                if (atWarm is null && clock.Elapsed >= warm) atWarm = Counters(runner);
                var (ward, _) = stage.Add(snapshot);
                DateTimeOffset now = DateTimeOffset.UtcNow;
                if (atWarm is null) continue;
                foreach (WardSnapshot w in ward) latencies[w.CameraId].Add((now - w.CapturedAt).TotalMilliseconds);
            }
        }
        catch (OperationCanceledException) { }
        try { await run.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        var end = Counters(runner);
        atWarm ??= end.ToDictionary(kv => kv.Key, kv => (0L, 0L, new long[kv.Value.Dropped.Length]));

        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        bool allProcessed = true, latencyOk = true;
        foreach (CameraOptions c in settings.Capture.Cameras)
        {
            var (c0, p0, d0) = atWarm[c.Id];
            var (c1, p1, d1) = end[c.Id];
            long captured = c1 - c0, processed = p1 - p0;
            double share = captured == 0 ? 0 : Math.Min(1, processed / (double)captured);
            shares[c.Id] = share;
            var drops = Enum.GetValues<DropReason>().Where(r => d1[(int)r] - d0[(int)r] > 0).Select(r => $"{r.Tag()} {d1[(int)r] - d0[(int)r]}");
            List<double> l = latencies[c.Id];
            l.Sort();
            double p50 = l.Count == 0 ? double.NaN : l[l.Count / 2], p99 = l.Count == 0 ? double.NaN : l[Math.Min(l.Count - 1, (int)(l.Count * 0.99))];
            allProcessed &= share >= ProcessedTarget;
            latencyOk &= p99 < LatencyTarget.TotalMilliseconds;
            Console.WriteLine($"  {c.Id,-6}: captured {captured,5}, processed {processed,5} ({share:P1}), dropped {(string.Join(", ", drops) is { Length: > 0 } d ? d : "none")}; "
                + $"capture-to-event latency p50 {p50:0} ms, p99 {p99:0} ms");
        }
        double best = shares.Values.Max(), worst = shares.Values.Min();
        long rssEnd;
        lock (rssSamples) rssEnd = rssSamples[^1].Rss;
        Console.WriteLine($"processed share      : worst {worst:P1}, best {best:P1}; every camera >= {ProcessedTarget:P0}: {(allProcessed ? "yes" : "no")}; "
            + $"fair (worst >= {FairShare:P0} of best): {(worst >= FairShare * best ? "yes" : "no")}; p99 latency < {LatencyTarget.TotalSeconds:0} s: {(latencyOk ? "yes" : "no")}");
        Console.WriteLine($"process RSS          : {rssEnd / 1048576.0:0} MB at the end, peak {Interlocked.Read(ref peakRss) / 1048576.0:0} MB");
        return ExitCodes.Ok;
    }

    private static Dictionary<string, (long Captured, long Processed, long[] Dropped)> Counters(PipelineRunner runner) =>
        runner.Health.ToDictionary(kv => kv.Key, kv => (kv.Value.FramesCaptured, kv.Value.FramesProcessed,
            Enum.GetValues<DropReason>().Select(kv.Value.Dropped).ToArray()), StringComparer.Ordinal);
}
