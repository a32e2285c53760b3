using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeAgent.Inference;

/// <summary>The project's <c>models/manifest.json</c>: every model the agent may load, with its hash.</summary>
public sealed class ModelManifest
{
    public int Schema { get; init; } = 1;
    public List<ModelEntry> Models { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static ModelManifest Load(string path)
    {
        if (!File.Exists(path)) throw new ModelException($"model manifest not found: {path}");
        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), Json)
                   ?? throw new ModelException($"model manifest {path} is empty");
        }
        catch (JsonException e)
        {
            throw new ModelException($"model manifest {path} is not valid JSON: {e.Message}");
        }
    }

    public ModelEntry Get(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal))
        ?? throw new ModelException($"model '{name}' is not in the manifest (known: {string.Join(", ", Models.Select(m => m.Name))})");
}

public sealed class ModelEntry
{
    public required string Name { get; init; }
    public string Role { get; init; } = "";
    public required string File { get; init; }
    public required string Sha256 { get; init; }
    public required string Family { get; init; }
    public ModelInput Input { get; init; } = new();
    public Preprocessing Preprocessing { get; init; } = new();
    /// <summary>Lowest score the adapter keeps (the tracker's low threshold decides later what it uses).</summary>
    public float ScoreThreshold { get; init; } = 0.1f;
    public float NmsIoU { get; init; } = 0.45f;
    public string? Source { get; init; }
    public string? Licence { get; init; }
}

public sealed class ModelInput
{
    public string Name { get; init; } = "input";
    public int Width { get; init; }
    public int Height { get; init; }
    public string Layout { get; init; } = "NCHW";
}

public sealed class Preprocessing
{
    /// <summary>Channel order the model expects: "BGR" (as OpenCV decodes) or "RGB".</summary>
    public string Channels { get; init; } = "BGR";
    /// <summary>value = (pixel × Scale − Mean[c]) / Std[c].</summary>
    public double Scale { get; init; } = 1.0;
    public double[] Mean { get; init; } = [0, 0, 0];
    public double[] Std { get; init; } = [1, 1, 1];
    /// <summary>"letterbox-top-left" (keep aspect, pad right/bottom) or "stretch".</summary>
    public string Resize { get; init; } = "letterbox-top-left";
    public double PadValue { get; init; } = 114;

    [JsonIgnore] public bool IsIdentity => Scale == 1.0 && Mean.All(m => m == 0) && Std.All(s => s == 1);
}
