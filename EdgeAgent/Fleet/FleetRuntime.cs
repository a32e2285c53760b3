using System.Text.Json;
using CloudSync.Fleet;
using EdgeAgent.Configuration;
using EdgeAgent.Health;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Fleet;

/// <summary>
/// The fleet side of a running service: the updater fed by the retained desired state, the reported state, and — when
/// this start runs a release on trial — the health gate at <see cref="FleetPolicy.HealthDeadline"/> that keeps it or
/// restores the last known good. Restarts go through <paramref name="restart"/> (exit 75; systemd starts us again).
/// </summary>
public sealed class FleetRuntime(AgentSettings settings, FleetContext context, TimeProvider time, ILogger logger, Action<string> publish, Action restart) : IDisposable
{
    private readonly FleetStore _store = new(settings.Fleet.Directory);
    private readonly CancellationTokenSource _stop = new();
    private ITimer? _gate;
    private HttpClient? _http;

    public FleetUpdater? Updater { get; private set; }

    public static string ToJson(FleetState s, DateTimeOffset at) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["current"] = s.Current, ["desired"] = s.Desired, ["pending"] = s.Pending, ["lastAccepted"] = s.LastAccepted,
        ["failed"] = s.FailedVersion is null && s.FailedReason is null ? null : new Dictionary<string, object?> { ["version"] = s.FailedVersion, ["reason"] = s.FailedReason },
        ["at"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
    });

    public void Start(Func<IReadOnlyCollection<CameraHealth>> cameras, Action<Action<byte[]>> subscribeDesired)
    {
        _http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        Updater = new FleetUpdater(settings, context.ProvisionedConfig, _store, SignedManifest.LoadTrustedKeys(settings.Fleet.PublicKeyFile), _http, logger,
            s => publish(ToJson(s, time.GetUtcNow())), restart);
        subscribeDesired(Updater.Offer);
        _ = Task.Run(() => Updater.RunAsync(_stop.Token));
        if (context.OnTrial is { } trial)
            _gate = time.CreateTimer(_ => Decide(trial, cameras()), null, settings.Fleet.HealthDeadline, Timeout.InfiniteTimeSpan);
    }

    private void Decide(long trial, IReadOnlyCollection<CameraHealth> cameras)
    {
        FleetState state = _store.Load();
        if (state.Pending != trial) return;
        string? unhealthy = FleetHealthGate.Unhealthy(cameras, time.GetTimestamp(), time.TimestampFrequency, TimeSpan.FromSeconds(10));
        if (unhealthy is null)
        {
            state = state with { Current = trial, Pending = null, PendingStarts = 0 };
            _store.Save(state);
            _store.EndAgentTrial();
            _store.CollectGarbage();
            FleetLog.Committed(logger, trial);
            publish(ToJson(state, time.GetUtcNow()));
            return;
        }
        string reason = $"health gate: {unhealthy} within {settings.Fleet.HealthDeadline}";
        _store.EndAgentTrial();
        _store.RollBack();
        state = state with { Pending = null, PendingStarts = 0, FailedVersion = trial, FailedReason = reason };
        _store.Save(state);
        FleetLog.RolledBack(logger, trial, reason);
        publish(ToJson(state, time.GetUtcNow()));
        restart();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _gate?.Dispose();
        _http?.Dispose();
        _stop.Dispose();
    }
}
