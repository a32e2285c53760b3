using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudSync.Fleet;

namespace EdgeAgent.Fleet;

/// <summary>
/// The model gate: replays the device's validation clip through a release — in a child <c>edge-agent replay</c>, so a
/// model that crashes or hogs memory cannot take the service down — and reads MOTA and IDF1 against the clip's ground
/// truth. The replay's configuration is the release's own with everything that reaches outside stripped (no
/// destinations, no broker, no badge readers, no fleet), so validation publishes nothing.
/// </summary>
public sealed class ReplayGate(FleetPolicy policy)
{
    public sealed record Score(double Mota, double Idf1);

    /// <summary>Why the candidate is refused against the running release, or null when it may go on.</summary>
    public async Task<string?> CompareAsync(string runningConfig, string runningModels, string candidateConfig, string candidateModels, CancellationToken ct)
    {
        Score now = await ScoreAsync(runningConfig, runningModels, ct).ConfigureAwait(false);
        Score next = await ScoreAsync(candidateConfig, candidateModels, ct).ConfigureAwait(false);
        string Fmt(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        if (next.Mota < now.Mota - policy.MaxAccuracyDrop || next.Idf1 < now.Idf1 - policy.MaxAccuracyDrop)
            return $"replay gate: MOTA {Fmt(next.Mota)} / IDF1 {Fmt(next.Idf1)} on the validation clip against {Fmt(now.Mota)} / {Fmt(now.Idf1)} now (allowed drop {Fmt(policy.MaxAccuracyDrop)})";
        return null;
    }

    public async Task<Score> ScoreAsync(string config, string models, CancellationToken ct)
    {
        string work = Path.Combine(Path.GetTempPath(), $"edge-gate-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var doc = JsonNode.Parse(await File.ReadAllTextAsync(config, ct).ConfigureAwait(false))!.AsObject();
            foreach (string section in new[] { "Fleet", "Badges", "Frames" }) doc.Remove(section);
            doc["Sync"] = new JsonObject { ["EmbeddedBrokerPort"] = 0 };
            doc["Output"] = new JsonObject { ["Directory"] = work, ["StateDirectory"] = work };
            var detection = doc["Detection"] as JsonObject ?? [];
            doc["Detection"] = detection;
            detection["ModelsDirectory"] = models;
            detection["ManifestPath"] = Path.Combine(models, "manifest.json");
            string gateConfig = Path.Combine(work, "gate.json");
            await File.WriteAllTextAsync(gateConfig, doc.ToJsonString(), ct).ConfigureAwait(false);

            var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
            string self = Environment.GetCommandLineArgs()[0];
            if (self.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) psi.ArgumentList.Add(self);   // run through 'dotnet'
            foreach (string a in new[] { "replay", "--config", gateConfig, "--input", policy.ValidationClip!, "--gt", policy.ValidationGroundTruth!,
                         "--frames", policy.ValidationFrames.ToString(CultureInfo.InvariantCulture), "--out", work, "--quiet" })
                psi.ArgumentList.Add(a);
            using Process replay = Process.Start(psi) ?? throw new FleetRefusal("replay gate: could not start the replay");
            Task<string> stderr = replay.StandardError.ReadToEndAsync(ct);
            await replay.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
            await replay.WaitForExitAsync(ct).ConfigureAwait(false);
            if (replay.ExitCode != 0)
                throw new FleetRefusal($"replay gate: the replay failed (exit {replay.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim().Split('\n').LastOrDefault()}");
            using JsonDocument summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(work, "summary.json"), ct).ConfigureAwait(false));
            JsonElement accuracy = summary.RootElement.GetProperty("accuracy");
            return new Score(accuracy.GetProperty("mota").GetDouble(), accuracy.GetProperty("idf1").GetDouble());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
