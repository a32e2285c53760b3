using EdgeAgent.Capture;
using EdgeAgent.Evaluation;
using EdgeAgent.Health;
using EdgeAgent.Inference;
using EdgeAgent.Pipeline;
using EdgeAgent.Reid;
using EdgeAgent.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace EdgeAgent.Tests.Reid;

[Category("Integration")]
public class ReidEmbedderTests
{
    private static ReidEmbedder CreateEmbedder(int maxBatch = 16) => TestAssets.CreateEmbedder(maxBatch);

    private static (Mat Frame, List<MotRow> People) FrameWithGroundTruth(int frameNumber) => TestAssets.FrameWithGroundTruth(frameNumber);

    private static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float dot = 0;
        for (int i = 0; i < a.Length; i++) dot += a[i] * b[i];
        return dot;
    }

    [Test]
    public void Normalise_ScalesToUnitLengthAndKeepsZero()
    {
        var out1 = new float[3];
        ReidEmbedder.Normalise([3f, 0f, 4f], out1);
        Assert.That(out1, Is.EqualTo(new[] { 0.6f, 0f, 0.8f }).Within(1e-6));
        var out2 = new float[2];
        ReidEmbedder.Normalise([0f, 0f], out2);
        Assert.That(out2, Is.EqualTo(new[] { 0f, 0f }));
    }

    [Test]
    public void Embed_RealCrops_UnitLength512AndBatchEqualsSingle()
    {
        using var embedder = CreateEmbedder(maxBatch: 2);   // 3 boxes: two batches
        var (frame, people) = FrameWithGroundTruth(600);
        using (frame)
        {
            BoundingBox[] boxes = people.Take(3).Select(p => p.Box).ToArray();
            Assert.That(boxes, Has.Length.EqualTo(3));
            var batch = new float[3 * embedder.Dimension];
            embedder.Embed(frame, boxes, batch);
            Assert.That(embedder.Dimension, Is.EqualTo(512));
            for (int i = 0; i < 3; i++)
            {
                var single = new float[embedder.Dimension];
                embedder.Embed(frame, [boxes[i]], single);
                var row = batch.AsSpan(i * 512, 512);
                Assert.That(Cosine(row, row), Is.EqualTo(1f).Within(1e-4), "L2-normalised");
                Assert.That(row.ToArray(), Is.EqualTo(single).Within(1e-4), "a crop's embedding does not depend on its batch");
            }
        }
    }

    [Test]
    public void Embed_SamePersonNextFrame_IsCloserThanAnyOtherPerson()
    {
        using var embedder = CreateEmbedder();
        var (a, peopleA) = FrameWithGroundTruth(600);
        var (b, peopleB) = FrameWithGroundTruth(601);
        using (a)
        using (b)
        {
            var shared = peopleA.Where(p => peopleB.Any(q => q.Id == p.Id)).ToList();
            Assert.That(shared, Has.Count.GreaterThanOrEqualTo(3));
            var ea = new float[shared.Count * 512];
            var eb = new float[shared.Count * 512];
            embedder.Embed(a, shared.Select(p => p.Box).ToArray(), ea);
            embedder.Embed(b, shared.Select(p => peopleB.First(q => q.Id == p.Id).Box).ToArray(), eb);
            for (int i = 0; i < shared.Count; i++)
            {
                float same = Cosine(ea.AsSpan(i * 512, 512), eb.AsSpan(i * 512, 512));
                Assert.That(same, Is.GreaterThan(0.8f), $"person {shared[i].Id} one frame later");
                for (int j = 0; j < shared.Count; j++)
                    if (j != i) Assert.That(Cosine(ea.AsSpan(i * 512, 512), eb.AsSpan(j * 512, 512)), Is.LessThan(same), $"person {shared[i].Id} vs {shared[j].Id}");
            }
        }
    }

    [Test]
    public void Pipeline_WithEmbeddings_NeverLetsAnEmbeddingOut()
    {
        using var detector = TestAssets.CreateDetector();
        using var embedder = CreateEmbedder();
        var health = new CameraHealth("cam1");
        var channels = new PipelineChannels([health], 2, dropWhenBusy: true);
        var pipeline = new CameraPipeline("cam1", detector, new TrackerOptions(), channels, health, embedder, new ReidOptions { Policy = AppearancePolicy.EveryFrame });
        using var capture = new VideoCapture(TestAssets.Video);
        for (int i = 1; i <= 5; i++)
        {
            var mat = new Mat();
            capture.Read(mat);
            using var frame = new CapturedFrame("cam1", i, DateTimeOffset.UtcNow, mat, 10);
            TrackSnapshot snapshot = pipeline.Process(frame);
            Assert.That(snapshot.Detections, Is.Not.Empty);
            Assert.That(snapshot.Detections.Select(d => d.Embedding), Has.All.Null, "snapshots carry boxes and scores only");
        }
    }
}
