using CloudSync.Contract;
namespace EdgeAgent.Frames;

/// <summary>Sampled, anonymised frames for review (Azure Blob). Section <c>Frames</c>.</summary>
public sealed class FrameOptions
{
    public const string SectionName = "Frames";

    /// <summary>Per camera, one frame this often (0: only on events).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Event types that also take a frame from every camera (e.g. availability.alert).</summary>
    public List<string> OnEvents { get; set; } = [EventTypes.AvailabilityAlert.Name];

    /// <summary>
    /// <c>PixelatePersons</c> (default): every detected person box is pixelated. <c>PixelateHeads</c>: only the head region
    /// of each box (consented data collection; the body stays visible).
    /// </summary>
    public AnonymisationMode Anonymisation { get; set; } = AnonymisationMode.PixelatePersons;

    /// <summary>Mosaic cells across a person box (fewer: coarser). 4 leaves nothing a person detector recognises (tested).</summary>
    public int CellsAcross { get; set; } = 4;

    /// <summary>Boxes are grown by this share on each side before pixelation, so limbs at the edge are covered.</summary>
    public double Margin { get; set; } = 0.15;

    public int JpegQuality { get; set; } = 80;

    /// <summary>
    /// Also mosaic whatever moves (a background model per camera), so a person the detector missed — half hidden, in the
    /// dark — is covered too; a frame leaves only when the model has learnt the view (else wholly mosaicked). On by
    /// default; off only where a site has measured that its detector misses nobody.
    /// </summary>
    public bool Foreground { get; set; } = true;

    /// <summary>Frames the background model learns before it is trusted (at start, and after the whole view changed).</summary>
    public int ForegroundLearnFrames { get; set; } = 50;

    /// <summary>
    /// Every place a person box (any detection, any track) was seen in this long stays mosaicked with the moving regions:
    /// someone standing still is learnt as background, and a detector in a dim ward sees them only now and then.
    /// </summary>
    public TimeSpan PersonMemory { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Moving blobs smaller than this many frame pixels are noise, not people (a person far away is larger).</summary>
    public int ForegroundMinPixels { get; set; } = 150;
}

public enum AnonymisationMode { PixelatePersons, PixelateHeads }
