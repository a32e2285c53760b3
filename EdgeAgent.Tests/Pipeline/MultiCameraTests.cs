using EdgeAgent.Tracking;
using System.Diagnostics.Metrics;
using EdgeAgent.Capture;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Pipeline;

[Category("Integration")]
[NonParallelizable]
public class MultiCameraTests
{
    [Test]
    public async Task Run_TwoCamerasOneDetector_BothTrackedAndCountersReported()
    {
        var settings = TestAssets.SettingsFor(TestAssets.Video, "bay1");
        settings.Capture.Cameras.Add(new CameraOptions { Id = "bay2", Source = TestAssets.Video, Realtime = true });
        settings.Capture.Cameras[0].Realtime = true;

        var measured = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == "EdgeAgent") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "camera.id" && tag.Value is "bay1" or "bay2")
                    lock (measured) measured[$"{instrument.Name}/{tag.Value}"] = measured.GetValueOrDefault($"{instrument.Name}/{tag.Value}") + value;
        });
        listener.Start();

        using var detector = TestAssets.CreateDetector();
        using var runner = new PipelineRunner(settings, detector, dropWhenBusy: true, NullLoggerFactory.Instance, TimeProvider.System, ownsDetector: false);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var tracksPerCamera = new Dictionary<string, int> { ["bay1"] = 0, ["bay2"] = 0 };
        Task run = runner.RunAsync(stop.Token);
        try
        {
            await foreach (TrackSnapshot snap in runner.Channels.Tracks.Reader.ReadAllAsync())
                tracksPerCamera[snap.CameraId] += snap.Tracks.Count;
        }
        catch (OperationCanceledException) { }
        await run;

        Assert.That(tracksPerCamera["bay1"], Is.GreaterThan(50));
        Assert.That(tracksPerCamera["bay2"], Is.GreaterThan(50));
        foreach (string cam in new[] { "bay1", "bay2" })
        {
            var h = runner.Health[cam];
            Assert.That(h.FramesProcessed, Is.GreaterThan(30), cam);
            Assert.That(h.FramesCaptured, Is.EqualTo(h.FramesProcessed + h.DroppedTotal).Within(3), $"{cam}: every frame processed or counted as dropped");
            lock (measured)
                Assert.That(measured.GetValueOrDefault($"edge.capture.frames/{cam}"), Is.EqualTo(h.FramesCaptured), "the same count reaches the metrics");
        }
    }
}
