namespace EdgeAgent.Tracking;

/// <summary>One tracked person in one camera. Owned by the camera's <see cref="ByteTracker"/> (tracking thread only).</summary>
public sealed class Track
{
    private readonly KalmanBoxFilter _filter = new();

    internal Track(int id, in Detection detection, long frame, bool confirmImmediately)
    {
        Id = id;
        _filter.Initiate(detection.Box);
        Score = detection.Score;
        StartFrame = frame;
        LastSeenFrame = frame;
        State = confirmImmediately ? TrackState.Confirmed : TrackState.Tentative;
        HitCount = 1;
    }

    /// <summary>Per-camera track id; ephemeral, starts at 1.</summary>
    public int Id { get; }
    public TrackState State { get; internal set; }
    public float Score { get; private set; }
    public long StartFrame { get; }
    public long LastSeenFrame { get; private set; }
    public int HitCount { get; private set; }

    /// <summary>The Kalman estimate of the box in frame pixels.</summary>
    public BoundingBox Box => _filter.CurrentBox;

    internal void Predict()
    {
        // A track that is not being observed should not keep growing or shrinking.
        if (State != TrackState.Confirmed) _filter.Mean[7] = 0;
        _filter.Predict();
    }

    internal void Update(in Detection detection, long frame)
    {
        _filter.Update(detection.Box);
        Score = detection.Score;
        LastSeenFrame = frame;
        HitCount++;
        State = TrackState.Confirmed;
    }
}
