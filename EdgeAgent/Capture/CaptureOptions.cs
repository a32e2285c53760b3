namespace EdgeAgent.Capture;

/// <summary>Capture settings shared by every camera, and the cameras. Section <c>Capture</c>.</summary>
public sealed class CaptureOptions
{
    public const string SectionName = "Capture";

    public List<CameraOptions> Cameras { get; set; } = [];

    /// <summary>Frames waiting for the detector per camera; when full the oldest is dropped (counted as queue_full).</summary>
    public int QueueCapacity { get; set; } = 2;

    /// <summary>A stream that delivered no accepted frame for this long is reopened (counted as a stall).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>First wait before reopening a failed camera; doubles each failure up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Random spread applied to each reconnect delay (0.2 = ±20 %), so cameras do not retry in lock step.</summary>
    public double ReconnectJitter { get; set; } = 0.2;

    /// <summary>Time allowed to open a network stream and receive its first frame.</summary>
    public TimeSpan OpenTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Path of the ffmpeg binary used for RTSP/HTTP sources.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    public QualityGateOptions Quality { get; set; } = new();
}

/// <summary>Frame quality gate. Section <c>Capture:Quality</c>.</summary>
public sealed class QualityGateOptions
{
    /// <summary>Drop a frame byte-identical to the previous one (a frozen encoder or decoder).</summary>
    public bool DropFrozen { get; set; } = true;

    /// <summary>Drop frames whose Laplacian variance (on a half-size grey image) is below this; 0 disables.</summary>
    public double MinSharpness { get; set; } = 5;

    /// <summary>Frames whose grey standard deviation is below this are blank (decoder garbage, covered lens) and dropped.</summary>
    public double MinContrast { get; set; } = 2;

    /// <summary>Apply CLAHE contrast normalisation to the luminance before inference (dim wards at night).</summary>
    public bool Clahe { get; set; }

    public double ClaheClipLimit { get; set; } = 2.0;
}
