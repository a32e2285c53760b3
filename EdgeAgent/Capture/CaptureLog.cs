using Microsoft.Extensions.Logging;

namespace EdgeAgent.Capture;

/// <summary>Log messages of the capture stage (event ids 1000–1099).</summary>
internal static partial class CaptureLog
{
    [LoggerMessage(1000, LogLevel.Information, "Camera {CameraId} opened {Source} ({Kind}, {FrameRate:0.#} fps)")]
    public static partial void Opened(ILogger logger, string cameraId, string source, SourceKind kind, double frameRate);

    [LoggerMessage(1001, LogLevel.Warning, "Camera {CameraId} could not be opened, retrying in {Delay:0.0} s (attempt {Attempt}): {Reason}")]
    public static partial void OpenFailed(ILogger logger, string cameraId, double delay, int attempt, string reason);

    [LoggerMessage(1002, LogLevel.Warning, "Camera {CameraId} stream broke, reconnecting in {Delay:0.0} s")]
    public static partial void StreamBroke(ILogger logger, string cameraId, double delay);

    [LoggerMessage(1003, LogLevel.Warning, "Camera {CameraId} delivered no frame for {Seconds:0.0} s; reopening the stream")]
    public static partial void Stalled(ILogger logger, string cameraId, double seconds);

    [LoggerMessage(1004, LogLevel.Information, "Camera {CameraId} reached the end of {Source}")]
    public static partial void EndOfStream(ILogger logger, string cameraId, string source);

    [LoggerMessage(1005, LogLevel.Error, "Camera {CameraId} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string cameraId, string reason);
}
