using EdgeAgent.Tracking;
using EdgeAgent.Capture;
using EdgeAgent.Evaluation;
using EdgeAgent.Inference;
using EdgeAgent.Pipeline;
using EdgeAgent.Reid;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Pipeline;

/// <summary>The whole pipeline on the PETS09-S2L1 video against its published ground truth.</summary>
[Category("Integration")]
[NonParallelizable]
public class ReplayAccuracyTests
{
    private static PersonDetector _detector = null!;

    [OneTimeSetUp]
    public void LoadDetector() => _detector = TestAssets.CreateDetector();

    [OneTimeTearDown]
    public void DisposeDetector() => _detector?.Dispose();

    private static async Task<(List<MotRow> Rows, PipelineRunner Runner)> ReplayAsync(int maxFrames, AppearancePolicy policy = AppearancePolicy.Off)
    {
        var settings = TestAssets.SettingsFor(TestAssets.Video);
        settings.Reid.Policy = policy;
        ReidEmbedder? embedder = PipelineRunner.CreateEmbedder(settings, NullLoggerFactory.Instance);
        var runner = new PipelineRunner(settings, _detector, dropWhenBusy: false, NullLoggerFactory.Instance, TimeProvider.System, ownsDetector: false, embedder);
        using var stop = new CancellationTokenSource();
        var rows = new List<MotRow>();
        Task run = runner.RunAsync(stop.Token);
        try
        {
            await foreach (TrackSnapshot snap in runner.Channels.Tracks.Reader.ReadAllAsync())
            {
                if (snap.Sequence > maxFrames) { stop.Cancel(); continue; }
                rows.AddRange(snap.Tracks.Select(t => new MotRow((int)snap.Sequence, t.TrackId, t.Box, t.Score, true)));
            }
        }
        catch (OperationCanceledException) { }
        await run;
        return (rows, runner);
    }

    [Test]
    public async Task Replay_First200Frames_MotaAboveFloor()
    {
        long liveBefore = CapturedFrame.Live;
        var (rows, runner) = await ReplayAsync(200);
        using (runner)
        {
            var gt = MotFile.Read(TestAssets.GroundTruth, true).Where(r => r.Frame <= 200).ToList();
            MotMetrics m = MotEvaluator.Evaluate(gt, rows);
            TestContext.Out.WriteLine(m);
            // Measured 0.677 on these frames (the opening, with people entering at once, is the hardest part).
            Assert.That(m.Mota, Is.GreaterThanOrEqualTo(0.65));
            Assert.That(rows.Max(r => r.Frame), Is.EqualTo(200));
        }
        Assert.That(CapturedFrame.Live, Is.EqualTo(liveBefore), "no frame left undisposed after the pipeline drained");
    }

    private static MotMetrics? _motionOnly;

    [Test, Order(1)]
    public async Task Replay_WholeVideo_MotionOnly_MeetsVisionCoreTargets()
    {
        var (rows, runner) = await ReplayAsync(int.MaxValue, AppearancePolicy.Off);
        using (runner)
        {
            MotMetrics m = MotEvaluator.Evaluate(MotFile.Read(TestAssets.GroundTruth, true), rows);
            _motionOnly = m;
            TestContext.Out.WriteLine(m);
            Assert.That(m.Mota, Is.GreaterThanOrEqualTo(0.80), "MOTA target of the vision core");
            Assert.That(m.Idf1, Is.GreaterThanOrEqualTo(0.75), "IDF1 target of the vision core");
            Assert.That(runner.Health["cam1"].FramesProcessed, Is.EqualTo(795));
        }
    }

    [Test, Order(2)]
    public async Task Replay_WholeVideo_WithReid_GainsThreeIdf1PointsWithoutLosingMota()
    {
        if (_motionOnly is null) await Replay_WholeVideo_MotionOnly_MeetsVisionCoreTargets();
        MotMetrics motionOnly = _motionOnly!;
        var (rows, runner) = await ReplayAsync(int.MaxValue, AppearancePolicy.Selective);
        using (runner)
        {
            MotMetrics m = MotEvaluator.Evaluate(MotFile.Read(TestAssets.GroundTruth, true), rows);
            TestContext.Out.WriteLine($"re-ID: {m}\nmotion only: {motionOnly}");
            Assert.That(m.Idf1, Is.GreaterThanOrEqualTo(0.80), "IDF1 target with re-identification");
            Assert.That(m.Idf1, Is.GreaterThanOrEqualTo(motionOnly.Idf1 + 0.03), "at least 3 points above motion-only");
            Assert.That(m.Mota, Is.GreaterThanOrEqualTo(motionOnly.Mota), "no loss of MOTA");
        }
    }
}
