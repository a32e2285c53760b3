using EdgeAgent.Ward;

namespace EdgeAgent.Evaluation;

/// <summary>
/// Writes ward snapshots as MOTChallenge rows, one file per camera; frame = the capture sequence number (1-based), world
/// columns = the box's floor position in metres (<c>-1</c> when the camera is uncalibrated).
/// </summary>
public sealed class MotTrackWriter : IDisposable
{
    private readonly Dictionary<string, StreamWriter> _writers = new(StringComparer.Ordinal);
    private readonly Func<string, string> _pathFor;

    public MotTrackWriter(Func<string, string> pathFor) => _pathFor = pathFor;

    /// <summary>The camera's view: each box numbered by its camera track id.</summary>
    public void WriteTracks(WardSnapshot snapshot)
    {
        StreamWriter w = WriterFor(snapshot.CameraId);
        foreach (WardPerson p in snapshot.People)
            w.WriteLine(MotFile.Format((int)snapshot.Sequence, p.TrackId, p.Box, p.Score, p.FloorX, p.FloorY));
    }

    /// <summary>The ward view of a camera: the same boxes, numbered by ward identity (local index, not the pseudonym).</summary>
    public void WriteWard(WardSnapshot snapshot)
    {
        StreamWriter w = WriterFor(snapshot.CameraId);
        foreach (WardPerson p in snapshot.People)
            w.WriteLine(MotFile.Format((int)snapshot.Sequence, p.WardIndex, p.Box, 1f, p.FloorX, p.FloorY));
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
