namespace EdgeAgent.Capture;

/// <summary>One camera. Part of section <c>Capture:Cameras</c>.</summary>
public sealed class CameraOptions
{
    /// <summary>Stable id used in metrics, logs and outputs (letters, digits, '-', '_').</summary>
    public string Id { get; set; } = "";

    /// <summary>
    /// Where frames come from: a video file path, a V4L2 device (<c>/dev/video0</c> or an index), an
    /// <c>rtsp://</c>, <c>rtsps://</c>, <c>http(s)://</c> URL (read through an ffmpeg child process) or a
    /// GStreamer pipeline ending in <c>appsink</c> (Jetson hardware decode).
    /// </summary>
    public string Source { get; set; } = "";

    /// <summary><see cref="Source"/> as logs and messages show it: credentials in a URL (<c>rtsp://user:pass@host</c>) masked.</summary>
    public string SafeSource => Redact(Source);

    /// <summary>Masks the user information of every URL in <paramref name="text"/> (an error message may quote the URL).</summary>
    public static string Redact(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"(?<=://)[^/@\s]+@", "***@");

    /// <summary>How to open <see cref="Source"/>; Auto decides from its form.</summary>
    public SourceKind Kind { get; set; } = SourceKind.Auto;

    /// <summary>Frame rate to assume when the source does not say (0 = ask the source, then the tracker default).</summary>
    public double FrameRate { get; set; }

    /// <summary>Video files: start again at the end (service mode) instead of ending the camera.</summary>
    public bool Loop { get; set; }

    /// <summary>Video files: pace reading at the file's frame rate, as a live camera would deliver.</summary>
    public bool Realtime { get; set; }

    /// <summary>Optional region of the source this camera uses, normalised 0..1 (e.g. one half of a wide view).</summary>
    public CropOptions? Crop { get; set; }

    /// <summary>Image ↔ floor point pairs of this camera; without them the camera has no floor positions.</summary>
    public CalibrationOptions? Calibration { get; set; }
}

/// <summary>A region of the frame, normalised 0..1.</summary>
public sealed class CropOptions
{
    public double X { get; set; }
    public double Y { get; set; }
    public double Width { get; set; } = 1;
    public double Height { get; set; } = 1;
}

public enum SourceKind
{
    Auto,
    File,
    Device,
    Ffmpeg,
    GStreamer,
}
