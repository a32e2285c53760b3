using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using CloudSync.Fleet;
using EdgeAgent.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Fleet;

/// <summary>
/// Takes the fleet's desired state: verifies the signature and the anti-rollback version, plans (what differs from
/// what runs), fetches each artifact with its size and hash checked, stages a whole release (the configuration, the
/// models, a models manifest naming their hashes), validates it with the same validators as the file at start, then
/// activates it atomically and asks for a restart: the new release runs on trial until the health gate passes
/// (<see cref="FleetHealthGate"/>), else the last known good returns. Every refusal leaves the running release
/// untouched and is reported with its reason.
/// </summary>
public sealed class FleetUpdater
{
    private readonly AgentSettings _settings;
    private readonly string _baseConfig;
    private readonly FleetStore _store;
    private readonly IReadOnlyDictionary<string, ECDsa> _trusted;
    private readonly ArtifactFetcher _fetcher;
    private readonly ILogger _logger;
    private readonly Action<FleetState> _report;
    private readonly Action _restart;
    private readonly Channel<byte[]> _desired = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <param name="baseConfig">The provisioned configuration file (a release without a configuration of its own keeps it).</param>
    /// <param name="report">Called with the state after every decision (published retained on <c>…/fleet/reported</c>).</param>
    /// <param name="restart">Stops the agent so that systemd starts it on the new release.</param>
    public FleetUpdater(AgentSettings settings, string baseConfig, FleetStore store, IReadOnlyDictionary<string, ECDsa> trusted, HttpClient http,
        ILogger logger, Action<FleetState> report, Action restart)
    {
        _settings = settings;
        _baseConfig = baseConfig;
        _store = store;
        _trusted = trusted;
        _fetcher = new ArtifactFetcher(http);
        _logger = logger;
        _report = report;
        _restart = restart;
    }

    /// <summary>A desired-state document arrived (retained: at every subscription); the latest one wins.</summary>
    public void Offer(byte[] document) => _desired.Writer.TryWrite(document);

    public async Task RunAsync(CancellationToken ct)
    {
        _report(_store.Load());
        await foreach (byte[] document in _desired.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (await ApplyAsync(document, ct).ConfigureAwait(false)) return;   // activated: the agent restarts on it
        }
    }

