using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Tests.Inference;

/// <summary>
/// The real models on the real video. Golden values: the box counts at score ≥ 0.5 that each model's
/// PROVENANCE.md reports on the same frames (an independent Python/OpenCV implementation).
/// </summary>
[Category("Integration")]
public class PersonDetectorTests
{
    private static readonly int[] Frames = [0, 1, 2, 100, 101, 200, 300, 301, 400, 500, 600, 700, 794];
    private static readonly int[] HumanArtCounts = [4, 3, 3, 7, 7, 8, 7, 7, 4, 4, 7, 9, 8];
    private static readonly int[] CocoCounts = [4, 4, 4, 7, 7, 7, 7, 7, 4, 5, 7, 9, 8];

    [TestCase("yolox-nano-person-humanart")]
    [TestCase("yolox-nano-coco")]
    public void Detect_SampleFrames_MatchesPublishedBoxCounts(string model)
    {
        int[] expected = model == "yolox-nano-coco" ? CocoCounts : HumanArtCounts;
        using var detector = TestAssets.CreateDetector(model);
        using var capture = new VideoCapture(TestAssets.Video);
        using var frame = new Mat();
        var counts = new List<int>();
        var detections = new List<Detection>();
        foreach (int index in Frames)
        {
            capture.Set(VideoCaptureProperties.PosFrames, index);
            Assert.That(capture.Read(frame), Is.True, $"frame {index}");
            detections.Clear();
            detector.Detect(frame, detections);
            counts.Add(detections.Count(d => d.Score >= 0.5f));
            Assert.That(detections, Has.All.Matches<Detection>(d => d.Box.X1 >= 0 && d.Box.Y2 <= 576 && d.Box.Width > 0), "boxes in the frame");
        }
        int differing = counts.Zip(expected).Count(p => p.First != p.Second);
        Assert.That(differing, Is.LessThanOrEqualTo(1), $"counts {string.Join(",", counts)} vs published {string.Join(",", expected)}");
    }

    [Test]
    public void Detect_Frame700_FindsPeopleWhereTheyStand()
    {
        using var detector = TestAssets.CreateDetector();
        using var capture = new VideoCapture(TestAssets.Video);
        using var frame = new Mat();
        capture.Set(VideoCaptureProperties.PosFrames, 699);
        capture.Read(frame);
        var detections = new List<Detection>();
        detector.Detect(frame, detections);
        var gt = EdgeAgent.Evaluation.MotFile.Read(TestAssets.GroundTruth, true).Where(r => r.Frame == 700 && r.Considered).ToList();
        int found = gt.Count(g => detections.Any(d => d.Score >= 0.5f && d.Box.IoU(g.Box) >= 0.5f));
        Assert.That(found, Is.GreaterThanOrEqualTo(gt.Count - 1), $"{found} of {gt.Count} ground-truth people found");
    }

    [Test]
    public void Provider_OnThisMachine_FallsBackToCpu()
    {
        var options = TestAssets.DetectorOptions();
        options.ExecutionProviders = ["TensorRT", "CUDA", "CPU"];
        var logger = new ListLogger();
        string path = Path.Combine(TestAssets.ModelsDirectory, "yolox_nano_8xb8-300e_humanart-40f6f0d0.onnx");
        var (session, provider) = EdgeAgent.Inference.ExecutionProviderSelector.Create(path, options, logger);
        session.Dispose();
        Assert.That(provider, Is.EqualTo("CPU"));
        Assert.That(logger.Lines.Count(l => l.Contains("TensorRT is not available")), Is.EqualTo(1), "logged once, with the reason");
        Assert.That(logger.Lines.Count(l => l.Contains("CUDA is not available")), Is.EqualTo(1));
    }

    [Test]
    public void Provider_NoneLoads_ErrorListsEveryReason()
    {
        var options = TestAssets.DetectorOptions();
        options.ExecutionProviders = ["TensorRT", "CUDA"];
        string path = Path.Combine(TestAssets.ModelsDirectory, "yolox_nano_8xb8-300e_humanart-40f6f0d0.onnx");
        var e = Assert.Throws<EdgeAgent.Inference.ModelException>(() => EdgeAgent.Inference.ExecutionProviderSelector.Create(path, options, new ListLogger()));
        Assert.That(e!.Message, Does.Contain("TensorRT:").And.Contain("CUDA:"));
    }
}
