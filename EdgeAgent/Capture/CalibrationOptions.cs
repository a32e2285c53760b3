namespace EdgeAgent.Capture;

/// <summary>
/// A camera's image ↔ floor point pairs: <c>ImagePoints</c> normalised 0..1 of the camera frame (after any crop),
/// <c>FloorPoints</c> in metres on the ward plan. At least 4 pairs, not on one line.
/// </summary>
public sealed class CalibrationOptions
{
    public List<double[]> ImagePoints { get; set; } = [];
    public List<double[]> FloorPoints { get; set; } = [];
}
