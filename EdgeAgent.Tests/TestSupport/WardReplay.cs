using EdgeAgent.Capture;
using EdgeAgent.Health;
using EdgeAgent.Tracking;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Evaluation;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Ward;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// Runs settings through the real pipeline and the event stage in-process, as the replay command does, keeping the
/// ward snapshots and events. <paramref name="beforeEach"/> runs on the consumer thread before each track snapshot.
/// </summary>
public static class WardReplay
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    public sealed record Result(IReadOnlyList<WardSnapshot> Snapshots, IReadOnlyList<EventEnvelope> Events, EventStage Stage);

    public static async Task<Result> RunAsync(AgentSettings settings, Func<TrackSnapshot, EventStage, Task>? beforeEach = null, int? maxFrames = null)
    {
        using var detector = TestAssets.CreateDetector(settings.Detection.Model);
        using var embedder = PipelineRunner.CreateEmbedder(settings, NullLoggerFactory.Instance);
        using var runner = new PipelineRunner(settings, detector, dropWhenBusy: false, NullLoggerFactory.Instance, TimeProvider.System, ownsDetector: false, embedder);
        var stage = new EventStage(settings, new EventFactory("test-device", settings.Ward.Site, settings.Ward.Id), Epoch, mediaTime: true, TimeProvider.System);
        var kept = new Keeper(beforeEach);
        using var stop = new CancellationTokenSource();
        // The replay's own loop: the cameras stop at maxFrames, the loop takes what they delivered.
        var loop = new EventLoop(stage, accept: null, new EventLoopOptions { MaxFrames = maxFrames, FrameLimitReached = stop.Cancel }, TimeProvider.System, [kept]);
        Task run = runner.RunAsync(stop.Token);
        await loop.RunAsync(runner.Channels.Tracks.Reader, leftOpen: null, CancellationToken.None);
        try { await run; }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        EventSchema.AssertAllValid(kept.Events);   // every event any replay test makes matches the published schema
        return new Result(kept.Snapshots, kept.Events, stage);
    }

    private sealed class Keeper(Func<TrackSnapshot, EventStage, Task>? beforeEach) : IEventLoopObserver
    {
        public List<WardSnapshot> Snapshots { get; } = [];
        public List<EventEnvelope> Events { get; } = [];

        public async ValueTask BeforeSnapshotAsync(TrackSnapshot snapshot, EventStage stage)
        {
            if (beforeEach is not null) await beforeEach(snapshot, stage);
        }

        public void Processed(TrackSnapshot? snapshot, IReadOnlyList<WardSnapshot> ward, EventStage stage) => Snapshots.AddRange(ward);

        public void Accepted(IReadOnlyList<EventEnvelope> events, EventStage stage) => Events.AddRange(events);
    }

    /// <summary>
    /// Image ↔ floor pairs from the ground truth for a camera that sees columns [cropX, cropX + cropWidth) of the
    /// 768×576 view: the feet of the ground-truth boxes nearest to a grid spread over that part, normalised to it.
    /// </summary>
    public static CalibrationOptions CalibrationFromGroundTruth(IReadOnlyList<MotRow> gt, double cropX, double cropWidth, int columns, int rows)
    {
        var inside = gt.Where(r => r.Considered && r.FloorX is not null && r.Box.CenterX > cropX + 10 && r.Box.CenterX < cropX + cropWidth - 10)
            .OrderBy(r => r.Box.CenterX).ThenBy(r => r.Box.Y2).ToList();
        var chosen = new List<MotRow>();
        for (int gx = 0; gx < columns; gx++)
            for (int gy = 0; gy < rows; gy++)
            {
                double tx = cropX + (cropWidth * (0.1 + (0.8 * gx / Math.Max(1, columns - 1)))), ty = 150 + (350.0 * gy / Math.Max(1, rows - 1));
                chosen.Add(inside.MinBy(r => Math.Pow(r.Box.CenterX - tx, 2) + Math.Pow(r.Box.Y2 - ty, 2)));
            }
        return new CalibrationOptions
        {
            ImagePoints = chosen.Select(r => new[] { (r.Box.CenterX - cropX) / cropWidth, r.Box.Y2 / 576.0 }).ToList(),
            FloorPoints = chosen.Select(r => new[] { r.FloorX!.Value, r.FloorY!.Value }).ToList(),
        };
    }
}
