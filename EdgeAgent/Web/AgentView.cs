using System.Collections.Concurrent;
using EdgeAgent.Capture;
using EdgeAgent.Configuration;
using EdgeAgent.Health;

namespace EdgeAgent.Web;

/// <summary>
/// What the web server may see of the running agent, and the one way it may change it. Everything it shows comes through
/// its constructor: the agent's status, the live frames and the dashboard's board. A saved configuration is handed to the
/// event loop, which applies it between two batches (the web server's threads never touch the zone engine).
/// </summary>
public sealed class AgentView
{
    private readonly ConcurrentQueue<(AgentSettings Settings, TaskCompletionSource<long> Applied)> _reconfigure = new();
    private readonly ConcurrentDictionary<string, (long At, long Processed, long Captured)> _rates = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private volatile AgentSettings _settings;

    public AgentView(AgentSettings settings, string configPath, TimeProvider time, IAgentStatus status, LiveFrames live, WardBoard board, string? readOnly = null)
    {
        ReadOnlyReason = readOnly;
        _settings = settings;
        _time = time;
        ConfigPath = configPath;
        Status = status;
        Board = board;
        Live = live;
        Live.SetOverlay(settings);
        _started = time.GetTimestamp();
    }

    public WardBoard Board { get; }
    public LiveFrames Live { get; }
    public string ConfigPath { get; }
    private readonly long _started;

    /// <summary>Time since the view was made (the agent's start).</summary>
    public TimeSpan Uptime => _time.GetElapsedTime(_started);

    /// <summary>The settings in effect (the zones and calibrations change when the editor saves).</summary>
    public AgentSettings Settings => _settings;

    /// <summary>True when fleet updates own the configuration: the editor may then not write the file.</summary>
    public bool FleetManaged => _settings.Fleet.Enabled;

    /// <summary>Why the editor may not save here (a replay), or null.</summary>
    public string? ReadOnlyReason { get; }

    /// <summary>The running agent's cameras, models, outbox, destinations and liveness.</summary>
    public IAgentStatus Status { get; }

    /// <summary>
    /// Frames processed per second, and the share of captured frames processed (the box's load: under 1 it cannot keep
    /// up), since the previous call at least a second ago (null at the first).
    /// </summary>
    public (double? Fps, double? Share) Load(CameraHealth camera)
    {
        long now = _time.GetTimestamp();
        long processed = camera.FramesProcessed, captured = camera.FramesCaptured;
        if (!_rates.TryGetValue(camera.CameraId, out var previous))
        {
            _rates[camera.CameraId] = (now, processed, captured);
            return (null, null);
        }
        double seconds = (now - previous.At) / (double)_time.TimestampFrequency;
        if (seconds < 1) return _lastRates.GetValueOrDefault(camera.CameraId);
        double rate = Math.Round((processed - previous.Processed) / seconds, 1);
        long newlyCaptured = captured - previous.Captured;
        double? share = newlyCaptured > 0 ? Math.Round(Math.Min(1, (processed - previous.Processed) / (double)newlyCaptured), 3) : null;
        _rates[camera.CameraId] = (now, processed, captured);
        _lastRates[camera.CameraId] = (rate, share);
        return (rate, share);
    }

    private readonly ConcurrentDictionary<string, (double? Fps, double? Share)> _lastRates = new(StringComparer.Ordinal);

    /// <summary>Hands validated settings to the event loop; completes with the last event sequence once applied.</summary>
    public Task<long> Reconfigure(AgentSettings next)
    {
        var applied = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _reconfigure.Enqueue((next, applied));
        return applied.Task;
    }

    /// <summary>The event loop takes a pending reconfiguration.</summary>
    public bool TryTakeReconfiguration(out AgentSettings next, out TaskCompletionSource<long> applied)
    {
        if (_reconfigure.TryDequeue(out var item))
        {
            (next, applied) = item;
            return true;
        }
        (next, applied) = (null!, null!);
        return false;
    }

    /// <summary>The event loop applied new settings.</summary>
    public void Applied(AgentSettings settings)
    {
        _settings = settings;
        Live.SetOverlay(settings);
    }

    public static IReadOnlyDictionary<string, long> Drops(CameraHealth h) =>
        Enum.GetValues<DropReason>().ToDictionary(r => r.Tag(), h.Dropped, StringComparer.Ordinal);
}
