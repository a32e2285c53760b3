using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Where a camera's pipeline offers a frame for the live view, only while someone watches. The data path knows only this
/// interface; the web pages implement it (mosaicked there, before anything is drawn, like a sampled frame).
/// </summary>
public interface ILiveFrames
{
    /// <summary>True when a frame of this camera should be made now (someone watches and the interval has passed).</summary>
    bool Wanted(string cameraId);

    /// <summary>Boxes in frame pixels; <paramref name="hide"/> is what must be mosaicked (every detection and track, what moves).</summary>
    void Offer(string cameraId, Mat image, Frames.PrivacyMask hide, IReadOnlyList<(BoundingBox Box, int Id, string? Role)> tracks);
}
