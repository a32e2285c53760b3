using EdgeAgent.Evaluation;
using EdgeAgent.Events;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Tracking;
using EdgeAgent.Ward;

namespace EdgeAgent.Cli;

/// <summary>
/// What <c>edge-agent replay</c> counts while the event loop runs: frames, detections, track and ward identities, the
/// tracks for the accuracy (per camera), events by type, the progress bar, and with <c>--detections-out</c> every detection.
/// </summary>
public sealed class ReplayTally(ConsoleProgress progress, string? detectionsOut) : IEventLoopObserver, IDisposable
{
    private readonly StreamWriter? _detections = detectionsOut is null ? null : Create(detectionsOut);

    public long Frames { get; private set; }
    public long Detections { get; private set; }
    public long Events { get; private set; }
    public HashSet<(string Camera, int Track)> TrackIds { get; } = [];
    public HashSet<int> WardIds { get; } = [];
    public Dictionary<string, List<MotRow>> Results { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, int> EventTypes { get; } = new(StringComparer.Ordinal);

    public void Processed(TrackSnapshot? snapshot, IReadOnlyList<WardSnapshot> ward, EventStage stage)
    {
        foreach (WardSnapshot ws in ward)
            foreach (WardPerson p in ws.People) WardIds.Add(p.WardIndex);
        if (snapshot is null) return;
        if (_detections is not null)
            foreach (Detection d in snapshot.Detections)
                _detections.WriteLine(MotFile.Format((int)snapshot.Sequence, -1, d.Box, d.Score));
        Frames++;
        Detections += snapshot.DetectionCount;
        List<MotRow> rows = Results.TryGetValue(snapshot.CameraId, out var r) ? r : Results[snapshot.CameraId] = [];
        foreach (TrackedPerson p in snapshot.Tracks)
        {
            rows.Add(new MotRow((int)snapshot.Sequence, p.TrackId, p.Box, p.Score, true));
            TrackIds.Add((snapshot.CameraId, p.TrackId));
        }
        progress.Report(Frames, snapshot.Tracks.Count);
    }

    public void Accepted(IReadOnlyList<EventEnvelope> events, EventStage stage)
    {
        Events += events.Count;
        foreach (EventEnvelope e in events) EventTypes[e.Type] = EventTypes.GetValueOrDefault(e.Type) + 1;
    }

    private static StreamWriter Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new StreamWriter(path);
    }

    public void Dispose() => _detections?.Dispose();
}
