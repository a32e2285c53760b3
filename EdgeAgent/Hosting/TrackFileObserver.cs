using EdgeAgent.Evaluation;
using EdgeAgent.Pipeline;
using EdgeAgent.Tracking;
using EdgeAgent.Ward;

namespace EdgeAgent.Hosting;

/// <summary>
/// Writes the tracks in MOTChallenge format as the ward stage releases them, each box with its floor position in the
/// world columns: per camera by track id, and (when <paramref name="ward"/> is given) by ward identity.
/// </summary>
public sealed class TrackFileObserver(MotTrackWriter tracks, MotTrackWriter? ward = null) : IEventLoopObserver
{
    private long _written;

    public void Processed(TrackSnapshot? snapshot, IReadOnlyList<WardSnapshot> released, EventStage stage)
    {
        foreach (WardSnapshot ws in released)
        {
            tracks.WriteTracks(ws);
            ward?.WriteWard(ws);
            if (++_written % 50 == 0) tracks.Flush();
        }
    }

    public void Stopped(EventStage stage)
    {
        tracks.Flush();
        ward?.Flush();
    }
}
