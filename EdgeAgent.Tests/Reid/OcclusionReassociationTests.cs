using EdgeAgent.Capture;
using EdgeAgent.Evaluation;
using EdgeAgent.Health;
using EdgeAgent.Pipeline;
using EdgeAgent.Inference;
using EdgeAgent.Reid;
using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Tests.Reid;

/// <summary>
/// A simulated occlusion on the real video: every detection of one ground-truth person is removed for 4 s (longer
/// than the 3 s motion buffer), as if a trolley stood in front of them. With appearance they get their old track
/// id back; with motion only they cannot.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class OcclusionReassociationTests
{
    private const int Person = 9, First = 60, HiddenFrom = 100, HiddenTo = 139, Last = 175;

    private static Dictionary<int, int?> Run(PersonDetector detector, ReidEmbedder? embedder, List<MotRow> gt)
    {
        var health = new CameraHealth("cam1");
        var pipeline = new CameraPipeline("cam1", detector, new TrackerOptions(), new PipelineChannels([health], 2, dropWhenBusy: false), health,
            embedder, new ReidOptions { Policy = embedder is null ? AppearancePolicy.Off : AppearancePolicy.Selective });
        var person = gt.Where(r => r.Id == Person).ToDictionary(r => r.Frame);
        var idAt = new Dictionary<int, int?>();
        using var capture = new VideoCapture(TestAssets.Video);
        capture.Set(VideoCaptureProperties.PosFrames, First - 1);
        var detections = new List<Detection>();
        for (int f = First; f <= Last; f++)
        {
            var image = new Mat();
            Assert.That(capture.Read(image), Is.True);
            using var frame = new CapturedFrame("cam1", f, DateTimeOffset.UtcNow, image, 10);
            detections.Clear();
            detector.Detect(image, detections);
            if (f is >= HiddenFrom and <= HiddenTo && person.TryGetValue(f, out MotRow hidden))
                detections.RemoveAll(d => d.Box.IoU(hidden.Box) > 0.3f);   // the trolley
            TrackSnapshot snapshot = pipeline.Process(frame, detections);
            idAt[f] = person.TryGetValue(f, out MotRow p) ? snapshot.Tracks.Cast<TrackedPerson?>().FirstOrDefault(t => t!.Value.Box.IoU(p.Box) >= 0.5f)?.TrackId : null;
        }
        return idAt;
    }

    private static int? IdAround(Dictionary<int, int?> ids, int from, int to) =>
        Enumerable.Range(from, to - from + 1).Select(f => ids.GetValueOrDefault(f)).LastOrDefault(id => id is not null);

    [Test]
    public void PersonHiddenForFourSeconds_GetsTheOldIdBackByAppearance_MotionOnlyCannot()
    {
        var gt = MotFile.Read(TestAssets.GroundTruth, true);
        using var detector = TestAssets.CreateDetector();
        using var embedder = TestAssets.CreateEmbedder();

        var withReid = Run(detector, embedder, gt);
        var motionOnly = Run(detector, null, gt);

        int? before = IdAround(withReid, HiddenFrom - 10, HiddenFrom - 1);
        int? after = IdAround(withReid, Last - 10, Last);
        Assert.That(before, Is.Not.Null, "the person is tracked before the occlusion");
        Assert.That(Enumerable.Range(HiddenFrom, HiddenTo - HiddenFrom + 1).Select(f => withReid[f]), Has.All.Null, "hidden: no track on them");
        Assert.That(after, Is.EqualTo(before), "re-associated by appearance after 4 s");

        int? motionBefore = IdAround(motionOnly, HiddenFrom - 10, HiddenFrom - 1);
        int? motionAfter = IdAround(motionOnly, Last - 10, Last);
        Assert.That(motionAfter, Is.Not.EqualTo(motionBefore), "motion only, the lost track was dropped after 3 s");
    }
}
