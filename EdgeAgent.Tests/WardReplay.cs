using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Evaluation;
using EdgeAgent.Pipeline;
using EdgeAgent.Ward;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests;

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
        var snapshots = new List<WardSnapshot>();
        var events = new List<EventEnvelope>(stage.Start(null));
        using var stop = new CancellationTokenSource();
        Task run = runner.RunAsync(stop.Token);
        await foreach (TrackSnapshot snap in runner.Channels.Tracks.Reader.ReadAllAsync())
        {
            if (maxFrames is { } limit && snap.Sequence > limit) { await stop.CancelAsync(); continue; }
            if (beforeEach is not null) await beforeEach(snap, stage);
            var (ward, made) = stage.Add(snap);
            snapshots.AddRange(ward);
            events.AddRange(made);
        }
        try { await run; }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        var (lastWard, lastEvents) = stage.Flush();
        snapshots.AddRange(lastWard);
        events.AddRange(lastEvents);
        events.AddRange(stage.Stop());
        Events.EventSchema.AssertAllValid(events);   // every event any replay test makes matches the published schema
        return new Result(snapshots, events, stage);
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
