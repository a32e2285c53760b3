using EdgeAgent.Capture;
using EdgeAgent.Health;
using EdgeAgent.Pipeline;
using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Tests.Pipeline;

[Category("Integration")]
public class CameraPipelineTests
{
    [Test]
    public void Process_ResolutionChanges_ResetsTheTrackerAndKeepsGoing()
    {
        using var detector = TestAssets.CreateDetector();
        var health = new CameraHealth("cam1");
        var channels = new PipelineChannels([health], 2, dropWhenBusy: true);
        var pipeline = new CameraPipeline("cam1", detector, new TrackerOptions(), channels, health);
        using var capture = new VideoCapture(TestAssets.Video);
        var snapshots = new List<TrackSnapshot>();
        for (int i = 1; i <= 12; i++)
        {
            var mat = new Mat();
            capture.Read(mat);
            if (i > 6) Cv2.Resize(mat, mat, new Size(640, 480));   // the camera switched to a lower resolution
            using var frame = new CapturedFrame("cam1", i, DateTimeOffset.UtcNow, mat, 10);
            snapshots.Add(pipeline.Process(frame));
        }
        Assert.That(health.TrackerResets, Is.EqualTo(1));
        Assert.That(snapshots[5].Tracks, Is.Not.Empty, "people tracked before the change");
        int lastIdBefore = snapshots.Take(6).SelectMany(s => s.Tracks).Max(t => t.TrackId);
        Assert.That(snapshots.Skip(6).SelectMany(s => s.Tracks).Select(t => t.TrackId), Has.All.GreaterThan(lastIdBefore),
            "old tracks are not carried into the new geometry, and no id is reused");
        Assert.That(snapshots[11].Tracks, Is.Not.Empty, "tracking resumes at the new resolution");
        Assert.That(snapshots[11].FrameWidth, Is.EqualTo(640));
    }
}
