using System.Text.Json.Nodes;
using EdgeAgent.Configuration;

namespace EdgeAgent.Cli;

/// <summary>
/// The answers file of <c>edge-agent provision</c>: <c>KEY=value</c> lines (shell-like; <c>#</c> comments, optional
/// quotes). Required: <c>SITE</c>, <c>WARD</c>, <c>DEVICE_ID</c>, <c>CAMERAS</c> (<c>id=url</c> pairs separated by
/// spaces), <c>BROKER_HOST</c>. Optional: <c>BROKER_PORT</c> (8883 with TLS, else 1883), <c>BROKER_CA</c>,
/// <c>DEVICE_CERT</c>, <c>DEVICE_KEY</c> (any of them turns TLS on), <c>BROKER_TLS</c> (yes/no),
/// <c>BROKER_USERNAME</c>, <c>BROKER_PASSWORD</c>, <c>TOPIC_PREFIX</c>, <c>MODELS_DIR</c>, <c>STATE_DIR</c> (default
/// /var/lib/edge-agent on an installed appliance), <c>WEB_URLS</c>,
/// <c>WEB_TOKEN</c>. An unknown key, a duplicate or a malformed line is an error naming the line.
/// </summary>
public sealed class WardAnswers
{
    private static readonly string[] Required = ["SITE", "WARD", "DEVICE_ID", "CAMERAS", "BROKER_HOST"];
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "SITE", "WARD", "DEVICE_ID", "CAMERAS", "BROKER_HOST", "BROKER_PORT", "BROKER_CA", "DEVICE_CERT", "DEVICE_KEY", "BROKER_TLS",
        "BROKER_USERNAME", "BROKER_PASSWORD", "TOPIC_PREFIX", "MODELS_DIR", "STATE_DIR", "WEB_URLS", "WEB_TOKEN",
    };

    private readonly Dictionary<string, string> _values;

    private WardAnswers(Dictionary<string, string> values) => _values = values;

    public static WardAnswers Parse(IEnumerable<string> lines, string file)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        int n = 0;
        foreach (string raw in lines)
        {
            n++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line[7..].TrimStart();
            int eq = line.IndexOf('=');
            if (eq <= 0)
            {
                problems.Add($"{file}:{n}: expected KEY=value");
                continue;
            }
            string key = line[..eq].Trim(), value = Unquote(line[(eq + 1)..].Trim());
            if (!Known.Contains(key)) problems.Add($"{file}:{n}: unknown key {key} (known: {string.Join(", ", Known.Order(StringComparer.Ordinal))})");
            else if (!values.TryAdd(key, value)) problems.Add($"{file}:{n}: {key} given twice");
        }
        foreach (string key in Required)
            if (!values.TryGetValue(key, out string? v) || v.Length == 0) problems.Add($"{file}: {key} is required");
        if (problems.Count > 0) throw new ConfigurationException(problems);
        return new WardAnswers(values);
    }

    private static string Unquote(string v) => v.Length >= 2 && (v[0] == '"' || v[0] == '\'') && v[^1] == v[0] ? v[1..^1] : v;

    private string? Get(string key) => _values.TryGetValue(key, out string? v) && v.Length > 0 ? v : null;

    /// <summary>The ward's configuration file; everything not answered takes the documented defaults.</summary>
    public JsonObject ToConfiguration()
    {
        var cameras = new JsonArray();
        var problems = new List<string>();
        foreach (string pair in Get("CAMERAS")!.Split([' ', ';', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) problems.Add($"CAMERAS: '{pair}' is not id=url");
            else cameras.Add(new JsonObject { ["Id"] = pair[..eq], ["Source"] = pair[(eq + 1)..] });
        }
        if (problems.Count > 0) throw new ConfigurationException(problems);
        string? ca = Get("BROKER_CA"), cert = Get("DEVICE_CERT"), key = Get("DEVICE_KEY");
        bool tls = Get("BROKER_TLS") is { } t ? t is "yes" or "true" or "1" : ca is not null || cert is not null;
        var destination = new JsonObject
        {
            ["Name"] = "bms", ["Host"] = Get("BROKER_HOST"), ["Port"] = int.TryParse(Get("BROKER_PORT"), out int port) ? port : tls ? 8883 : 1883,
            ["UseTls"] = tls, ["ClientId"] = $"edge-{Get("DEVICE_ID")}",
        };
        if (Get("BROKER_PORT") is { } p && !int.TryParse(p, out _)) throw new ConfigurationException([$"BROKER_PORT: '{p}' is not a number"]);
        if (ca is not null) destination["CaFile"] = ca;
        if (cert is not null) destination["ClientCertificateFile"] = cert;
        if (key is not null) destination["ClientKeyFile"] = key;
        if (Get("BROKER_USERNAME") is { } user) destination["Username"] = user;
        if (Get("BROKER_PASSWORD") is { } password) destination["Password"] = password;
        if (Get("TOPIC_PREFIX") is { } prefix) destination["TopicPrefix"] = prefix;
        string models = Get("MODELS_DIR") ?? (Directory.Exists("/usr/lib/edge-agent/models") ? "/usr/lib/edge-agent/models" : "models");
        var config = new JsonObject
        {
            ["Capture"] = new JsonObject { ["Cameras"] = cameras },
            ["Detection"] = new JsonObject { ["ModelsDirectory"] = models },
            ["Ward"] = new JsonObject { ["Site"] = Get("SITE"), ["Id"] = Get("WARD"), ["DeviceId"] = Get("DEVICE_ID") },
            ["Sync"] = new JsonObject { ["Destinations"] = new JsonArray(destination) },
        };
        // On an installed appliance the state lives where the unit's StateDirectory is (the unit says so too, through its
        // environment): written here as well, so 'check' judges the same folders 'run' will use.
        string? state = Get("STATE_DIR") ?? (Directory.Exists("/usr/lib/edge-agent") ? "/var/lib/edge-agent" : null);
        if (state is not null)
        {
            config["Output"] = new JsonObject { ["Directory"] = state, ["StateDirectory"] = $"{state}/state" };
            ((JsonObject)config["Sync"]!)["Outbox"] = new JsonObject { ["Directory"] = $"{state}/outbox" };
        }
        if (Get("WEB_URLS") is { } urls || Get("WEB_TOKEN") is not null)
            config["Web"] = new JsonObject { ["Urls"] = Get("WEB_URLS") ?? "http://127.0.0.1:8080", ["Token"] = Get("WEB_TOKEN") ?? "" };
        return config;
    }
}
