using EdgeAgent.Configuration;
using EdgeAgent.Inference;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// Where the real test assets are: the video and ground truth (../shared/data or the paths scripts/test.sh
/// exports), the pulled models, and derived files made by scripts/test.sh (an H.264 stream for RTSP).
/// A missing asset fails the test under CI and is reported as ignored on a developer machine.
/// </summary>
public static class TestAssets
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Video => Require(Environment.GetEnvironmentVariable("EDGE_TEST_VIDEO"),
        Path.Combine(RepoRoot, "..", "shared", "data", "pets09-s2l1", "vtest.avi"),
        Path.Combine(RepoRoot, ".test-assets", "vtest.avi"));

    public static string GroundTruth => Require(Environment.GetEnvironmentVariable("EDGE_TEST_GT"),
        Path.Combine(RepoRoot, "..", "shared", "data", "pets09-s2l1", "gt.txt"));

    public static string ModelsDirectory => Path.Combine(RepoRoot, "models");

    public static string H264Stream => Require(Path.Combine(RepoRoot, ".test-assets", "vtest.ts"));

    public static string RtspServerScript => Path.Combine(RepoRoot, "scripts", "test-support", "rtsp_server.py");

    public static string AgentDll => Path.Combine(AppContext.BaseDirectory, "edge-agent.dll");

    public static DetectorOptions DetectorOptions(string model = "yolox-nano-person-humanart") => new()
    {
        Model = model,
        ModelsDirectory = ModelsDirectory,
        ExecutionProviders = ["CPU"],
        WarmupRuns = 1,
    };

    public static PersonDetector CreateDetector(string model = "yolox-nano-person-humanart")
    {
        string modelPath = Path.Combine(ModelsDirectory, new ModelStore(ModelManifest.Load(Path.Combine(ModelsDirectory, "manifest.json")), ModelsDirectory).Manifest.Get(model).File);
        Require(modelPath);
        return EdgeAgent.Pipeline.PipelineRunner.CreateDetector(DetectorOptions(model), NullLoggerFactory.Instance);
    }

    public static EdgeAgent.Reid.ReidEmbedder CreateEmbedder(int maxBatch = 16)
    {
        var manifest = ModelManifest.Load(Path.Combine(ModelsDirectory, "manifest.json"));
        var store = new ModelStore(manifest, ModelsDirectory);
        return new EdgeAgent.Reid.ReidEmbedder(manifest.Get("osnet-x0_25-msmt17"), store.Resolve("osnet-x0_25-msmt17"), DetectorOptions(), maxBatch,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    }

    public static AgentSettings SettingsFor(string source, string cameraId = "cam1") => new()
    {
        Capture = new EdgeAgent.Capture.CaptureOptions { Cameras = [new EdgeAgent.Capture.CameraOptions { Id = cameraId, Source = source }] },
        Detection = DetectorOptions(),
    };

    /// <summary>One frame of the sample video (1-based, as in the ground truth) and the ground-truth people in it taller than 60 px.</summary>
    public static (OpenCvSharp.Mat Frame, List<EdgeAgent.Evaluation.MotRow> People) FrameWithGroundTruth(int frameNumber)
    {
        using var capture = new OpenCvSharp.VideoCapture(Video);
        capture.Set(OpenCvSharp.VideoCaptureProperties.PosFrames, frameNumber - 1);
        var frame = new OpenCvSharp.Mat();
        Assert.That(capture.Read(frame), Is.True);
        var people = EdgeAgent.Evaluation.MotFile.Read(GroundTruth, true).Where(r => r.Frame == frameNumber && r.Considered && r.Box.Height > 60).ToList();
        return (frame, people);
    }

    public static string NewTempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "edge-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string Require(params string?[] candidates)
    {
        foreach (string? c in candidates)
            if (!string.IsNullOrEmpty(c) && File.Exists(c)) return Path.GetFullPath(c);
        string message = $"test asset missing (tried {string.Join(", ", candidates.Where(c => c is not null))}); run scripts/test.sh, which installs it";
        if (Environment.GetEnvironmentVariable("CI") is "true" or "1") Assert.Fail(message);
        Assert.Ignore(message);
        return "";
    }

    private static string FindRepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "EdgeTracking.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("EdgeTracking.sln not found above the test binaries");
    }
}
