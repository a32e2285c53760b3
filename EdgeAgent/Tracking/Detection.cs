namespace EdgeAgent.Tracking;

/// <summary>
/// One person found by the detector: a box in frame pixels, the detector's confidence (0..1) and, when the
/// re-identification stage computed one, an L2-normalised appearance embedding. Embeddings stay in memory:
/// snapshots, files and logs never carry them.
/// </summary>
public readonly record struct Detection(BoundingBox Box, float Score, float[]? Embedding = null)
{
    /// <summary>The same detection without its embedding (what leaves the tracking stage).</summary>
    public Detection WithoutEmbedding => Embedding is null ? this : new Detection(Box, Score);
}
