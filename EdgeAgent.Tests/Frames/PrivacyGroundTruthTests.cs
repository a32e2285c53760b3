using System.Diagnostics;
using CloudSync.Blob;
using EdgeAgent.Capture;
using EdgeAgent.Evaluation;
using EdgeAgent.Frames;
using EdgeAgent.Inference;
using EdgeAgent.Pipeline;
using EdgeAgent.Tracking;
using Microsoft.Extensions.Time.Testing;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace EdgeAgent.Tests.Frames;

/// <summary>
/// No person recognisable in a frame that leaves the camera stage — judged against the ground truth, not the detector
/// that did the masking. The sample video runs through the camera pipeline (detector, tracker, background model) with a
/// frame sampled every second, as the service spools them; in every sampled frame, every ground-truth person box must be
/// mosaicked. "Mosaicked" is measured on the pixels: the share of the original's fine detail (the grey image's high-pass)
/// still present inside the box, against the same box of the original frame compressed alike; a person left visible
/// keeps nearly all of it, a mosaic of 4 cells across a person next to none. Then two detectors that did not do the masking —
/// PicoDet-S (another family, COCO) for persons and YuNet for faces — must find nothing in the uploaded frames. The same
/// on a darker, noisier copy of the video (ffmpeg), where the detector misses more.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class PrivacyGroundTruthTests
{
    /// <summary>A box keeping more than this share of its original fine detail is visible (calibrated by eye: see docs/privacy.md).</summary>
    public const double VisibleEnergy = 0.5;

    [TestCase("original")]
    [TestCase("dark-noisy")]
    public void SampledEverySecond_EveryGroundTruthPersonMosaicked_NoOtherDetectorFindsAPersonOrFace(string copy)
    {
        string video = copy == "original" ? TestAssets.Video : DarkNoisy();
        var (sampled, live, originals, whole) = RunPipeline(video);
        var gt = MotFile.Read(TestAssets.GroundTruth, true).Where(r => r.Considered).GroupBy(r => r.Frame).ToDictionary(g => g.Key, g => g.ToList());
        var visible = new List<string>();
        var ratios = new List<double>();
        int boxes = 0;
        string shots = Path.Combine(TestAssets.RepoRoot, "TestResults", "privacy", copy);
        Directory.CreateDirectory(shots);
        using var picodet = new PicoDet(Path.Combine(TestAssets.ModelsDirectory, "picodet_s_416_coco.onnx"));
        using var faces = new YuNet(Path.Combine(TestAssets.ModelsDirectory, "face_detection_yunet_2026may.onnx"));
        float worstPerson = 0;
        int faceCount = 0;
        foreach (var (index, jpeg) in sampled)
        {
            using Mat anonymised = Cv2.ImDecode(jpeg, ImreadModes.Color);
            using Mat original = Compressed(originals[index]);
            foreach (MotRow person in gt.GetValueOrDefault(index + 1) ?? [])
            {
                Rect r = Inner(person.Box, anonymised.Width, anonymised.Height);
                if (r.Width * r.Height < 300) continue;   // almost wholly out of the frame
                boxes++;
                double ratio = Retained(original, anonymised, r);
                ratios.Add(ratio);
                if (ratio > VisibleEnergy) visible.Add($"frame {index + 1} person {person.Id} at {r}: {ratio:0.00} of its detail left");
            }
            if (index % 100 == 0 || visible.Count > 0 && visible[^1].StartsWith($"frame {index + 1} ", StringComparison.Ordinal))
                Cv2.ImWrite(Path.Combine(shots, $"frame-{index + 1:000}.png"), anonymised);
            // PicoDet's best person score over a ground-truth person (its false positives on a tripod or a cone are no person).
            worstPerson = Math.Max(worstPerson, picodet.BestPersonScore(anonymised, gt.GetValueOrDefault(index + 1) ?? []));
            faceCount += faces.Count(anonymised, 0.5f);
        }
        // The live view: the same anonymiser, then the tracks drawn (boxes and labels). The other detectors on its frames too.
        foreach (var (index, jpeg) in live)
        {
            using Mat frame = Cv2.ImDecode(jpeg, ImreadModes.Color);
            worstPerson = Math.Max(worstPerson, picodet.BestPersonScore(frame, gt.GetValueOrDefault(index + 1) ?? []));
            faceCount += faces.Count(frame, 0.5f);
        }
        ratios.Sort();
        TestContext.Out.WriteLine($"{copy}: {sampled.Count} frames sampled and {live.Count} live frames ({whole} mosaicked whole while the background was learnt), {boxes} ground-truth boxes; "
            + $"detail left median {ratios[ratios.Count / 2]:0.000}, max {ratios[^1]:0.000}; PicoDet best person score {worstPerson:0.00}; YuNet faces ≥ 0.5: {faceCount} "
            + $"(in the original frames: {originals.Values.Sum(o => faces.Count(o, 0.5f))})");
        foreach (string v in visible) TestContext.Out.WriteLine(v);
        Assert.That(sampled.Count, Is.GreaterThan(70), "a frame every second of the 79-s video");
        Assert.That(live.Count, Is.GreaterThan(70), "and a live frame every second");
        Assert.That(boxes, Is.GreaterThan(400), "the ground truth's people were there to hide");
        Assert.That(visible, Is.Empty, "every ground-truth person mosaicked in every sampled frame");
        Assert.That(worstPerson, Is.LessThan(0.3f), "PicoDet (not the masking detector) finds no person ≥ 0.3 in an uploaded or live frame");
        Assert.That(faceCount, Is.Zero, "YuNet finds no face ≥ 0.5 in an uploaded or live frame");
    }

    [Test]
    public void EnergyMeasure_SeesAVisiblePersonAndAMosaickedOne()
    {
        // The measure itself, on frame 300's people: untouched they keep all their energy, mosaicked (4 cells) almost none.
        var (frame, people) = TestAssets.FrameWithGroundTruth(300);
        using (frame)
        {
            using Mat original = Compressed(frame);
            byte[] jpeg = new FrameAnonymiser(new FrameOptions()).Anonymise(frame, people.Take(1).Select(p => p.Box));
            using Mat one = Cv2.ImDecode(jpeg, ImreadModes.Color);
            Rect hidden = Inner(people[0].Box, frame.Width, frame.Height), shown = Inner(people[1].Box, frame.Width, frame.Height);
            double hiddenRatio = Retained(original, one, hidden), shownRatio = Retained(original, one, shown);
            TestContext.Out.WriteLine($"mosaicked {hiddenRatio:0.000}, untouched {shownRatio:0.000}");
            Assert.That(hiddenRatio, Is.LessThan(VisibleEnergy * 0.7));
            Assert.That(shownRatio, Is.GreaterThan(0.9));
        }
    }

    // The video through the camera pipeline, frame by frame at 10 frames/s of fake time, a frame sampled every second.
    private static (List<(int Index, byte[] Jpeg)> Sampled, List<(int Index, byte[] Jpeg)> Live, Dictionary<int, Mat> Originals, long Whole) RunPipeline(string video)
    {
        string dir = TestAssets.NewTempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 7, 0, 0, TimeSpan.Zero));
        DateTimeOffset start = time.GetUtcNow();
        var spool = new FrameSpool(dir, 1L << 30, TimeSpan.FromDays(1), time);
        var options = new FrameOptions { Interval = TimeSpan.FromSeconds(1) };
        var sampler = new FrameSampler(options, spool, time);
        var settings = TestAssets.SettingsFor(video);
        using PersonDetector detector = TestAssets.CreateDetector();
        using var foreground = new ForegroundModel(options);
        var health = new Health.CameraHealth("cam1");
        var channels = new PipelineChannels([health], 2, dropWhenBusy: false);
        var live = new EdgeAgent.Web.LiveFrames(new EdgeAgent.Web.WebOptions { LiveFrameInterval = TimeSpan.FromSeconds(1) }, options, time);
        var liveFrames = new List<(int, byte[])>();
        var pipeline = new CameraPipeline("cam1", detector, settings.Tracking, channels, health, frames: sampler, live: live, foreground: foreground);
        var originals = new Dictionary<int, Mat>();
        long wholeBefore = Metric.Whole;
        using var capture = new VideoCapture(video);
        for (int i = 0; ; i++)
        {
            var image = new Mat();
            if (!capture.Read(image) || image.Empty()) { image.Dispose(); break; }
            if (i % 10 == 0) originals[i] = image.Clone();
            using var frame = new CapturedFrame("cam1", i + 1, time.GetUtcNow(), image, 10);
            if (i % 50 == 0) live.Watch("cam1");   // someone keeps the live view open: a frame a second
            long before = live.Latest("cam1")?.Version ?? 0;
            pipeline.Process(frame);
            if (live.Latest("cam1") is { } made && made.Version != before) liveFrames.Add((i, made.Jpeg));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }
        var sampled = spool.Oldest(1000).Select(f => ((int)Math.Round((f.CapturedAt - start).TotalMilliseconds / 100), File.ReadAllBytes(f.Path))).ToList();
        Assert.That(sampled.All(s => originals.ContainsKey(s.Item1)), Is.True, "sampled every 10th frame");
        return (sampled, liveFrames, originals, Metric.Whole - wholeBefore);
    }

    // A darker, noisier copy of the sample video, made by ffmpeg once per run.
    private static string DarkNoisy()
    {
        string path = Path.Combine(TestAssets.NewTempDirectory(), "vtest-dark-noisy.avi");
        var psi = new ProcessStartInfo("ffmpeg", ["-v", "error", "-y", "-i", TestAssets.Video, "-vf", "eq=brightness=-0.18:contrast=0.65,noise=alls=14:allf=t",
            "-c:v", "mjpeg", "-q:v", "3", path]) { RedirectStandardError = true };
        using Process p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, err);
        return path;
    }

    private static Mat Compressed(Mat frame)
    {
        Cv2.ImEncode(".jpg", frame, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, new FrameOptions().JpegQuality));
        return Cv2.ImDecode(jpeg, ImreadModes.Color);
    }

    // The box shrunk by a tenth on each side (its border may belong to what is next to it), clamped to the frame.
    private static Rect Inner(BoundingBox b, int width, int height)
    {
        float w = b.X2 - b.X1, h = b.Y2 - b.Y1;
        int x1 = (int)Math.Clamp(b.X1 + 0.1f * w, 0, width), y1 = (int)Math.Clamp(b.Y1 + 0.1f * h, 0, height);
        int x2 = (int)Math.Clamp(b.X2 - 0.1f * w, 0, width), y2 = (int)Math.Clamp(b.Y2 - 0.1f * h, 0, height);
        return new Rect(x1, y1, Math.Max(0, x2 - x1), Math.Max(0, y2 - y1));
    }

    // The share of the original's fine detail still present in the anonymised box: the high-pass of each (the grey image
    // minus its Gaussian blur, σ 1.5 px), projected on the original's. A visible person keeps nearly all of it; a mosaic's
    // cells are flat, and their edges do not follow the person's, so it keeps next to none.
    private static double Retained(Mat original, Mat anonymised, Rect r)
    {
        using Mat a = HighPass(original, r), b = HighPass(anonymised, r);
        double own = a.Dot(a);
        return own <= 1e-6 ? 0 : Math.Max(0, a.Dot(b) / own);
    }

    private static Mat HighPass(Mat image, Rect r)
    {
        using var region = new Mat(image, r);
        using var grey = new Mat();
        using var blurred = new Mat();
        Cv2.CvtColor(region, grey, ColorConversionCodes.BGR2GRAY);
        var f = new Mat();
        grey.ConvertTo(f, MatType.CV_64F);
        Cv2.GaussianBlur(f, blurred, new Size(0, 0), 1.5);
        Cv2.Subtract(f, blurred, f);
        return f;
    }

    private static class Metric
    {
        private static long _whole;
        private static readonly System.Diagnostics.Metrics.MeterListener Listener = Start();

        public static long Whole => Interlocked.Read(ref _whole);

        private static System.Diagnostics.Metrics.MeterListener Start()
        {
            var l = new System.Diagnostics.Metrics.MeterListener();
            l.InstrumentPublished = (i, listener) => { if (i.Name == "edge.frames.wholly_mosaicked") listener.EnableMeasurementEvents(i); };
            l.SetMeasurementEventCallback<long>((_, v, _, _) => Interlocked.Add(ref _whole, v));
            l.Start();
            return l;
        }
    }

    // The reference detectors' sessions: errors only in the log (the PicoDet export warns about every initializer), one thread.
    private static SessionOptions Quiet() => new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, IntraOpNumThreads = 1 };

    /// <summary>YuNet (OpenCV Zoo, 2026may) through ONNX Runtime: anchors scoring ≥ a threshold (BGR 0..255, sides multiples of 32).</summary>
    private sealed class YuNet(string path) : IDisposable
    {
        private readonly InferenceSession _session = new(path, Quiet());
        private readonly RunOptions _run = new();

        public int Count(Mat bgr, float threshold)
        {
            int w = bgr.Width / 32 * 32, h = bgr.Height / 32 * 32;
            var input = new float[3 * w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    Vec3b p = bgr.At<Vec3b>(y, x);
                    for (int c = 0; c < 3; c++) input[c * w * h + y * w + x] = p[c];
                }
            using var tensor = OrtValue.CreateTensorValueFromMemory(input, [1, 3, h, w]);
            string[] names = [.. _session.OutputMetadata.Keys];
            using var outputs = _session.Run(_run, [_session.InputMetadata.Keys.First()], [tensor], names);
            var byName = names.Zip(outputs).ToDictionary(x => x.First, x => x.Second.GetTensorDataAsSpan<float>().ToArray());
            int found = 0;
            foreach (string stride in new[] { "8", "16", "32" })
            {
                float[] cls = byName[$"cls_{stride}"], obj = byName[$"obj_{stride}"];
                for (int i = 0; i < cls.Length; i++)
                    if (Math.Sqrt(Math.Clamp(cls[i], 0, 1) * Math.Clamp(obj[i], 0, 1)) >= threshold) found++;
            }
            return found;
        }

        public void Dispose()
        {
            _run.Dispose();
            _session.Dispose();
        }
    }

    /// <summary>PP-PicoDet-S (COCO), another detector family: the best person (class 0) score of a box on a ground-truth person.</summary>
    private sealed class PicoDet(string path) : IDisposable
    {
        private const int S = 416;
        private readonly InferenceSession _session = new(path, Quiet());
        private readonly RunOptions _run = new();

        public float BestPersonScore(Mat bgr, IReadOnlyList<MotRow> people)
        {
            using var resized = new Mat();
            Cv2.Resize(bgr, resized, new Size(S, S), 0, 0, InterpolationFlags.Linear);
            var input = new float[3 * S * S];
            float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
            for (int y = 0; y < S; y++)
                for (int x = 0; x < S; x++)
                {
                    Vec3b p = resized.At<Vec3b>(y, x);
                    for (int c = 0; c < 3; c++) input[c * S * S + y * S + x] = (p[2 - c] / 255f - mean[c]) / std[c];   // RGB
                }
            using var tensor = OrtValue.CreateTensorValueFromMemory(input, [1, 3, S, S]);
            string name = _session.InputMetadata.Keys.First();
            using var outputs = _session.Run(_run, [name], [tensor], _session.OutputMetadata.Keys.ToArray());
            // Class scores [1,N,80] (sigmoid applied) and box distributions [1,N,32] per level, paired by N (strides 8..64).
            var levels = outputs.Select(o => (Shape: o.GetTensorTypeAndShape().Shape, Data: o.GetTensorDataAsSpan<float>().ToArray())).ToList();
            var scores = levels.Where(o => o.Shape[^1] == 80).ToList();
            var dists = levels.Where(o => o.Shape[^1] == 32).ToList();
            double sx = bgr.Width / (double)S, sy = bgr.Height / (double)S;
            float best = 0;
            foreach (var level in scores)
            {
                long n = level.Shape[1];
                float[] reg = dists.Single(d => d.Shape[1] == n).Data, cls = level.Data;
                int grid = (int)Math.Round(Math.Sqrt(n)), stride = grid switch { 52 => 8, 26 => 16, 13 => 32, _ => 64 };
                for (int i = 0; i < n; i++)
                {
                    float score = cls[i * 80];
                    if (score < 0.3f || score <= best) continue;
                    double cx = (i % grid + 0.5) * stride, cy = (i / grid + 0.5) * stride;
                    double[] d = new double[4];
                    for (int side = 0; side < 4; side++)
                    {
                        ReadOnlySpan<float> bins = reg.AsSpan(i * 32 + side * 8, 8);
                        float max = float.MinValue;
                        foreach (float v in bins) max = Math.Max(max, v);
                        double sum = 0, expect = 0;
                        for (int k = 0; k < 8; k++) { double e = Math.Exp(bins[k] - max); sum += e; expect += e * k; }
                        d[side] = expect / sum * stride;
                    }
                    var box = new BoundingBox((float)((cx - d[0]) * sx), (float)((cy - d[1]) * sy), (float)((cx + d[2]) * sx), (float)((cy + d[3]) * sy));
                    if (people.Any(p => Overlap(box, p.Box) >= 0.3)) best = score;
                }
            }
            return best;
        }

        private static double Overlap(BoundingBox a, BoundingBox b)
        {
            double w = Math.Max(0, Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1)), h = Math.Max(0, Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1));
            double inter = w * h, union = (a.X2 - a.X1) * (a.Y2 - a.Y1) + (b.X2 - b.X1) * (b.Y2 - b.Y1) - inter;
            return union <= 0 ? 0 : inter / union;
        }

        public void Dispose()
        {
            _run.Dispose();
            _session.Dispose();
        }
    }
}

