namespace EdgeAgent.Capture;

/// <summary>A source that cannot be opened or read; the message names the camera and the source.</summary>
public sealed class CaptureException(string message, Exception? inner = null) : Exception(message, inner);
