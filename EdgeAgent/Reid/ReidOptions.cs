using EdgeAgent.Tracking;
using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Reid;

/// <summary>Re-identification (appearance embeddings). Section <c>Reid</c>.</summary>
public sealed class ReidOptions
{
    public const string SectionName = "Reid";

    /// <summary>When embeddings are computed: Off, Selective (only where motion is ambiguous, plus a periodic refresh) or EveryFrame.</summary>
    public AppearancePolicy Policy { get; set; } = AppearancePolicy.Selective;

    /// <summary>Embedding model, a name from <c>models/manifest.json</c>.</summary>
    [Required] public string Model { get; set; } = "osnet-x0_25-msmt17";

    /// <summary>Selective policy: a confirmed track's appearance is refreshed at least this often.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Crops per inference batch (buffers are sized once for this many).</summary>
    [Range(1, 64)] public int MaxBatch { get; set; } = 16;
}
