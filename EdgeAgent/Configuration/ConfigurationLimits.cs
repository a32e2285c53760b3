using System.Text.Json;

namespace EdgeAgent.Configuration;

/// <summary>
/// How big a configuration may be, checked on the file itself in one linear pass before anything binds it (the
/// configuration binder is quadratic in the number of keys: 6,000 zones took a minute). The limits are far above one
/// ward's needs and keep every later check — polygon validity, the zone engine per frame — bounded.
/// </summary>
public static class ConfigurationLimits
{
    public const int MaxCameras = 16, MaxZones = 500, MaxPolygonPoints = 100, MaxDoors = 200, MaxRules = 200, MaxDestinations = 8,
        MaxBadgeReaders = 32, MaxCalibrationPoints = 64, MaxFileBytes = 4 * 1024 * 1024;

    private static readonly (string Path, int Max)[] Lists =
    [
        ("Capture:Cameras", MaxCameras), ("Zones:Areas", MaxZones), ("Zones:Doors", MaxDoors), ("Zones:Availability", MaxRules),
        ("Sync:Destinations", MaxDestinations), ("Badges:Readers", MaxBadgeReaders),
    ];

    /// <summary>Every limit <paramref name="file"/> exceeds, as <c>Section:Key: problem</c> (empty when within).</summary>
    public static IReadOnlyList<string> Check(string file)
    {
        var problems = new List<string>();
        var info = new FileInfo(file);
        if (info.Length > MaxFileBytes) return [$"{file}: {info.Length} bytes, more than {MaxFileBytes} (a ward's configuration is a few kilobytes)"];
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 32 });
        }
        catch (JsonException)
        {
            return [];   // the configuration reader reports it with its own words
        }
        using (doc)
        {
            foreach (var (path, max) in Lists)
                if (At(doc.RootElement, path) is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() > max)
                    problems.Add($"{path}: {list.GetArrayLength()} entries, at most {max}");
            if (At(doc.RootElement, "Zones:Areas") is { ValueKind: JsonValueKind.Array } areas)
            {
                int i = 0;
                foreach (JsonElement area in areas.EnumerateArray().Take(MaxZones))
                {
                    if (At(area, "Polygon") is { ValueKind: JsonValueKind.Array } polygon && polygon.GetArrayLength() > MaxPolygonPoints)
                        problems.Add($"Zones:Areas:{i}:Polygon: {polygon.GetArrayLength()} points, at most {MaxPolygonPoints}");
                    i++;
                }
            }
            if (At(doc.RootElement, "Capture:Cameras") is { ValueKind: JsonValueKind.Array } cameras)
            {
                int i = 0;
                foreach (JsonElement camera in cameras.EnumerateArray().Take(MaxCameras))
                {
                    foreach (string key in new[] { "ImagePoints", "FloorPoints" })
                        if (At(camera, $"Calibration:{key}") is { ValueKind: JsonValueKind.Array } points && points.GetArrayLength() > MaxCalibrationPoints)
                            problems.Add($"Capture:Cameras:{i}:Calibration:{key}: {points.GetArrayLength()} points, at most {MaxCalibrationPoints}");
                    i++;
                }
            }
        }
        return problems;
    }

    // Configuration keys are case-insensitive: so is this walk.
    private static JsonElement? At(JsonElement root, string path)
    {
        JsonElement current = root;
        foreach (string part in path.Split(':'))
        {
            if (current.ValueKind != JsonValueKind.Object) return null;
            JsonElement? next = null;
            foreach (JsonProperty p in current.EnumerateObject())
                if (p.Name.Equals(part, StringComparison.OrdinalIgnoreCase)) next = p.Value;
            if (next is not { } found) return null;
            current = found;
        }
        return current;
    }
}
