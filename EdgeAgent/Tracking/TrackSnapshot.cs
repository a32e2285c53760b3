
namespace EdgeAgent.Tracking;

/// <summary>The confirmed tracks of one camera after one frame. Carries boxes only: pixels stop at detection.</summary>
public sealed record TrackSnapshot(
    string CameraId, long Sequence, DateTimeOffset CapturedAt, int FrameWidth, int FrameHeight,
    IReadOnlyList<TrackedPerson> Tracks, IReadOnlyList<Detection> Detections, TimeSpan? MediaTime = null)
{
    public int DetectionCount => Detections.Count;
}

/// <summary>
/// One confirmed track in a snapshot: per-camera id, Kalman box (pixels, tlbr), the last detection score and the role
/// its uniform shows (null when none is recognised), with the share of recent looks that matched it.
/// </summary>
/// <remarks>
/// <see cref="Appearance"/> is a private copy of the track's appearance embedding for the ward stage (same process,
/// memory only); no writer, event or log ever includes it.
/// </remarks>
public readonly record struct TrackedPerson(int TrackId, BoundingBox Box, float Score, float[]? Appearance = null, string? Role = null, float RoleConfidence = 0);
