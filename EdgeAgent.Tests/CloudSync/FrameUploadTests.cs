using Azure.Storage.Blobs;
using CloudSync.Blob;
using EdgeAgent.Events;
using EdgeAgent.Frames;
using EdgeAgent.Inference;
using EdgeAgent.Tests.Events;
using EdgeAgent.Tracking;
using EdgeAgent.Zones;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace EdgeAgent.Tests.CloudSync;

/// <summary>Sampled frames, anonymised at the camera stage, uploaded to Azurite (rows B1, B2 of RELIABILITY).</summary>
[Category("Integration")]
[NonParallelizable]
public class FrameUploadTests
{
    private static void SampleRealFrames(FrameSampler sampler, PersonDetector detector, params int[] frameNumbers)
    {
        foreach (int n in frameNumbers)
        {
            var (frame, _) = TestAssets.FrameWithGroundTruth(n);
            using (frame)
            {
                var boxes = new List<Detection>();
                detector.Detect(frame, boxes);
                sampler.Request();
                sampler.Offer("bay3", frame, DateTimeOffset.UtcNow.AddSeconds(n - 1000), boxes.Select(d => d.Box));   // recent: frames past their TTL are dropped
            }
        }
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }

    [Test]
    public async Task SampledFrames_LandInBlobWithMetadata_NoPersonDetectableInThem_EventsReferenceExistingBlobs()
    {
        using var azurite = new Azurite();
        using PersonDetector detector = TestAssets.CreateDetector();
        var options = new BlobOptions { ConnectionString = azurite.ConnectionString, SpoolDirectory = TestAssets.NewTempDirectory(), RetryInitialDelay = TimeSpan.FromMilliseconds(200) };
        var spool = new FrameSpool(options.SpoolDirectory, options.QuotaBytes, options.TimeToLive, TimeProvider.System);
        var sampler = new FrameSampler(new FrameOptions { Interval = TimeSpan.Zero }, spool, TimeProvider.System);
        var events = new List<EventEnvelope>();
        var log = new ListLogger();
        var factory = new EventFactory("jetson-7", "st-marys", "ward-7");
        var uploader = new BlobFrameUploader(options, spool, "st-marys", "ward-7",
            (blob, f) => { lock (events) events.Add(factory.Create(new FrameSampled(f.CapturedAt, f.Camera, blob, f.Anonymisation))); }, log);
        using var stop = new CancellationTokenSource();
        Task run = uploader.RunAsync(stop.Token);
        SampleRealFrames(sampler, detector, 100, 300, 600);
        await WaitUntil(() => uploader.Uploaded == 3, TimeSpan.FromSeconds(30), "three frames are uploaded; " + string.Join(" | ", log.Lines.Take(3)));
        await stop.CancelAsync();
        await run;

        var container = new BlobContainerClient(azurite.ConnectionString, "frames");
        var blobs = new List<string>();
        await foreach (var item in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Traits = Azure.Storage.Blobs.Models.BlobTraits.Metadata }))
        {
            blobs.Add(item.Name);
            Assert.That(item.Metadata["camera"], Is.EqualTo("bay3"));
            Assert.That(item.Metadata["anonymisation"], Is.EqualTo("PixelatePersons"));
            byte[] jpeg = (await container.GetBlobClient(item.Name).DownloadContentAsync()).Value.Content.ToArray();
            using Mat uploaded = Cv2.ImDecode(jpeg, ImreadModes.Color);
            var found = new List<Detection>();
            detector.Detect(uploaded, found);
            Assert.That(found.Where(d => d.Score >= 0.3f), Is.Empty, $"{item.Name}: no person is detectable in an uploaded frame");
        }
        Assert.That(blobs, Has.Count.EqualTo(3));
        Assert.That(events.Select(e => e.Payload["blob"]!.GetValue<string>()), Is.EquivalentTo(blobs), "each event names a blob that exists");
        EventSchema.AssertAllValid(events);
        Assert.That(Directory.GetFiles(options.SpoolDirectory), Is.Empty, "uploaded frames leave the spool");
    }

    [Test]
    public async Task StorageDown_UploadsBackOffSpoolStaysWithinQuota_ThenDrains_AndARetryAfterACrashMakesNoDuplicate()
    {
        using var azurite = new Azurite();
        using PersonDetector detector = TestAssets.CreateDetector();
        var options = new BlobOptions
        {
            ConnectionString = azurite.ConnectionString, SpoolDirectory = TestAssets.NewTempDirectory(), QuotaBytes = 250_000,
            RetryInitialDelay = TimeSpan.FromMilliseconds(200), RetryMaxDelay = TimeSpan.FromSeconds(1), NetworkTimeout = TimeSpan.FromSeconds(2),
        };
        var spool = new FrameSpool(options.SpoolDirectory, options.QuotaBytes, options.TimeToLive, TimeProvider.System);
        var sampler = new FrameSampler(new FrameOptions { Interval = TimeSpan.Zero }, spool, TimeProvider.System);
        int uploadedEvents = 0;
        var uploader = new BlobFrameUploader(options, spool, "st-marys", "ward-7", (_, _) => Interlocked.Increment(ref uploadedEvents), NullLogger.Instance);
        azurite.Stop();
        using var stop = new CancellationTokenSource();
        Task run = uploader.RunAsync(stop.Token);
        SampleRealFrames(sampler, detector, 50, 100, 150, 200, 250, 300);   // ~70 KB each: more than the quota holds
        await WaitUntil(() => uploader.Failures >= 2, TimeSpan.FromSeconds(30), "uploads fail and are retried");
        long kept = Directory.GetFiles(options.SpoolDirectory).Length;
        Assert.That(Directory.GetFiles(options.SpoolDirectory).Sum(f => new FileInfo(f).Length), Is.LessThanOrEqualTo(options.QuotaBytes));
        Assert.That(spool.Dropped, Is.EqualTo(6 - kept).And.GreaterThan(0), "the oldest frames were dropped, and counted");

        // The agent "crashes": its uploader stops. The first waiting frame had been uploaded just before (its file not yet
        // removed); after the restart it must not be duplicated.
        await stop.CancelAsync();
        await run;
        azurite.Start();
        var first = spool.Oldest(1)[0];
        var container = new BlobContainerClient(azurite.ConnectionString, "frames");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(BlobFrameUploader.BlobNameOf("st-marys", "ward-7", first)).UploadAsync(first.Path);
        using var restart = new CancellationTokenSource();
        Task again = uploader.RunAsync(restart.Token);
        await WaitUntil(() => uploader.Uploaded == kept, TimeSpan.FromSeconds(60), "the spool drains once storage is back");
        await restart.CancelAsync();
        await again;
        int blobs = 0;
        await foreach (var _ in container.GetBlobsAsync()) blobs++;
        Assert.That(blobs, Is.EqualTo(kept), "one blob per frame, none twice");
        Assert.That(uploadedEvents, Is.EqualTo(kept), "one event per frame, each after its blob exists");
    }
}
