using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Inference;

/// <summary>Person detector settings. Section <c>Detection</c>.</summary>
public sealed class DetectorOptions
{
    public const string SectionName = "Detection";

    /// <summary>Name of the model in <c>models/manifest.json</c>.</summary>
    [Required] public string Model { get; set; } = "yolox-nano-person-humanart";

    /// <summary>Folder holding the pulled model files (relative paths are taken from the working directory, then the install folder).</summary>
    [Required] public string ModelsDirectory { get; set; } = "models";

    /// <summary>The manifest; defaults to <c>manifest.json</c> inside <see cref="ModelsDirectory"/>.</summary>
    public string? ManifestPath { get; set; }

    /// <summary>
    /// Execution providers to try, in order; the first that loads is used. Known: TensorRT, CUDA, CPU.
    /// Empty means the default order TensorRT → CUDA → CPU. (A list default would be appended to by the binder.)
    /// </summary>
    public List<string> ExecutionProviders { get; set; } = [];

    public IReadOnlyList<string> EffectiveProviders => ExecutionProviders.Count > 0 ? ExecutionProviders : DefaultProviders;

    public static readonly string[] DefaultProviders = ["TensorRT", "CUDA", "CPU"];

    /// <summary>TensorRT: build FP16 engines.</summary>
    public bool TensorRtFp16 { get; set; } = true;

    /// <summary>TensorRT: where built engines are cached so later starts skip the build.</summary>
    public string TensorRtEngineCacheDirectory { get; set; } = "trt-cache";

    /// <summary>
    /// Let idle inference threads spin (ONNX Runtime's own default) instead of sleeping. Off by default: spinning threads
    /// burn the cores the capture threads decode on. <c>edge-agent bench</c> measures both.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>CPU threads for one inference; 0 = automatic (<see cref="AutomaticIntraOpThreads"/>).</summary>
    [Range(0, 256)] public int IntraOpThreads { get; set; }

    /// <summary>
    /// One core fewer than the machine has (at least one): the capture threads decode on the core left free.
    /// Measured on 2 cores: 1 inference thread gives a higher whole-pipeline rate than 2 (docs/BENCHMARKS.md).
    /// </summary>
    public static int AutomaticIntraOpThreads => Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>
    /// Inferences that may run at once, one per camera waiting, each on its <see cref="IntraOpThreads"/>; 0 = automatic
    /// (<see cref="AutomaticParallelRuns"/>). More than one lets several cameras share the cores; 1 makes them take turns.
    /// </summary>
    [Range(0, 64)] public int ParallelRuns { get; set; }

    /// <summary>As many runs as there are cores for their threads: cores ÷ intra-op threads, at least 1.</summary>
    public static int AutomaticParallelRuns => Math.Max(1, Environment.ProcessorCount / Math.Max(1, AutomaticIntraOpThreads));

    /// <summary>Inferences run at start so the first real frame is not slow.</summary>
    [Range(0, 100)] public int WarmupRuns { get; set; } = 3;

    public static readonly string[] KnownProviders = ["TensorRT", "CUDA", "CPU"];
}
