using EdgeAgent.Frames;
using EdgeAgent.Inference;
using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Tests.Frames;

/// <summary>Anonymised frames on real video: the default detector finds the people before and none after.</summary>
[Category("Integration")]
public class FrameAnonymiserTests
{
    [TestCase(100)]
    [TestCase(300)]
    [TestCase(600)]
    public void Anonymise_EveryPersonPixelated_DefaultDetectorFindsNobody(int frameNumber)
    {
        using PersonDetector detector = TestAssets.CreateDetector();
        var (frame, _) = TestAssets.FrameWithGroundTruth(frameNumber);
        using (frame)
        {
            var before = new List<Detection>();
            detector.Detect(frame, before);
            var people = before.Where(d => d.Score >= 0.3f).ToList();
            Assert.That(people, Has.Count.GreaterThan(3), "there are people to hide");
            // What the camera stage hides: every box the detector reported, down to its lowest score.
            byte[] jpeg = new FrameAnonymiser(new FrameOptions()).Anonymise(frame, before.Select(d => d.Box));
            using Mat decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
            var after = new List<Detection>();
            detector.Detect(decoded, after);
            TestContext.Out.WriteLine($"frame {frameNumber}: {people.Count} people before, best score after {(after.Count == 0 ? 0 : after.Max(d => d.Score)):0.00} ({after.Count} boxes)");
            Assert.That(after.Where(d => d.Score >= 0.3f), Is.Empty, "no person detectable in what leaves the device");
            Assert.That(decoded.Width, Is.EqualTo(frame.Width));
        }
    }
}
