using EdgeAgent.Tracking;

namespace EdgeAgent.Frames;

/// <summary>
/// Everything that must be mosaicked before a frame leaves the camera stage: every detection down to the detector's
/// lowest score, every track — lost ones at their predicted place — and, with a background model, whatever moves. A
/// frame whose background model has not learnt the view (start, a moved camera) is mosaicked whole.
/// </summary>
public sealed record PrivacyMask(IReadOnlyList<BoundingBox> People, ForegroundModel? Foreground = null)
{
    /// <summary>Nothing can be told apart from background yet: the whole frame is hidden.</summary>
    public bool Whole => Foreground is { Ready: false };

    /// <summary>The label a sampled frame's event carries: how it was anonymised.</summary>
    public string Method(AnonymisationMode mode) =>
        mode == AnonymisationMode.PixelateHeads ? "PixelateHeads" : Whole ? "PixelateWhole" : Foreground is null ? "PixelatePersons" : "PixelatePersonsAndMotion";
}
