using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Zones;

using EdgeAgent.Health;
using EdgeAgent.Capture;
using EdgeAgent.Tracking;

namespace EdgeAgent.Web;

/// <summary>
/// Saves what the editor drew — zones, doors and camera calibrations — into the agent's configuration file. The edited
/// file is validated by exactly the validators the agent runs at start before it replaces the file (atomically, the
/// previous one kept beside it as <c>.previous</c>); a configuration that fails leaves the file untouched and names
/// every problem. Every other part of the file is kept as it was.
/// </summary>
public sealed class ConfigEditor(string configPath)
{
    public sealed record Edit(List<ZoneDefinition>? Areas, List<DoorDefinition>? Doors, Dictionary<string, CalibrationOptions>? Calibrations);

    /// <summary>Writes and validates the edit; returns the settings now in the file, or the problems (nothing written).</summary>
    public (AgentSettings? Settings, IReadOnlyList<string> Problems) Save(Edit edit)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(configPath), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new JsonException("the file is not a JSON object");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return (null, [$"{configPath}: cannot read: {e.Message}"]);
        }
        var problems = new List<string>();
        JsonObject zones = Section(root, ZoneOptions.SectionName);
        if (edit.Areas is not null)
            zones[Key(zones, "Areas")] = new JsonArray([.. edit.Areas.Select(a => (JsonNode)new JsonObject
            {
                ["Id"] = a.Id, ["Kind"] = a.Kind, ["Polygon"] = Points(a.Polygon),
            })]);
        if (edit.Doors is not null)
            zones[Key(zones, "Doors")] = new JsonArray([.. edit.Doors.Select(d =>
            {
                var door = new JsonObject { ["Id"] = d.Id, ["Line"] = Points(d.Line), ["Inside"] = d.Inside.ToString() };
                if (d.Zone is { Length: > 0 }) door["Zone"] = d.Zone;
                return (JsonNode)door;
            })]);
        if (edit.Calibrations is { Count: > 0 })
        {
            JsonObject capture = Section(root, Capture.CaptureOptions.SectionName);
            JsonArray cameras = capture[Key(capture, "Cameras")] as JsonArray ?? [];
            foreach (var (id, calibration) in edit.Calibrations)
            {
                JsonObject? camera = cameras.OfType<JsonObject>().FirstOrDefault(c => c[Key(c, "Id")]?.GetValue<string>() == id);
                if (camera is null) { problems.Add($"Capture:Cameras: no camera '{id}' to calibrate"); continue; }
                camera[Key(camera, "Calibration")] = new JsonObject { ["ImagePoints"] = Points(calibration.ImagePoints), ["FloorPoints"] = Points(calibration.FloorPoints) };
            }
        }
        if (problems.Count > 0) return (null, problems);

        // Written beside the file so relative paths mean the same, validated as the agent would at start, then renamed over it.
        string staged = configPath + ".edit";
        using (var f = new FileStream(staged, FileMode.Create, FileAccess.Write))
        {
            f.Write(System.Text.Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
            f.Flush(flushToDisk: true);   // durable before it replaces the file
        }
        AgentSettings settings;
        try
        {
            settings = SettingsLoader.Load(staged, overrides: null, requireCameras: true);
        }
        catch (ConfigurationException e)
        {
            File.Delete(staged);
            return (null, e.Problems);
        }
        File.Copy(configPath, configPath + ".previous", overwrite: true);
        File.Move(staged, configPath, overwrite: true);
        return (settings, []);
    }

    private static JsonArray Points(IEnumerable<double[]> points) =>
        new([.. points.Select(p => (JsonNode)new JsonArray([.. p.Select(v => (JsonNode)JsonValue.Create(Math.Round(v, 4)))]))]);

    private static JsonObject Section(JsonObject root, string name)
    {
        string key = Key(root, name);
        if (root[key] is JsonObject section) return section;
        var created = new JsonObject();
        root[key] = created;
        return created;
    }

    // Configuration keys are case-insensitive: an existing key keeps its spelling.
    private static string Key(JsonObject o, string name) => o.Select(kv => kv.Key).FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)) ?? name;
}
