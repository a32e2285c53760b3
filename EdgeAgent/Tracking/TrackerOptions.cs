using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Tracking;

/// <summary>ByteTrack thresholds, named in domain terms. Section <c>Tracking</c>.</summary>
public sealed class TrackerOptions
{
    public const string SectionName = "Tracking";

    /// <summary>Detections at or above this score take part in the first association ("high" detections).</summary>
    [Range(0.0, 1.0)] public double HighScoreThreshold { get; set; } = 0.5;

    /// <summary>Detections between this and <see cref="HighScoreThreshold"/> take part in the second association only.</summary>
    [Range(0.0, 1.0)] public double LowScoreThreshold { get; set; } = 0.1;

    /// <summary>A new track starts only from an unmatched detection at or above this score.</summary>
    [Range(0.0, 1.0)] public double NewTrackThreshold { get; set; } = 0.7;

    /// <summary>Largest IoU distance (1 − IoU, fused with the score) accepted in the first association.</summary>
    [Range(0.0, 1.0)] public double FirstMatchMaxDistance { get; set; } = 0.8;

    /// <summary>
    /// Lost tracks are matched with boxes grown by this fraction of their width/height on each side (buffered IoU),
    /// so a person who reappears after an occlusion away from the drifting prediction keeps the old id. 0 disables.
    /// </summary>
    [Range(0.0, 2.0)] public double LostTrackSearchExpansion { get; set; } = 0.3;

    /// <summary>Largest IoU distance accepted in the second (low-score) association.</summary>
    [Range(0.0, 1.0)] public double SecondMatchMaxDistance { get; set; } = 0.5;

    /// <summary>Largest IoU distance for confirming a tentative track.</summary>
    [Range(0.0, 1.0)] public double TentativeMatchMaxDistance { get; set; } = 0.7;

    /// <summary>How long a lost track is kept for re-association before it is removed (frame-rate aware).</summary>
    public TimeSpan LostTrackBuffer { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Appearance (when embeddings are computed): in the first association a track and a detection whose cosine
    /// distance exceeds this are never matched, however well the boxes overlap (people crossing).
    /// </summary>
    [Range(0.0, 2.0)] public double AppearanceVetoDistance { get; set; } = 0.5;

    /// <summary>
    /// A lost track is re-associated with an unmatched, confident detection by appearance when the cosine distance
    /// is at most this; 0 disables it. Boxes cut by the image border take no part (their crops show part of a person).
    /// </summary>
    [Range(0.0, 2.0)] public double ReassociationMaxDistance { get; set; } = 0.3;

    /// <summary>
    /// Motion gate of appearance re-association: the detection must lie within (0.5 + this × seconds lost) body
    /// heights of where the track was last seen.
    /// </summary>
    [Range(0.0, 10.0)] public double ReappearSpeed { get; set; } = 1.0;

    /// <summary>How long a lost track that has an appearance waits for re-association by appearance (≥ <see cref="LostTrackBuffer"/>).</summary>
    public TimeSpan AppearanceReassociationWindow { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Frame rate assumed when the source does not report one.</summary>
    [Range(1.0, 240.0)] public double DefaultFrameRate { get; set; } = 10;

    /// <summary>Detections smaller than this many square pixels are ignored.</summary>
    [Range(0.0, 1e6)] public double MinBoxArea { get; set; } = 10;

    /// <summary>When true, the detection score scales the IoU similarity in the first association (ByteTrack's fuse_score).</summary>
    public bool FuseScore { get; set; } = true;
}
