using OpenCvSharp;

namespace EdgeAgent.Capture;

/// <summary>An opened video source. Used from the camera's capture thread, except <see cref="Abort"/>.</summary>
public interface IFrameSource : IDisposable
{
    /// <summary>Frames per second the source reports, or 0 when unknown.</summary>
    double FrameRate { get; }

    /// <summary>Reads the next frame into a new Mat owned by the caller.</summary>
    ReadResult Read(out Mat? frame);

    /// <summary>Makes a blocked <see cref="Read"/> return (called by the watchdog from another thread).</summary>
    void Abort();

    /// <summary>Position of the last frame read in a file; null for live sources.</summary>
    TimeSpan? MediaTime { get; }

    /// <summary>Decoder errors reported by the source so far.</summary>
    long DecodeErrors { get; }
}

public enum ReadResult
{
    /// <summary>A frame was read.</summary>
    Frame,
    /// <summary>A frame could not be decoded and was skipped (counted in <see cref="IFrameSource.DecodeErrors"/>).</summary>
    Corrupt,
    /// <summary>A file ended.</summary>
    EndOfStream,
    /// <summary>The stream broke: reopen it.</summary>
    Failed,
}
