using System.Threading.Channels;
using EdgeAgent.Capture;
using EdgeAgent.Health;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Capture;

[Category("Integration")]
[NonParallelizable]
public class FileCaptureTests
{
    private static (CameraCapture Capture, Channel<CapturedFrame> Channel, CameraHealth Health) Start(string source, int capacity, BoundedChannelFullMode mode, CancellationToken ct, CaptureOptions? options = null)
    {
        var health = new CameraHealth("cam1");
        var channel = Channel.CreateBounded<CapturedFrame>(new BoundedChannelOptions(capacity) { FullMode = mode },
            f => { health.FrameDropped(DropReason.QueueFull); f.Dispose(); });
        var capture = new CameraCapture(new CameraOptions { Id = "cam1", Source = source }, options ?? new CaptureOptions(), channel.Writer, health, TimeProvider.System, NullLogger.Instance);
        capture.Start(ct);
        return (capture, channel, health);
    }

    [Test]
    public async Task Capture_VideoFile_DeliversEveryFrameStampedInOrder()
    {
        long liveBefore = CapturedFrame.Live;
        var (capture, channel, health) = Start(TestAssets.Video, 4, BoundedChannelFullMode.Wait, CancellationToken.None);
        using (capture)
        {
            long expected = 1;
            DateTimeOffset last = DateTimeOffset.MinValue;
            await foreach (CapturedFrame frame in channel.Reader.ReadAllAsync())
            {
                using (frame)
                {
                    Assert.That(frame.CameraId, Is.EqualTo("cam1"));
                    Assert.That(frame.Sequence, Is.EqualTo(expected++));
                    Assert.That(frame.CapturedAt, Is.GreaterThanOrEqualTo(last));
                    Assert.That(frame.Image.Width, Is.EqualTo(768));
                    last = frame.CapturedAt;
                }
            }
            await capture.Completion;
            Assert.That(expected - 1, Is.EqualTo(795));
            Assert.That(health.FramesCaptured, Is.EqualTo(795));
            Assert.That(health.DroppedTotal, Is.Zero);
        }
        Assert.That(CapturedFrame.Live, Is.EqualTo(liveBefore), "every frame's Mat disposed");
    }

    [Test]
    public async Task Capture_SlowConsumer_DropsOldestCountsAndDisposesEveryFrame()
    {
        long liveBefore = CapturedFrame.Live;
        var (capture, channel, health) = Start(TestAssets.Video, 2, BoundedChannelFullMode.DropOldest, CancellationToken.None);
        int consumed = 0;
        using (capture)
        {
            await foreach (CapturedFrame frame in channel.Reader.ReadAllAsync())
            {
                using (frame) { consumed++; await Task.Delay(5); }
            }
            await capture.Completion;
        }
        long dropped = health.Dropped(DropReason.QueueFull);
        Assert.That(dropped, Is.GreaterThan(0), "a consumer slower than decoding loses frames at capture");
        Assert.That(consumed + dropped, Is.EqualTo(795), "every frame is either consumed or counted as dropped");
        Assert.That(CapturedFrame.Live, Is.EqualTo(liveBefore), "dropped frames are disposed too");
    }

    [Test]
    public void Capture_FileThatIsNotAVideo_FailsWithClearMessage()
    {
        string path = Path.Combine(TestAssets.NewTempDirectory(), "camera.avi");
        File.WriteAllBytes(path, Enumerable.Range(0, 50_000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        var (capture, channel, _) = Start(path, 2, BoundedChannelFullMode.Wait, CancellationToken.None);
        using (capture)
        {
            var e = Assert.ThrowsAsync<CaptureException>(async () => await capture.Completion);
            Assert.That(e!.Message, Does.Contain("camera.avi").And.Contain("not a readable video"));
            Assert.That(channel.Reader.Completion.IsFaulted, Is.True, "the pipeline sees the failure");
        }
    }

    [Test]
    public void Capture_MissingFile_FailsNamingThePath()
    {
        var (capture, _, _) = Start("/nonexistent/ward3.mp4", 2, BoundedChannelFullMode.Wait, CancellationToken.None);
        using (capture)
        {
            var e = Assert.ThrowsAsync<CaptureException>(async () => await capture.Completion);
            Assert.That(e!.Message, Does.Contain("/nonexistent/ward3.mp4").And.Contain("not found"));
        }
    }

    [Test]
    public async Task Capture_VideoWithCorruptMiddle_KeepsGoingAndCountsTheDamage()
    {
        string path = Path.Combine(TestAssets.NewTempDirectory(), "damaged.avi");
        byte[] bytes = File.ReadAllBytes(TestAssets.Video);
        var random = new Random(3);
        // Overwrite 2 % of the file, in 64 scattered runs of garbage, after the header.
        for (int run = 0; run < 64; run++)
        {
            int start = random.Next(bytes.Length / 10, bytes.Length - 4096);
            for (int i = 0; i < bytes.Length / 50 / 64; i++) bytes[start + i] = (byte)random.Next(256);
        }
        File.WriteAllBytes(path, bytes);
        long liveBefore = CapturedFrame.Live;
        var (capture, channel, health) = Start(path, 4, BoundedChannelFullMode.Wait, CancellationToken.None);
        int delivered = 0;
        using (capture)
        {
            await foreach (CapturedFrame frame in channel.Reader.ReadAllAsync()) { frame.Dispose(); delivered++; }
            await capture.Completion;
        }
        TestContext.Out.WriteLine($"delivered {delivered}, captured {health.FramesCaptured}, dropped {health.DropSummary()}, decode errors {health.DecodeErrors}");
        Assert.That(delivered, Is.GreaterThan(600), "most of the video still plays");
        Assert.That(health.FramesCaptured, Is.EqualTo(delivered + health.DroppedTotal), "every frame read is delivered or counted");
        Assert.That(CapturedFrame.Live, Is.EqualTo(liveBefore));
    }
}
