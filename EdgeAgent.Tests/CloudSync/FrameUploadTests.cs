using EdgeAgent.Tests.Capture;
using EdgeAgent.Tests.Cli;
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
        BlobFrameUploader? uploader = null;
        uploader = new BlobFrameUploader(options, spool, "st-marys", "ward-7", (blob, f) =>
        {
            lock (events) events.Add(factory.Create(new FrameSampled(f.CapturedAt, f.Camera, blob, f.Anonymisation)));
            uploader!.Confirm(blob);   // the event is "durable": the spooled frame may go
        }, log);
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
    public async Task Retention_ThisWardsFramesOlderThanRetainFor_DeletedFromBlob_OtherWardsUntouched()
    {
        using var azurite = new Azurite();
        using PersonDetector detector = TestAssets.CreateDetector();
        var options = new BlobOptions
        {
            ConnectionString = azurite.ConnectionString, SpoolDirectory = TestAssets.NewTempDirectory(), RetryInitialDelay = TimeSpan.FromMilliseconds(200),
            RetainFor = TimeSpan.FromSeconds(3), RetentionSweepInterval = TimeSpan.FromSeconds(1),
        };
        var container = new BlobContainerClient(azurite.ConnectionString, "frames");
        await container.CreateIfNotExistsAsync();
        await container.UploadBlobAsync("st-marys/ward-8/bay1/old.jpg", BinaryData.FromString("another ward's frame"));
        var spool = new FrameSpool(options.SpoolDirectory, options.QuotaBytes, options.TimeToLive, TimeProvider.System);
        var sampler = new FrameSampler(new FrameOptions { Interval = TimeSpan.Zero }, spool, TimeProvider.System);
        BlobFrameUploader? uploader = null;
        uploader = new BlobFrameUploader(options, spool, "st-marys", "ward-7", (blob, _) => uploader!.Confirm(blob), new ListLogger());
        using var stop = new CancellationTokenSource();
        Task run = uploader.RunAsync(stop.Token);
        SampleRealFrames(sampler, detector, 100, 300);
        await WaitUntil(() => uploader.Uploaded == 2, TimeSpan.FromSeconds(30), "two frames are uploaded");
        await WaitUntil(() => uploader.Expired == 2, TimeSpan.FromSeconds(20), "both are deleted once older than RetainFor");
        await stop.CancelAsync();
        await run;
        var left = new List<string>();
        await foreach (var item in container.GetBlobsAsync()) left.Add(item.Name);
        Assert.That(left, Is.EqualTo(new[] { "st-marys/ward-8/bay1/old.jpg" }), "only this ward's prefix is swept");
    }

    [Test]
    public async Task ContainerSas_CreateAndWriteOnly_Uploads_TheContainerBeingProvisioned()
    {
        // What docs/azure.md issues a ward: a SAS on the frames container that may create and write blobs — no read, no
        // list, no delete (RetainFor 0: the storage account's lifecycle rule deletes), and no right to create containers.
        using var azurite = new Azurite();
        using PersonDetector detector = TestAssets.CreateDetector();
        var admin = new BlobContainerClient(azurite.ConnectionString, "frames");
        await admin.CreateIfNotExistsAsync();
        Uri sas = admin.GenerateSasUri(Azure.Storage.Sas.BlobContainerSasPermissions.Create | Azure.Storage.Sas.BlobContainerSasPermissions.Write,
            DateTimeOffset.UtcNow.AddHours(1));
        var options = new BlobOptions
        {
            ConnectionString = $"BlobEndpoint={sas.GetLeftPart(UriPartial.Authority)}/devstoreaccount1;SharedAccessSignature={sas.Query.TrimStart('?')}",
            SpoolDirectory = TestAssets.NewTempDirectory(), RetryInitialDelay = TimeSpan.FromMilliseconds(200), RetainFor = TimeSpan.Zero,
        };
        var spool = new FrameSpool(options.SpoolDirectory, options.QuotaBytes, options.TimeToLive, TimeProvider.System);
        var sampler = new FrameSampler(new FrameOptions { Interval = TimeSpan.Zero }, spool, TimeProvider.System);
        BlobFrameUploader? uploader = null;
        uploader = new BlobFrameUploader(options, spool, "st-marys", "ward-7", (blob, _) => uploader!.Confirm(blob), new ListLogger());
        using var stop = new CancellationTokenSource();
        Task run = uploader.RunAsync(stop.Token);
        SampleRealFrames(sampler, detector, 100, 300);
        await WaitUntil(() => uploader.Uploaded == 2, TimeSpan.FromSeconds(30), "both frames are uploaded with the container SAS");
        await stop.CancelAsync();
        await run;
        var names = new List<string>();
        await foreach (var item in admin.GetBlobsAsync()) names.Add(item.Name);
        Assert.That(names, Has.Count.EqualTo(2).And.All.StartWith("st-marys/ward-7/"));
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
        BlobFrameUploader? uploader = null;
        uploader = new BlobFrameUploader(options, spool, "st-marys", "ward-7", (blob, _) =>
        {
            Interlocked.Increment(ref uploadedEvents);
            uploader!.Confirm(blob);
        }, NullLogger.Instance);
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

    [Test]
    public async Task AgentKilledMidUpload_ThreeTimes_EveryBlobCompleteOrAbsent_EveryEventNamesABlob_EveryBlobHasItsEvent()
    {
        // RELIABILITY B2 with the real agent: frames sampled every second, uploaded through a link slowed to 40 KB/s (a frame
        // of ~70 KB takes ~2 s), the agent killed with SIGKILL mid-upload three times; then a run on a fast link drains.
        using var azurite = new Azurite();
        await using var slow = new TcpFaultProxy(azurite.Port) { BytesPerSecond = 40_000 };
        string dir = TestAssets.NewTempDirectory();
        string Config(int port) => EventServiceTests.Config(dir, $$"""
            ,
              "Frames": { "Interval": "00:00:01", "Foreground": false },
              "Sync": { "Blob": { "ConnectionString": "{{azurite.ConnectionString.Replace($":{azurite.Port}/", $":{port}/")}}", "SpoolDirectory": "{{dir}}/state/frames",
                                  "RetryInitialDelay": "00:00:00.200", "RetryMaxDelay": "00:00:01", "NetworkTimeout": "00:00:20" } }
            """);
        var random = new Random(3);
        for (int kill = 0; kill < 3; kill++)
        {
            using var agent = new AgentProcess("run", "--config", Config(slow.Port));
            await WaitUntil(() => Directory.Exists($"{dir}/state/frames") && Directory.GetFiles($"{dir}/state/frames").Length > 0, TimeSpan.FromSeconds(60), "frames are spooled");
            await Task.Delay(2000 + random.Next(0, 2000));   // an upload is under way
            System.Diagnostics.Process.Start("kill", ["-KILL", agent.Pid.ToString()])!.WaitForExit();
            agent.WaitForExit(TimeSpan.FromSeconds(10));
        }
        int spooledAfterKills = Directory.GetFiles($"{dir}/state/frames").Length;
        long eventsBefore = new FileInfo(Path.Combine(dir, "events.jsonl")).Length;
        using (var agent = new AgentProcess("run", "--config", Config(azurite.Port)))
        {
            // Running (its first events written) before it is stopped: a SIGTERM during start-up is not the clean stop under test.
            await WaitUntil(() => new FileInfo(Path.Combine(dir, "events.jsonl")).Length > eventsBefore, TimeSpan.FromSeconds(60), "the agent runs");
            await WaitUntil(() => Directory.GetFiles($"{dir}/state/frames").Length <= 1, TimeSpan.FromSeconds(60), "the spool drains on a fast link");
            System.Diagnostics.Process.Start("kill", ["-TERM", agent.Pid.ToString()])!.WaitForExit();
            Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(30)), Is.Zero, agent.Stderr);
        }
        string[] leftInSpool = Directory.GetFiles($"{dir}/state/frames");
        var container = new BlobContainerClient(azurite.ConnectionString, "frames");
        var blobs = new HashSet<string>();
        await foreach (var item in container.GetBlobsAsync())
        {
            blobs.Add(item.Name);
            byte[] jpeg = (await container.GetBlobClient(item.Name).DownloadContentAsync()).Value.Content.ToArray();
            using Mat image = Cv2.ImDecode(jpeg, ImreadModes.Color);
            Assert.That(image.Empty(), Is.False, $"{item.Name}: a complete JPEG, not a torn upload");
            Assert.That(jpeg[^2..], Is.EqualTo(new byte[] { 0xFF, 0xD9 }), $"{item.Name}: ends with the JPEG end marker");
        }
        var named = EventServiceTests.Events(dir).Where(e => e.GetProperty("type").GetString() == "frame.sampled")
            .Select(e => e.GetProperty("payload").GetProperty("blob").GetString()!).ToList();
        TestContext.Out.WriteLine($"B2: {blobs.Count} blobs, {named.Count} frame.sampled events ({named.Count - named.Distinct().Count()} repeated after a kill), "
            + $"{spooledAfterKills} frames spooled after the kills, {leftInSpool.Length} left");
        Assert.That(blobs, Is.Not.Empty);
        Assert.That(named.Where(b => !blobs.Contains(b)), Is.Empty, "no event names a missing blob");
        Assert.That(blobs.Where(b => !named.Contains(b)), Is.Empty.Or.Count.LessThanOrEqualTo(leftInSpool.Length),
            "every blob has its event (but one whose event the final stop did not reach, still spooled for the next start)");
    }
}
