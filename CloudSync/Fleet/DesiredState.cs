using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CloudSync.Fleet;

/// <summary>One file the device must fetch: where, its SHA-256 and its exact size (a longer or shorter download is refused).</summary>
public sealed record Artifact(string File, Uri Url, string Sha256, long Size, string? Model = null);

/// <summary>
/// A ward's desired state (<c>edgetracking.desired.v1</c>), as signed by the fleet: a version that only goes up (the
/// anti-rollback counter: an older manifest, however validly signed, is refused), the target, the configuration file
/// and the models. A rollback is a new manifest with a higher version pointing at the older artifacts. The target is one
/// ward (<c>"ward"</c>) or a group (<c>"wards": [...]</c>), one signature for a whole rollout.
/// </summary>
public sealed partial record DesiredState(long Version, string Site, IReadOnlyList<string> Wards, Artifact? Config, IReadOnlyList<Artifact> Models, DateTimeOffset IssuedAt, Artifact? Agent = null)
{
    public const string SchemaId = "edgetracking.desired.v1";
    public const int MaxModels = 16;
    public const int MaxConfigBytes = 256 * 1024;

    /// <summary>Reads and checks a manifest's content; every problem is a refusal with a reason.</summary>
    public static DesiredState Parse(JsonObject m, FleetPolicy policy)
    {
        string Str(string key) => m[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new FleetRefusal($"{key}: required, a string");
        if (Str("schema") != SchemaId) throw new FleetRefusal($"schema: must be {SchemaId}");
        foreach (var (key, _) in m)
            if (key is not ("schema" or "version" or "site" or "ward" or "wards" or "config" or "models" or "agent" or "issuedAt")) throw new FleetRefusal($"unknown property '{key}'");
        long version = m["version"] is JsonValue vv && vv.TryGetValue(out long n) && n > 0 ? n : throw new FleetRefusal("version: required, a positive integer");
        string site = Str("site");
        List<string> wards = m["wards"] is JsonArray wa ? wa.Select(w => w is JsonValue v && v.TryGetValue(out string? x) ? x : throw new FleetRefusal("wards: strings")).ToList()
            : m["ward"] is not null ? [Str("ward")] : throw new FleetRefusal("ward or wards: required");
        if (wards.Count is 0 or > 10_000) throw new FleetRefusal("wards: between 1 and 10000");
        if (!DateTimeOffset.TryParse(Str("issuedAt"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset issued))
            throw new FleetRefusal("issuedAt: must be a UTC timestamp");
        Artifact? config = m["config"] is JsonObject c ? ParseArtifact(c, "config", policy) : m["config"] is null ? null : throw new FleetRefusal("config: must be an object");
        if (config is { Size: > MaxConfigBytes }) throw new FleetRefusal($"config.size: {config.Size} bytes, more than {MaxConfigBytes} for a configuration");
        var models = new List<Artifact>();
        if (m["models"] is JsonArray arr)
        {
            if (arr.Count > MaxModels) throw new FleetRefusal($"models: at most {MaxModels}");
            for (int i = 0; i < arr.Count; i++)
                models.Add(arr[i] is JsonObject o ? ParseArtifact(o, $"models[{i}]", policy) : throw new FleetRefusal($"models[{i}]: must be an object"));
        }
        else if (m["models"] is not null) throw new FleetRefusal("models: must be an array");
        if (models.Select(a => a.File).Distinct(StringComparer.Ordinal).Count() != models.Count) throw new FleetRefusal("models: two with the same file name");
        Artifact? agent = m["agent"] is JsonObject ag ? ParseArtifact(ag, "agent", policy) : m["agent"] is null ? null : throw new FleetRefusal("agent: must be an object");
        if (agent is not null && !agent.File.EndsWith(".tar.gz", StringComparison.Ordinal)) throw new FleetRefusal("agent.file: an agent release is a .tar.gz of the published agent");
        return new DesiredState(version, site, wards, config, models, issued, agent);
    }

    private static Artifact ParseArtifact(JsonObject a, string at, FleetPolicy policy)
    {
        foreach (var (key, _) in a)
            if (key is not ("file" or "url" or "sha256" or "size" or "model")) throw new FleetRefusal($"{at}: unknown property '{key}'");
        string file = a["file"]?.GetValue<string>() ?? throw new FleetRefusal($"{at}.file: required");
        // A plain file name: no directory, no '..', nothing that could land outside the release directory.
        if (!FilePattern().IsMatch(file) || file is "." or "..") throw new FleetRefusal($"{at}.file: '{file}' must be a plain file name ([A-Za-z0-9._-], no path)");
        string url = a["url"]?.GetValue<string>() ?? throw new FleetRefusal($"{at}.url: required");
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || !(uri.Scheme == Uri.UriSchemeHttps || (policy.AllowHttp && uri.Scheme == Uri.UriSchemeHttp)))
            throw new FleetRefusal($"{at}.url: must be an https URL{(policy.AllowHttp ? " (or http)" : "")}");
        string sha = a["sha256"]?.GetValue<string>() ?? throw new FleetRefusal($"{at}.sha256: required");
        if (!ShaPattern().IsMatch(sha)) throw new FleetRefusal($"{at}.sha256: 64 lowercase hex digits");
        long size = a["size"] is JsonValue sv && sv.TryGetValue(out long s) ? s : throw new FleetRefusal($"{at}.size: required, an integer");
        if (size <= 0 || size > policy.MaxArtifactBytes) throw new FleetRefusal($"{at}.size: {size} bytes, more than the {policy.MaxArtifactBytes} allowed");
        string? model = a["model"] is null ? null : a["model"] is JsonValue mv && mv.TryGetValue(out string? mn) && FilePattern().IsMatch(mn) ? mn
            : throw new FleetRefusal($"{at}.model: a model name from the device's manifest");
        return new Artifact(file, uri, sha, size, model);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex FilePattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex ShaPattern();
}

/// <summary>Limits a device applies to what the fleet asks (section <c>Fleet</c> of the agent's configuration).</summary>
public sealed class FleetPolicy
{
    public const string SectionName = "Fleet";

    /// <summary>Whether fleet updates are taken at all.</summary>
    public bool Enabled { get; set; }

    /// <summary>PEM public key(s) (ECDSA P-256) whose signatures are trusted; installed at provisioning.</summary>
    public string PublicKeyFile { get; set; } = "/etc/edge-agent/fleet-signing.pub";

    /// <summary>Largest artifact accepted (a model, a configuration).</summary>
    public long MaxArtifactBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest signed manifest accepted.</summary>
    public int MaxManifestBytes { get; set; } = 64 * 1024;

    /// <summary>Plain http artifact URLs (labs and tests against a local Azurite only; never in a hospital).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Where releases are staged and the current one is kept (systemd's StateDirectory).</summary>
    public string Directory { get; set; } = "state/fleet";

    /// <summary>
    /// The device's own validation clip (a video that never leaves it) and its MOTChallenge ground truth: a release that
    /// changes a model is replayed on it against the running release, and refused if MOTA or IDF1 falls by more than
    /// <see cref="MaxAccuracyDrop"/>. Empty: no replay gate.
    /// </summary>
    public string? ValidationClip { get; set; }

    public string? ValidationGroundTruth { get; set; }

    /// <summary>Frames of the clip replayed by the gate.</summary>
    public int ValidationFrames { get; set; } = 150;

    /// <summary>The largest drop of MOTA or IDF1 (absolute) the replay gate lets through.</summary>
    public double MaxAccuracyDrop { get; set; } = 0.02;

    /// <summary>After activation, the pipeline must be healthy (every camera delivering) within this, or it rolls back.</summary>
    public TimeSpan HealthDeadline { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// A desired state refused, with the reason reported to the fleet; nothing was changed. <see cref="Transient"/>: it
/// failed on the way (storage unreachable, a server error) and is tried again when the retained document comes back.
/// </summary>
public sealed class FleetRefusal(string reason, bool transient = false) : Exception(reason)
{
    public bool Transient { get; } = transient;
}
