using EdgeAgent.Evaluation;

namespace EdgeAgent.Pipeline;

/// <summary>Writes track snapshots as MOTChallenge rows, one file per camera; frame = the capture sequence number (1-based).</summary>
public sealed class MotTrackWriter : IDisposable
{
    private readonly Dictionary<string, StreamWriter> _writers = new(StringComparer.Ordinal);
    private readonly Func<string, string> _pathFor;

    public MotTrackWriter(Func<string, string> pathFor) => _pathFor = pathFor;

    public void Write(TrackSnapshot snapshot)
    {
        if (!_writers.TryGetValue(snapshot.CameraId, out StreamWriter? w))
        {
            string path = _pathFor(snapshot.CameraId);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            w = new StreamWriter(path, append: false) { AutoFlush = false };
            _writers[snapshot.CameraId] = w;
        }
        foreach (TrackedPerson p in snapshot.Tracks)
            w.WriteLine(MotFile.Format((int)snapshot.Sequence, p.TrackId, p.Box, p.Score));
    }

    public void Flush()
    {
        foreach (StreamWriter w in _writers.Values) w.Flush();
    }

    public void Dispose()
    {
        foreach (StreamWriter w in _writers.Values) w.Dispose();
        _writers.Clear();
    }
}
