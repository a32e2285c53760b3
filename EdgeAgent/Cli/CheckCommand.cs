using EdgeAgent.Capture;
using EdgeAgent.Configuration;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent check --config FILE [--probe]</c>: refuses everything <c>run</c> would refuse before any camera
/// opens — the configuration (exit 3), the state paths and a state directory another agent holds (exit 3), the models
/// present, matching their sha256 and loadable with the input the manifest says (exit 4, loaded exactly as <c>run</c>
/// loads them) — and with <c>--probe</c> opens every camera and reads one frame (exit 5 naming the camera).
/// Provisioning and fleet updates use it.
/// </summary>
public static class CheckCommand
{
    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "probe" };

    public static int Run(CliArgs cli)
    {
        string config = cli.Get("config") ?? throw new CliException("--config is required");
        bool probe = cli.Has("probe");
        Console.WriteLine(Check(config, probe));
        return ExitCodes.Ok;
    }

    /// <summary>Everything <c>run</c> would refuse, thrown as it would be (see the class); the one-line verdict otherwise.</summary>
    public static string Check(string config, bool probe)
    {
        AgentSettings s = SettingsLoader.Load(config, overrides: null, requireCameras: true);
        if (StatePaths.LockProblem(s) is { } held) throw new ConfigurationException([held]);   // what run would refuse
        ILoggerFactory quiet = NullLoggerFactory.Instance;
        using (PipelineRunner.CreateDetector(s.Detection, quiet)) { }
        using (PipelineRunner.CreateEmbedder(s, quiet)) { }
        string models = s.Reid.Policy == Tracking.AppearancePolicy.Off ? s.Detection.Model : $"{s.Detection.Model}, {s.Reid.Model}";
        if (probe)
            foreach (CameraOptions camera in s.Capture.Cameras) Probe(camera, s.Capture);
        return $"{config}: valid ({s.Capture.Cameras.Count} camera(s){(probe ? ", each delivering" : "")}, {s.Zones.Areas.Count} zone(s), " +
            $"{s.Sync.Destinations.Count} destination(s); models {models} verified)";
    }

    // One frame from the camera within its open timeout, or a capture error naming it.
    private static void Probe(CameraOptions camera, CaptureOptions options)
    {
        using var timeout = new CancellationTokenSource(options.OpenTimeout + TimeSpan.FromSeconds(5));
        try
        {
            using IFrameSource source = FrameSourceFactory.Open(camera, options, timeout.Token);
            for (int attempt = 0; attempt < 25; attempt++)
            {
                ReadResult r = source.Read(out Mat? frame);
                frame?.Dispose();
                if (r == ReadResult.Frame) return;
                if (r is ReadResult.Failed or ReadResult.EndOfStream) break;
            }
            throw new CaptureException($"camera '{camera.Id}' ({Redact(camera.Source)}): opened but delivered no frame ");
        }
        catch (Exception e) when (e is CaptureException or OperationCanceledException or OpenCVException or IOException or InvalidOperationException)
        {
            string why = Redact(e.Message);
            throw new CaptureException(why.StartsWith($"camera '{camera.Id}'", StringComparison.Ordinal) ? why : $"camera '{camera.Id}' ({Redact(camera.Source)}): {why}");
        }
    }

    // Camera URLs can carry credentials (rtsp://user:pass@host): never print them.
    private static string Redact(string text) => CameraOptions.Redact(text);
}
