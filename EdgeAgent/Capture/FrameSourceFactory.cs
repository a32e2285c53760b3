namespace EdgeAgent.Capture;

/// <summary>Chooses how to open a camera's source and opens it.</summary>
public static class FrameSourceFactory
{
    public static SourceKind Classify(CameraOptions camera)
    {
        if (camera.Kind != SourceKind.Auto) return camera.Kind;
        string s = camera.Source.Trim();
        if (s.Contains("appsink", StringComparison.Ordinal) || s.Contains(" ! ", StringComparison.Ordinal)) return SourceKind.GStreamer;
        if (s.Contains("://", StringComparison.Ordinal)) return SourceKind.Ffmpeg;
        if (s.StartsWith("/dev/video", StringComparison.Ordinal) || int.TryParse(s, out _)) return SourceKind.Device;
        return SourceKind.File;
    }

    public static IFrameSource Open(CameraOptions camera, CaptureOptions options, CancellationToken ct)
    {
        SourceKind kind = Classify(camera);
        return kind == SourceKind.Ffmpeg
            ? FfmpegFrameSource.Open(camera, options, ct)
            : OpenCvFrameSource.Open(camera, kind);
    }
}
