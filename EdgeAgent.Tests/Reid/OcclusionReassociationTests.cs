using EdgeAgent.Evaluation;
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
        var tracker = new ByteTracker(new TrackerOptions(), 10) { FrameSize = (768, 576) };
        var person = gt.Where(r => r.Id == Person).ToDictionary(r => r.Frame);
        var idAt = new Dictionary<int, int?>();
        using var capture = new VideoCapture(TestAssets.Video);
        capture.Set(VideoCaptureProperties.PosFrames, First - 1);
        using var frame = new Mat();
        var detections = new List<Detection>();
        for (int f = First; f <= Last; f++)
        {
            Assert.That(capture.Read(frame), Is.True);
            detections.Clear();
            detector.Detect(frame, detections);
            if (f is >= HiddenFrom and <= HiddenTo && person.TryGetValue(f, out MotRow hidden))
                detections.RemoveAll(d => d.Box.IoU(hidden.Box) > 0.3f);
            if (embedder is not null)
            {
                var need = new bool[detections.Count];
                tracker.SelectForAppearance(detections.ToArray(), need, AppearancePolicy.Selective, TimeSpan.FromSeconds(1));
                var boxes = detections.Where((_, i) => need[i]).Select(d => d.Box).ToArray();
                var embeddings = new float[boxes.Length * embedder.Dimension];
                embedder.Embed(frame, boxes, embeddings);
                for (int i = 0, k = 0; i < detections.Count; i++)
                    if (need[i]) detections[i] = detections[i] with { Embedding = embeddings.AsSpan(k++ * 512, 512).ToArray() };
            }
            var tracks = tracker.Update(detections.ToArray());
            idAt[f] = person.TryGetValue(f, out MotRow p) ? tracks.FirstOrDefault(t => t.Box.IoU(p.Box) >= 0.5f)?.Id : null;
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
