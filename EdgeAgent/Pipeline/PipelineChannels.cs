using EdgeAgent.Tracking;
using System.Threading.Channels;
using EdgeAgent.Capture;
using EdgeAgent.Health;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Every queue between stages, created in one place with its capacity and drop policy.
/// Frames may be dropped only here, at capture: the oldest frame goes, is counted and disposed.
/// Every later stage waits (back-pressure).
/// </summary>
public sealed class PipelineChannels
{
    public const int TrackCapacity = 64;

    private readonly Dictionary<string, Channel<CapturedFrame>> _frames = new(StringComparer.Ordinal);

    /// <param name="frameCapacity">Frames per camera waiting for the detector.</param>
    /// <param name="dropWhenBusy">Live cameras drop the oldest frame; a replay as fast as possible waits instead.</param>
    public PipelineChannels(IEnumerable<CameraHealth> cameras, int frameCapacity, bool dropWhenBusy)
    {
        foreach (CameraHealth health in cameras)
        {
            var options = new BoundedChannelOptions(Math.Max(1, frameCapacity))
            {
                FullMode = dropWhenBusy ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
                SingleWriter = true,
                SingleReader = true,
            };
            _frames[health.CameraId] = Channel.CreateBounded<CapturedFrame>(options, itemDropped: frame =>
            {
                health.FrameDropped(DropReason.QueueFull);
                frame.Dispose();
            });
        }
        Tracks = Channel.CreateBounded<TrackSnapshot>(new BoundedChannelOptions(TrackCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>Capture → detection and tracking, one per camera.</summary>
    public Channel<CapturedFrame> Frames(string cameraId) => _frames[cameraId];

    /// <summary>Tracking → consumers (outputs, and the ward stage in later issues). Boxes only, no pixels.</summary>
    public Channel<TrackSnapshot> Tracks { get; }
}
