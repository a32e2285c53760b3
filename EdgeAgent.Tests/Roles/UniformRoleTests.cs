using EdgeAgent.Capture;
using EdgeAgent.Evaluation;
using EdgeAgent.Health;
using EdgeAgent.Pipeline;
using EdgeAgent.Roles;
using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Tests.Roles;

/// <summary>
/// Uniform colour roles on real frames of PETS09-S2L1. Nobody there wears scrubs, so one person's torso is dyed
/// scrub green (the frame's own texture kept underneath): that person, and only that person, must be recognised.
/// </summary>
[Category("Integration")]
public class UniformRoleTests
{
    private static readonly UniformProfile ScrubGreen = new() { Role = "nurse", Hue = [45, 85], MinSaturation = 70, MinValue = 40, MinFraction = 0.35 };

    /// <summary>Tints the torso band of a box green, keeping the brightness pattern of what was there.</summary>
    private static void DyeTorso(Mat frame, BoundingBox box)
    {
        Rect torso = UniformClassifier.Torso(box, frame.Width, frame.Height);
        using var region = new Mat(frame, torso);
        using var hsv = new Mat();
        Cv2.CvtColor(region, hsv, ColorConversionCodes.BGR2HSV);
        Cv2.Split(hsv, out Mat[] channels);
        channels[0].SetTo(new Scalar(62));
        channels[1].SetTo(new Scalar(170));
        Cv2.Normalize(channels[2], channels[2], 90, 230, NormTypes.MinMax);
        Cv2.Merge(channels, hsv);
        Cv2.CvtColor(hsv, region, ColorConversionCodes.HSV2BGR);
        foreach (Mat c in channels) c.Dispose();
    }

    private static List<int> Matches(UniformClassifier c, Mat frame, BoundingBox box)
    {
        var found = new List<int>();
        c.Match(frame, box, found);
        return found;
    }

    [Test]
    public void Match_ColourRange_DyedTorsoMatchesAndNobodyElseInTheFrameDoes()
    {
        var (frame, people) = TestAssets.FrameWithGroundTruth(100);
        using (frame)
        {
            using var classifier = new UniformClassifier([ScrubGreen]);
            Assert.That(people.Select(p => Matches(classifier, frame, p.Box)), Has.All.Empty, "real clothing in the video is not scrub green");
            DyeTorso(frame, people[0].Box);
            Assert.That(Matches(classifier, frame, people[0].Box), Is.EqualTo(new[] { 0 }));
            Assert.That(people.Skip(1).Select(p => Matches(classifier, frame, p.Box)), Has.All.Empty);
        }
    }

    [Test]
    public void Match_ExampleCrops_HistogramOfTheUniformRecognisesItOnAnotherPersonInAnotherFrame()
    {
        string example = Path.Combine(TestAssets.NewTempDirectory(), "scrubs.png");
        var (first, people1) = TestAssets.FrameWithGroundTruth(50);
        using (first)
        {
            DyeTorso(first, people1[0].Box);
            using var crop = new Mat(first, UniformClassifier.Torso(people1[0].Box, first.Width, first.Height));
            Cv2.ImWrite(example, crop);
        }
        var (frame, people) = TestAssets.FrameWithGroundTruth(300);
        using (frame)
        {
            using var classifier = new UniformClassifier([new UniformProfile { Role = "nurse", Examples = [example], MinSimilarity = 0.5 }]);
            MotRow someoneElse = people[^1];
            DyeTorso(frame, someoneElse.Box);
            Assert.That(Matches(classifier, frame, someoneElse.Box), Is.EqualTo(new[] { 0 }));
            Assert.That(people.Take(people.Count - 1).Select(p => Matches(classifier, frame, p.Box)), Has.All.Empty);
        }
    }

    [Test]
    public void Pipeline_PersonInScrubsForTwoSeconds_TrackCarriesTheRoleOthersDoNot()
    {
        using var detector = TestAssets.CreateDetector();
        var health = new CameraHealth("cam1");
        var channels = new PipelineChannels([health], 2, dropWhenBusy: false);
        using var classifier = new UniformClassifier([ScrubGreen]);
        var pipeline = new CameraPipeline("cam1", detector, new TrackerOptions(), channels, health, roles: new TrackRoles(classifier, new RoleOptions()));
        List<MotRow> gt = MotFile.Read(TestAssets.GroundTruth, true);
        const int NurseId = 19;   // ground-truth person 19 walks through the first frames, apart from the others
        TrackSnapshot? last = null;
        using var capture = new VideoCapture(TestAssets.Video);
        for (int f = 1; f <= 20; f++)
        {
            var mat = new Mat();
            Assert.That(capture.Read(mat), Is.True);
            MotRow nurse = gt.Single(r => r.Frame == f && r.Id == NurseId);
            DyeTorso(mat, nurse.Box);
            using var frame = new CapturedFrame("cam1", f, DateTimeOffset.UtcNow, mat, 10);
            last = pipeline.Process(frame);
        }
        MotRow truth = gt.Single(r => r.Frame == 20 && r.Id == NurseId);
        TrackedPerson tracked = last!.Tracks.MaxBy(t => t.Box.IoU(truth.Box));
        Assert.That(tracked.Box.IoU(truth.Box), Is.GreaterThan(0.5), "the dyed person is tracked");
        Assert.That(tracked.Role, Is.EqualTo("nurse"));
        Assert.That(tracked.RoleConfidence, Is.GreaterThanOrEqualTo(0.6f));
        Assert.That(last.Tracks.Where(t => t.TrackId != tracked.TrackId).Select(t => t.Role), Has.All.Null);
    }
}
