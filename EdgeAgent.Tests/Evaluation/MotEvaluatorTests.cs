using EdgeAgent.Evaluation;
using EdgeAgent.Tracking;

namespace EdgeAgent.Tests.Evaluation;

public class MotEvaluatorTests
{
    private static MotRow Row(int frame, int id, float x, bool considered = true) =>
        new(frame, id, BoundingBox.FromTlwh(x, 100, 30, 90), 1f, considered);

    [Test]
    public void Evaluate_PerfectTracks_ScoresOne()
    {
        var gt = Enumerable.Range(1, 10).SelectMany(f => new[] { Row(f, 1, 10 * f), Row(f, 2, 400) }).ToList();
        var res = gt.Select(r => r with { Id = r.Id + 100 }).ToList();
        MotMetrics m = MotEvaluator.Evaluate(gt, res);
        Assert.That((m.Mota, m.Idf1, m.IdSwitches, m.FalsePositives, m.FalseNegatives), Is.EqualTo((1.0, 1.0, 0, 0, 0)));
    }

    [Test]
    public void Evaluate_IdChangesHalfway_CountsOneSwitchAndHalvesIdentityScore()
    {
        var gt = Enumerable.Range(1, 10).Select(f => Row(f, 1, 100)).ToList();
        var res = Enumerable.Range(1, 10).Select(f => Row(f, f <= 5 ? 7 : 8, 100)).ToList();
        MotMetrics m = MotEvaluator.Evaluate(gt, res);
        Assert.That(m.IdSwitches, Is.EqualTo(1));
        Assert.That(m.Mota, Is.EqualTo(0.9).Within(1e-9));
        Assert.That(m.Idf1, Is.EqualTo(0.5).Within(1e-9), "IDTP 5 of 10 gt and 10 tracker boxes");
    }

    [Test]
    public void Evaluate_MissedAndSpuriousBoxes_CountAsFalseNegativesAndPositives()
    {
        var gt = new List<MotRow> { Row(1, 1, 100), Row(2, 1, 100), Row(3, 1, 100), Row(4, 1, 100) };
        var res = new List<MotRow> { Row(1, 5, 100), Row(2, 5, 100), Row(2, 6, 500), Row(3, 5, 118) };
        MotMetrics m = MotEvaluator.Evaluate(gt, res);
        // Frame 3: IoU of a 30 px box shifted by 18 px is 12/48 = 0.25 < 0.5, so a miss and a false positive.
        Assert.That((m.Matches, m.FalsePositives, m.FalseNegatives), Is.EqualTo((2, 2, 2)));
        Assert.That(m.Mota, Is.EqualTo(1 - 4 / 4.0).Within(1e-9));
    }

    [Test]
    public void Evaluate_TrackerBoxOnIgnoredGroundTruth_IsNeitherHitNorFalsePositive()
    {
        var gt = new List<MotRow> { Row(1, 1, 100), Row(1, 2, 400, considered: false) };
        var res = new List<MotRow> { Row(1, 9, 100), Row(1, 10, 402) };
        MotMetrics m = MotEvaluator.Evaluate(gt, res);
        Assert.That((m.GroundTruthBoxes, m.Matches, m.FalsePositives, m.FalseNegatives), Is.EqualTo((1, 1, 0, 0)));
        Assert.That(m.Idf1, Is.EqualTo(1.0));
    }

    [Test]
    public void Evaluate_KeepsPreviousCorrespondenceWhenStillValid()
    {
        // Two tracker boxes overlap the gt; the one matched before keeps the match (no switch) even if the other fits better.
        var gt = new List<MotRow> { Row(1, 1, 100), Row(2, 1, 100) };
        var res = new List<MotRow> { Row(1, 5, 108), Row(2, 5, 108), Row(2, 6, 100) };
        MotMetrics m = MotEvaluator.Evaluate(gt, res);
        Assert.That(m.IdSwitches, Is.EqualTo(0));
        Assert.That(m.FalsePositives, Is.EqualTo(1));
    }

    [Test]
    public void Read_MalformedLine_NamesFileAndLine()
    {
        string path = Path.Combine(TestAssets.NewTempDirectory(), "bad.txt");
        File.WriteAllLines(path, ["1,1,10,10,20,40,1", "2,1,ten,10,20,40,1"]);
        var e = Assert.Throws<FormatException>(() => MotFile.Read(path, isGroundTruth: true));
        Assert.That(e!.Message, Does.Contain("bad.txt:2"));
    }
}
