using EdgeAgent.Capture;

namespace EdgeAgent.Tests.Capture;

public class FrameSourceFactoryTests
{
    [TestCase("rtsp://camera-bay3.ward.example:554/stream1", SourceKind.Ffmpeg)]
    [TestCase("http://cam/mjpeg", SourceKind.Ffmpeg)]
    [TestCase("/dev/video0", SourceKind.Device)]
    [TestCase("0", SourceKind.Device)]
    [TestCase("videos/bay3.mp4", SourceKind.File)]
    [TestCase("rtspsrc location=rtsp://cam/s ! rtph264depay ! h264parse ! nvv4l2decoder ! nvvidconv ! videoconvert ! appsink", SourceKind.GStreamer)]
    public void Classify_SourceForm_ChoosesTheReader(string source, SourceKind expected)
    {
        Assert.That(FrameSourceFactory.Classify(new CameraOptions { Id = "c", Source = source }), Is.EqualTo(expected));
    }

    [Test]
    public void Open_GStreamerPipelineWithoutGStreamerBuild_SaysWhy()
    {
        var camera = new CameraOptions { Id = "bay3", Source = "videotestsrc num-buffers=5 ! videoconvert ! appsink" };
        var e = Assert.Throws<CaptureException>(() => FrameSourceFactory.Open(camera, new CaptureOptions(), CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("bay3").And.Contain("GStreamer"));
    }

    [Test]
    public void Open_MissingV4L2Device_SaysWhich()
    {
        var camera = new CameraOptions { Id = "door", Source = "/dev/video77" };
        var e = Assert.Throws<CaptureException>(() => FrameSourceFactory.Open(camera, new CaptureOptions(), CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("/dev/video77").And.Contain("V4L2"));
    }

    [Test]
    public void Open_RtspNobodyListening_FailsFastWithTheReason()
    {
        var camera = new CameraOptions { Id = "bay1", Source = $"rtsp://127.0.0.1:{RtspServer.FreePort()}/cam1" };
        var e = Assert.Throws<CaptureException>(() => FrameSourceFactory.Open(camera, new CaptureOptions { OpenTimeout = TimeSpan.FromSeconds(3) }, CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("bay1").And.Contain("refused").IgnoreCase);
    }

    [Test]
    public void Open_RtspWithCredentialsNobodyListening_TheMessageNeverShowsThePassword()
    {
        var camera = new CameraOptions { Id = "bay1", Source = $"rtsp://admin:s3cret@127.0.0.1:{RtspServer.FreePort()}/cam1" };
        var e = Assert.Throws<CaptureException>(() => FrameSourceFactory.Open(camera, new CaptureOptions { OpenTimeout = TimeSpan.FromSeconds(3) }, CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("bay1").And.Contain("***@127.0.0.1").And.Not.Contain("s3cret").And.Not.Contain("admin"));
        Assert.That(camera.SafeSource, Does.StartWith("rtsp://***@127.0.0.1:"));
        Assert.That(CameraOptions.Redact("rtsp://10.0.0.7/s and http://u:p@cam/x"), Is.EqualTo("rtsp://10.0.0.7/s and http://***@cam/x"));
    }
}
