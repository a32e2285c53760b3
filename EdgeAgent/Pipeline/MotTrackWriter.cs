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
        StreamWriter w = WriterFor(snapshot.CameraId);
        foreach (TrackedPerson p in snapshot.Tracks)
            w.WriteLine(MotFile.Format((int)snapshot.Sequence, p.TrackId, p.Box, p.Score));
    }

    /// <summary>The ward view of a camera: the same boxes, numbered by ward identity (local index, not the pseudonym).</summary>
    public void Write(Ward.WardSnapshot snapshot)
    {
        StreamWriter w = WriterFor(snapshot.CameraId);
        foreach (Ward.WardPerson p in snapshot.People)
            w.WriteLine(MotFile.Format((int)snapshot.Sequence, p.WardIndex, p.Box, 1f));
    }

    private StreamWriter WriterFor(string cameraId)
    {
        if (_writers.TryGetValue(cameraId, out StreamWriter? w)) return w;
        string path = _pathFor(cameraId);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        w = new StreamWriter(path, append: false) { AutoFlush = false };
        _writers[cameraId] = w;
        return w;
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
