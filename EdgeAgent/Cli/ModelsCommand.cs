using EdgeAgent.Inference;

using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent models pull [--from DIR] [--to DIR] [--model NAME]</c> and <c>edge-agent models verify</c>.
/// Pull copies from DIR (default <c>../shared/models</c> when it exists) or downloads each model's source URL,
/// and installs a file only when its sha256 matches the manifest.
/// </summary>
public static class ModelsCommand
{
    public const string SharedModels = "../shared/models";

    public static async Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        string verb = args.Positional.Count > 0 ? args.Positional[0] : "";
        string dir = args.Get("to") ?? "models";
        string manifestPath = args.Get("manifest") ?? Path.Combine(dir, "manifest.json");
        string? from = args.Get("from");
        string? only = args.Get("model");
        var store = new ModelStore(ModelManifest.Load(manifestPath), dir);
        switch (verb)
        {
            case "pull":
            {
                if (from is null && Directory.Exists(SharedModels)) from = SharedModels;
                if (from is not null && !Directory.Exists(from)) throw new CliException($"--from: folder '{from}' does not exist");
                using var http = from is null ? new HttpClient { Timeout = TimeSpan.FromMinutes(5) } : null;
                Console.WriteLine(from is null ? "pulling models from their source URLs" : $"pulling models from {from}");
                var results = await store.PullAsync(from, http, only is null ? null : [only], ct);
                foreach (PullResult r in results)
                    Console.WriteLine($"  {r.Model,-28} {r.Outcome,-15} {r.Detail ?? r.Path}");
                bool defaultMissing = results.Any(r => r.Outcome is PullOutcome.HashMismatch or PullOutcome.Failed
                    || r.Outcome == PullOutcome.NotFound && r.Model == new DetectorOptions().Model);
                return defaultMissing ? ExitCodes.ModelError : ExitCodes.Ok;
            }
            case "verify":
            {
                int bad = 0;
                foreach (ModelEntry m in store.Manifest.Models)
                {
                    try
                    {
                        store.Resolve(m.Name);
                        Console.WriteLine($"  {m.Name,-28} ok");
                    }
                    catch (ModelException e)
                    {
                        bad++;
                        Console.WriteLine($"  {m.Name,-28} {e.Message}");
                    }
                }
                return bad == 0 ? ExitCodes.Ok : ExitCodes.ModelError;
            }
            default:
                throw new CliException("usage: edge-agent models pull [--from DIR] [--to DIR] [--model NAME] | models verify [--to DIR]");
        }
    }
}
