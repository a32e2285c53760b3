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
        LastObservedBox = detection.Box;
        ObserveAppearance(detection, frame);
    }

    /// <summary>Smoothed, L2-normalised appearance (exponential moving average of embeddings); null until one is seen.</summary>
    internal float[]? Feature { get; private set; }

    /// <summary>Frame of the last embedding folded into <see cref="Feature"/>.</summary>
    internal long FeatureFrame { get; private set; } = long.MinValue / 2;

    /// <summary>The last detected box (not the prediction), used to gate re-association of a lost track.</summary>
    public BoundingBox LastObservedBox { get; private set; }

    private const float FeatureMomentum = 0.9f;

    private void ObserveAppearance(in Detection detection, long frame)
    {
        if (detection.Embedding is not { } e) return;
        if (Feature is null)
        {
            Feature = (float[])e.Clone();
        }
        else
        {
            double sum = 0;
            for (int i = 0; i < Feature.Length; i++)
            {
                Feature[i] = FeatureMomentum * Feature[i] + (1 - FeatureMomentum) * e[i];
                sum += (double)Feature[i] * Feature[i];
            }
            float scale = sum > 0 ? (float)(1 / Math.Sqrt(sum)) : 0;
            for (int i = 0; i < Feature.Length; i++) Feature[i] *= scale;
        }
        FeatureFrame = frame;
    }

    /// <summary>Cosine distance (1 − cos) between this track's appearance and an embedding; 1 when either is missing.</summary>
    internal float AppearanceDistance(float[]? embedding)
    {
        if (Feature is null || embedding is null) return 1f;
        float dot = 0;
        for (int i = 0; i < Feature.Length; i++) dot += Feature[i] * embedding[i];
        return 1f - dot;
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
        LastObservedBox = detection.Box;
        ObserveAppearance(detection, frame);
        HitCount++;
        State = TrackState.Confirmed;
    }
}