/// <summary>The background model's stricter cases: nothing leaves un-mosaicked while it learns, or after the camera moved.</summary>
[Category("Integration")]
public class ForegroundModelTests
{
    [Test]
    public void Learning_ThenTheCameraMoves_WholeFrameMosaickedUntilTheNewViewIsLearnt()
    {
        var options = new FrameOptions { ForegroundLearnFrames = 30 };
        using var model = new ForegroundModel(options);
        var anonymiser = new FrameAnonymiser(options);
        using var capture = new VideoCapture(TestAssets.Video);
        using var frame = new Mat();
        for (int i = 0; i < 29; i++)
        {
            Assert.That(capture.Read(frame), Is.True);
            model.Learn(frame, i / 10.0, []);
        }
        Assert.That(new PrivacyMask([], model).Whole, Is.True, "not yet learnt: the whole frame is hidden");
        using (Mat whole = anonymiser.AnonymisedCopy(frame, new PrivacyMask([], model)))
            Assert.That(Detail(frame, whole), Is.LessThan(0.1), "nothing of the frame's detail is left");
        for (int i = 29; i < 80; i++)
        {
            Assert.That(capture.Read(frame), Is.True);
            model.Learn(frame, i / 10.0, []);
        }
        Assert.That(model.Ready, Is.True);
        // The camera is knocked: the view shifts by 60 px and stays there.
        using var moved = new Mat();
        using var shift = new Mat(2, 3, MatType.CV_64FC1, Scalar.All(0));
        shift.Set(0, 0, 1.0);
        shift.Set(0, 2, 60.0);
        shift.Set(1, 1, 1.0);
        shift.Set(1, 2, 25.0);
        for (int i = 80; i < 90; i++)
        {
            Assert.That(capture.Read(frame), Is.True);
            Cv2.WarpAffine(frame, moved, shift, frame.Size(), InterpolationFlags.Linear, BorderTypes.Reflect);
            model.Learn(moved, i / 10.0, []);
        }
        Assert.That(model.Restarts, Is.EqualTo(1), "the whole view changed: the model starts over");
        Assert.That(new PrivacyMask([], model).Whole, Is.True, "and the frames are hidden whole until it has learnt the new view");
    }

    private static double Detail(Mat original, Mat anonymised)
    {
        using var a = new Mat();
        using var b = new Mat();
        Cv2.Laplacian(original, a, MatType.CV_64F);
        Cv2.Laplacian(anonymised, b, MatType.CV_64F);
        double own = a.Dot(a);
        return own <= 0 ? 0 : Math.Max(0, a.Dot(b) / own);
    }
}
