using EdgeAgent.Tracking;
using EdgeAgent.Capture;
using EdgeAgent.Configuration;
using EdgeAgent.Health;
using EdgeAgent.Inference;
using EdgeAgent.Reid;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Composes the pipeline for a set of cameras — one capture thread each, one shared detector, one tracker
/// per camera — and runs it until every camera ends or the token is cancelled. The replay command and the
/// service both run exactly this.
/// </summary>
public sealed class PipelineRunner : IDisposable
{
    private readonly AgentSettings _settings;
    private readonly List<CameraCapture> _captures = [];
    private readonly List<CameraPipeline> _pipelines = [];
    private readonly bool _ownsDetector;
    private readonly Roles.UniformClassifier? _uniforms;

    public PipelineRunner(AgentSettings settings, PersonDetector detector, bool dropWhenBusy, ILoggerFactory loggers, TimeProvider time, bool ownsDetector = true,
                          ReidEmbedder? embedder = null, Frames.FrameSampler? frames = null, ILiveFrames? live = null)
    {
        _settings = settings;
        Detector = detector;
        _ownsDetector = ownsDetector;
        Health = settings.Capture.Cameras.ToDictionary(c => c.Id, c => new CameraHealth(c.Id), StringComparer.Ordinal);
        Channels = new PipelineChannels(Health.Values, settings.Capture.QueueCapacity, dropWhenBusy);
        ILogger captureLogger = loggers.CreateLogger("EdgeAgent.Capture");
        _uniforms = settings.Roles.Uniforms.Count > 0 ? new Roles.UniformClassifier(settings.Roles.Uniforms) : null;
        foreach (CameraOptions camera in settings.Capture.Cameras)
        {
            _captures.Add(new CameraCapture(camera, settings.Capture, Channels.Frames(camera.Id).Writer, Health[camera.Id], time, captureLogger));
            _pipelines.Add(new CameraPipeline(camera.Id, detector, settings.Tracking, Channels, Health[camera.Id], embedder, settings.Reid,
                _uniforms is null ? null : new Roles.TrackRoles(_uniforms, settings.Roles), frames, live,
                settings.Frames.Foreground && (frames is not null || live is not null) ? Track(new Frames.ForegroundModel(settings.Frames)) : null));
        }
    }

    /// <summary>Loads and verifies the configured detector model and creates the shared session.</summary>
    public static PersonDetector CreateDetector(DetectorOptions options, ILoggerFactory loggers)
    {
        string manifestPath = options.ManifestPath ?? Path.Combine(options.ModelsDirectory, "manifest.json");
        var store = new ModelStore(ModelManifest.Load(manifestPath), options.ModelsDirectory);
        ModelEntry entry = store.Manifest.Get(options.Model);
        string path = store.Resolve(options.Model);
        return new PersonDetector(entry, path, options, loggers.CreateLogger("EdgeAgent.Inference"));
    }

    /// <summary>Loads the re-identification model when the policy is not Off; null otherwise.</summary>
    public static ReidEmbedder? CreateEmbedder(AgentSettings settings, ILoggerFactory loggers)
    {
        if (settings.Reid.Policy == AppearancePolicy.Off) return null;
        DetectorOptions d = settings.Detection;
        string manifestPath = d.ManifestPath ?? Path.Combine(d.ModelsDirectory, "manifest.json");
        var store = new ModelStore(ModelManifest.Load(manifestPath), d.ModelsDirectory);
        return new ReidEmbedder(store.Manifest.Get(settings.Reid.Model), store.Resolve(settings.Reid.Model), d, settings.Reid.MaxBatch,
            loggers.CreateLogger("EdgeAgent.Reid"));
    }

    public PersonDetector Detector { get; }
    public PipelineChannels Channels { get; }
    public IReadOnlyDictionary<string, CameraHealth> Health { get; }

    /// <summary>
    /// Starts capture and the per-camera loops; completes the track channel when all cameras have ended.
    /// Faults with the first camera failure (e.g. an unreadable file) after the others have stopped.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        foreach (CameraCapture capture in _captures) capture.Start(ct);
        var loops = _pipelines.Select(p => Task.Factory.StartNew(() => p.RunAsync(ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToList();
        Exception? failure = null;
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = e;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Channels.Tracks.Writer.TryComplete(failure);
        }
        foreach (CameraCapture capture in _captures)
        {
            try { await capture.Completion.ConfigureAwait(false); }
            catch (Exception e) when (e is CaptureException or IOException or OpenCvSharp.OpenCVException) { failure ??= e; }
        }
        if (failure is not null) throw failure;
    }

    private readonly List<Frames.ForegroundModel> _foregrounds = [];

    private Frames.ForegroundModel Track(Frames.ForegroundModel model)
    {
        _foregrounds.Add(model);
        return model;
    }

    public void Dispose()
    {
        foreach (Frames.ForegroundModel f in _foregrounds) f.Dispose();
        foreach (CameraCapture capture in _captures) capture.Dispose();
        foreach (string id in Health.Keys)
            while (Channels.Frames(id).Reader.TryRead(out CapturedFrame? f)) f.Dispose();
        if (_ownsDetector) Detector.Dispose();
        _uniforms?.Dispose();
    }
}
