using System.Threading.Channels;
using EdgeAgent.Capture;
using EdgeAgent.Health;

namespace EdgeAgent.Tests.Capture;

/// <summary>RELIABILITY.md rows R1–R3 against a real RTSP server and a real ffmpeg decoder.</summary>
[Category("Integration")]
[NonParallelizable]
public class RtspCaptureTests
{
    private sealed class Harness : IDisposable
    {
        public readonly CameraHealth Health = new("ward-cam");
        public readonly Channel<CapturedFrame> Frames;
        public readonly CameraCapture Capture;
        public readonly ListLogger Log = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _drain;
        private long _received;

        public Harness(string url, TimeSpan stallTimeout)
        {
            Frames = Channel.CreateBounded<CapturedFrame>(new BoundedChannelOptions(2) { FullMode = BoundedChannelFullMode.DropOldest },
                f => { Health.FrameDropped(DropReason.QueueFull); f.Dispose(); });
            var options = new CaptureOptions
            {
                StallTimeout = stallTimeout,
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(500),
                ReconnectMaxDelay = TimeSpan.FromSeconds(2),
                OpenTimeout = TimeSpan.FromSeconds(5),
            };
            Capture = new CameraCapture(new CameraOptions { Id = "ward-cam", Source = url }, options, Frames.Writer, Health, TimeProvider.System, Log);
            Capture.Start(_stop.Token);
            _drain = Task.Run(async () =>
            {
                try
                {
                    await foreach (CapturedFrame f in Frames.Reader.ReadAllAsync(_stop.Token))
                    {
                        Assert.That(f.Image.Width, Is.EqualTo(768));
                        f.Dispose();
                        Interlocked.Increment(ref _received);
                    }
                }
                catch (OperationCanceledException) { }
            });
        }

        public long Received => Interlocked.Read(ref _received);

        public async Task WaitForFramesAsync(long atLeast, TimeSpan timeout, string what)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Received < atLeast)
            {
                if (DateTime.UtcNow > deadline) Assert.Fail($"{what}: only {Received} frames after {timeout.TotalSeconds} s; log: {string.Join(" | ", Log.Lines)}");
                await Task.Delay(100);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            Capture.Dispose();
            _drain.Wait(TimeSpan.FromSeconds(5));
            while (Frames.Reader.TryRead(out CapturedFrame? f)) f.Dispose();
        }
    }

    [Test]
    public async Task Rtsp_LiveStream_DeliversStampedFrames()
    {
        using var server = new RtspServer(TestAssets.H264Stream).Start();
        using var h = new Harness(server.Url, TimeSpan.FromSeconds(20));
        await h.WaitForFramesAsync(20, TimeSpan.FromSeconds(20), "first frames");
        Assert.That(h.Health.Connected, Is.True);
        Assert.That(h.Capture.FrameRate, Is.EqualTo(10).Within(0.5), "frame rate probed from the stream");
    }

    [Test]
    public async Task Rtsp_ServerGoesAwayAndComesBack_AgentReconnectsCountsAndKeepsRunning()
    {
        var server = new RtspServer(TestAssets.H264Stream).Start();
        using var h = new Harness(server.Url, TimeSpan.FromSeconds(20));
        try
        {
            await h.WaitForFramesAsync(10, TimeSpan.FromSeconds(20), "before the outage");
            server.Kill();                                            // the camera reboots: connection refused
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.That(h.Capture.Completion.IsCompleted, Is.False, "the camera is retried, not given up");
            Assert.That(h.Log.Lines, Has.Some.Contains("could not be opened, retrying"), "refusals are logged with the backoff");
            long before = h.Received;
            server = new RtspServer(TestAssets.H264Stream, server.Port).Start();
            await h.WaitForFramesAsync(before + 10, TimeSpan.FromSeconds(25), "after the server returned");
            Assert.That(h.Health.Reconnects, Is.GreaterThanOrEqualTo(1));
        }
        finally
        {
            server.Dispose();
        }
    }

    [Test]
    public async Task Rtsp_StreamStallsWithTcpAlive_WatchdogReopensWithinTimeout()
    {
        using var server = new RtspServer(TestAssets.H264Stream).Start();
        await using var proxy = new TcpFaultProxy(server.Port);
        using var h = new Harness($"rtsp://127.0.0.1:{proxy.Port}/cam1", TimeSpan.FromSeconds(2));
        await h.WaitForFramesAsync(10, TimeSpan.FromSeconds(20), "before the stall");
        proxy.Blackhole = true;
        var stalledAt = DateTime.UtcNow;
        while (h.Health.Stalls == 0 && DateTime.UtcNow - stalledAt < TimeSpan.FromSeconds(10)) await Task.Delay(100);
        double detectedAfter = (DateTime.UtcNow - stalledAt).TotalSeconds;
        Assert.That(h.Health.Stalls, Is.GreaterThanOrEqualTo(1), "stall detected");
        // Frames already in socket and decoder buffers still arrive for a moment after the blackhole starts.
        Assert.That(detectedAfter, Is.LessThan(2 + 3), "within the stall timeout plus buffered frames and one watchdog period");
        proxy.Blackhole = false;
        long before = h.Received;
        await h.WaitForFramesAsync(before + 10, TimeSpan.FromSeconds(25), "after the stall cleared");
        Assert.That(h.Health.Reconnects, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task Rtsp_CorruptStream_IsDecodedOnwardAndErrorsAreCounted()
    {
        // Garbage inside the video: the H.264 payload of 80 scattered runs of transport-stream packets is overwritten
        // (packet headers kept, so the server still streams it), between 4 s and 16 s into the clip.
        string damaged = Path.Combine(TestAssets.NewTempDirectory(), "damaged.ts");
        byte[] bytes = File.ReadAllBytes(TestAssets.H264Stream);
        var random = new Random(11);
        int packets = bytes.Length / 188;
        for (int run = 0; run < 80; run++)
        {
            int first = random.Next(packets / 20, packets / 5);
            for (int p = first; p < first + 3; p++)
                for (int i = 4; i < 188; i++) bytes[p * 188 + i] = (byte)random.Next(256);
        }
        File.WriteAllBytes(damaged, bytes);
        using var server = new RtspServer(damaged).Start();
        using var h = new Harness(server.Url, TimeSpan.FromSeconds(20));
        await h.WaitForFramesAsync(200, TimeSpan.FromSeconds(45), "through the damage and past it");
        TestContext.Out.WriteLine($"decode errors {h.Health.DecodeErrors}, dropped {h.Health.DropSummary()}, reconnects {h.Health.Reconnects}");
        Assert.That(h.Health.DecodeErrors, Is.GreaterThan(0), "decoder errors are counted");
        Assert.That(h.Capture.Completion.IsFaulted, Is.False);
    }
}