    /// <summary>Handles one document; true when a new release was activated (a restart follows).</summary>
    public async Task<bool> ApplyAsync(byte[] document, CancellationToken ct)
    {
        FleetState state = _store.Load();
        long? version = null;
        try
        {
            JsonObject manifest = SignedManifest.Verify(document, _trusted, _settings.Fleet.MaxManifestBytes);
            version = manifest["version"] is System.Text.Json.Nodes.JsonValue vv && vv.TryGetValue(out long signedVersion) ? signedVersion : null;
            if (version is not null) _store.Save(state = state with { Desired = version });   // what the fleet asks, even if refused below
            DesiredState desired = DesiredState.Parse(manifest, _settings.Fleet);
            if (desired.Site != _settings.Ward.Site || !desired.Wards.Contains(_settings.Ward.Id, StringComparer.Ordinal))
                throw new FleetRefusal($"for {desired.Site}/{string.Join(",", desired.Wards)}, this device is {_settings.Ward.Site}/{_settings.Ward.Id}");
            if (desired.Version == state.Current || desired.Version == state.Pending) return false;   // already running it (or on trial)
            if (desired.Version == state.FailedVersion && !state.FailedTransient) return false;   // the retained document again: its refusal stands as reported
            if (desired.Version <= state.LastAccepted)
                throw new FleetRefusal($"version {desired.Version} is not newer than {state.LastAccepted} (anti-rollback: a rollback is a new, higher version)");
            FleetLog.Staging(_logger, desired.Version);
            string release = await StageAsync(desired, ct).ConfigureAwait(false);
            // The trial is recorded first, then the switch: a crash between the two finishes the switch at the next start
            // (the release is whole and validated), so the state never claims a trial of a release that is not current.
            state = state with { LastAccepted = desired.Version, Pending = desired.Version, PendingStarts = 0, FailedVersion = null, FailedReason = null, FailedTransient = false };
            _store.Save(state);
            if (desired.Agent is not null) _store.MarkAgentTrial(desired.Version);   // the launcher counts the new agent's starts
            _store.Activate(release);
            FleetLog.Activated(_logger, desired.Version);
            _report(state);
            _restart();
            return true;
        }
        catch (Exception e) when (e is FleetRefusal or IOException or UnauthorizedAccessException or InvalidOperationException or JsonException or FormatException
                                  or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // A refusal, or a failure on the way (disk, download): reported, and the running release stays.
            string reason = e is FleetRefusal ? e.Message : $"{e.GetType().Name}: {e.Message}";
            FleetLog.Refused(_logger, version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?", reason);
            state = _store.Load();
            if (version is { } v && state.Pending == v && _store.CurrentRelease != _store.ReleaseDirectory(v)) state = state with { Pending = null };   // switch never happened
            // A refusal stands; a failure on the way (download, disk) is tried again when the retained document comes back.
            state = state with { FailedVersion = version, FailedReason = reason, FailedTransient = e is not FleetRefusal { Transient: false } };
            _store.Save(state);
            _report(state);
            return false;
        }
    }

    // Downloads into releases/<v>.staging, checks everything, then renames it to releases/<v>.
    private async Task<string> StageAsync(DesiredState desired, CancellationToken ct)
    {
        string final = _store.ReleaseDirectory(desired.Version), staging = final + ".staging";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        string models = Path.Combine(staging, "models");
        Directory.CreateDirectory(models);
        try
        {
            // The configuration: the one named, else the one running now.
            string config = Path.Combine(staging, "appsettings.json");
            if (desired.Config is { } c) await _fetcher.FetchAsync(c with { File = "appsettings.json" }, config, ct).ConfigureAwait(false);
            else File.Copy(_store.CurrentRelease is { } cur ? Path.Combine(cur, "appsettings.json") : _baseConfig, config);

            // The models: the provisioned manifest with the hashes (and files) of the models this release replaces.
            string baseModels = Path.GetFullPath(_settings.Detection.ModelsDirectory);
            string baseManifest = _settings.Detection.ManifestPath ?? Path.Combine(baseModels, "manifest.json");
            var manifest = JsonNode.Parse(File.ReadAllText(baseManifest))!.AsObject();
            var entries = manifest["models"]!.AsArray();
            foreach (Artifact a in desired.Models)
            {
                JsonObject entry = entries.OfType<JsonObject>().FirstOrDefault(e => a.Model is { } m ? (string?)e["name"] == m : (string?)e["file"] == a.File)
                    ?? throw new FleetRefusal($"model {a.Model ?? a.File}: not in this device's model manifest (a new model family comes with an agent release)");
                await _fetcher.FetchAsync(a, Path.Combine(models, a.File), ct).ConfigureAwait(false);
                entry["file"] = a.File;
                entry["sha256"] = a.Sha256;
            }
            foreach (JsonObject entry in entries.OfType<JsonObject>())
            {
                string file = (string)entry["file"]!, target = Path.Combine(models, file);
                if (!File.Exists(target) && File.Exists(Path.Combine(baseModels, file))) File.CreateSymbolicLink(target, Path.Combine(baseModels, file));
            }
            File.WriteAllText(Path.Combine(models, "manifest.json"), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

            // The agent: a new one unpacked safely, else the one the running release brought (kept with the release).
            string agent = Path.Combine(staging, "agent");
            if (desired.Agent is { } release)
            {
                string tarball = Path.Combine(staging, release.File);
                await _fetcher.FetchAsync(release, tarball, ct).ConfigureAwait(false);
                SafeArchive.ExtractTarGz(tarball, agent);
                File.Delete(tarball);
                if (!File.Exists(Path.Combine(agent, "edge-agent"))) throw new FleetRefusal($"{release.File}: no 'edge-agent' executable at the top of the archive");
            }
            else if (_store.CurrentRelease is { } running && Directory.Exists(Path.Combine(running, "agent")))
            {
                CopyDirectory(Path.Combine(running, "agent"), agent);
            }

            // The same validation as at start, on the release as it will run.
            AgentSettings next;
            try { next = SettingsLoader.Load(config, ReleaseOverrides(staging), requireCameras: true); }
            catch (ConfigurationException e) { throw new FleetRefusal($"configuration: {string.Join("; ", e.Problems)}"); }
            if (!next.Fleet.Enabled || Path.GetFullPath(next.Fleet.Directory) != _store.Directory)
                throw new FleetRefusal("configuration: Fleet:Enabled and Fleet:Directory must stay as they are (the device would stop taking updates)");
            // Where the agent writes and whom it trusts are the provisioning's, not the fleet's to move.
            foreach (var (key, now, then) in new (string, string, string)[]
                     {
                         ("Output:Directory", _settings.Output.Directory, next.Output.Directory),
                         ("Output:StateDirectory", _settings.Output.StateDirectory, next.Output.StateDirectory),
                         ("Sync:Outbox:Directory", _settings.Sync.Outbox.Directory, next.Sync.Outbox.Directory),
                         ("Sync:Blob:SpoolDirectory", _settings.Sync.Blob.SpoolDirectory, next.Sync.Blob.SpoolDirectory),
                         ("Fleet:PublicKeyFile", _settings.Fleet.PublicKeyFile, next.Fleet.PublicKeyFile),
                     })
                if (Path.GetFullPath(now) != Path.GetFullPath(then))
                    throw new FleetRefusal($"configuration: {key} is '{then}', the device's is '{now}': a fleet configuration cannot move the agent's files or its trusted key");

            // A new model must not track worse than the running one on the device's own clip.
            if (desired.Models.Count > 0 && _settings.Fleet.ValidationClip is { Length: > 0 })
            {
                string? running = _store.CurrentRelease;
                string runningConfig = running is null ? _baseConfig : Path.Combine(running, "appsettings.json");
                string runningModels = running is null ? baseModels : Path.Combine(running, "models");
                if (await new ReplayGate(_settings.Fleet).CompareAsync(runningConfig, runningModels, config, models, ct).ConfigureAwait(false) is { } refused)
                    throw new FleetRefusal(refused);
            }
            Directory.Move(staging, final);
            return final;
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }

    /// <summary>What a release overrides in its configuration: its own models.</summary>
    public static Dictionary<string, string?> ReleaseOverrides(string release) => new()
    {
        ["Detection:ModelsDirectory"] = Path.Combine(release, "models"),
        ["Detection:ManifestPath"] = Path.Combine(release, "models", "manifest.json"),
    };
}
