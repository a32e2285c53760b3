using System.Security.Cryptography;

namespace EdgeAgent.Inference;

/// <summary>
/// The local model folder: resolves a manifest entry to a verified file, and pulls files into the
/// folder from another folder or the entry's source URL. Nothing is used unless its sha256 matches.
/// </summary>
public sealed class ModelStore(ModelManifest manifest, string directory)
{
    public ModelManifest Manifest { get; } = manifest;
    public string Directory { get; } = directory;

    /// <summary>The verified path of a model, or a <see cref="ModelException"/> naming the file and the expected hash.</summary>
    public string Resolve(string name)
    {
        ModelEntry entry = Manifest.Get(name);
        string path = Path.Combine(Directory, entry.File);
        if (!File.Exists(path))
            throw new ModelException($"model file missing: {path} (model '{name}', expected sha256 {entry.Sha256}); run 'edge-agent models pull'");
        string actual = Sha256Of(path);
        if (!string.Equals(actual, entry.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new ModelException($"model file {path} has sha256 {actual} but the manifest expects {entry.Sha256} (model '{name}'); refusing to load it");
        return path;
    }

    /// <summary>
    /// Copies every manifest model found in <paramref name="sourceDirectory"/> (flat, or in a sub-folder named
    /// after the model) into the store, or downloads it from its source URL when no folder is given.
    /// Each file is verified before it replaces anything. Returns one line per model.
    /// </summary>
    public async Task<IReadOnlyList<PullResult>> PullAsync(string? sourceDirectory, HttpClient? http, IEnumerable<string>? only, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var results = new List<PullResult>();
        var wanted = only?.ToHashSet(StringComparer.Ordinal);
        foreach (ModelEntry entry in Manifest.Models)
        {
            if (wanted is not null && !wanted.Contains(entry.Name)) continue;
            string target = Path.Combine(Directory, entry.File);
            if (File.Exists(target) && string.Equals(Sha256Of(target), entry.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                results.Add(new PullResult(entry.Name, target, PullOutcome.AlreadyPresent, null));
                continue;
            }
            string temp = target + ".part";
            try
            {
                if (sourceDirectory is not null)
                {
                    string? found = new[] { Path.Combine(sourceDirectory, entry.Name, entry.File), Path.Combine(sourceDirectory, entry.File) }
                        .FirstOrDefault(File.Exists);
                    if (found is null)
                    {
                        results.Add(new PullResult(entry.Name, target, PullOutcome.NotFound, $"{entry.File} not found in {sourceDirectory}"));
                        continue;
                    }
                    File.Copy(found, temp, overwrite: true);
                }
                else
                {
                    if (http is null || string.IsNullOrEmpty(entry.Source))
                    {
                        results.Add(new PullResult(entry.Name, target, PullOutcome.NotFound, "no source folder and no source URL"));
                        continue;
                    }
                    await using (Stream body = await http.GetStreamAsync(entry.Source, ct))
                    await using (FileStream file = File.Create(temp))
                        await body.CopyToAsync(file, ct);
                }
                string actual = Sha256Of(temp);
                if (!string.Equals(actual, entry.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    File.Delete(temp);
                    results.Add(new PullResult(entry.Name, target, PullOutcome.HashMismatch,
                        $"{entry.File}: got sha256 {actual}, expected {entry.Sha256}; not installed"));
                    continue;
                }
                File.Move(temp, target, overwrite: true);
                results.Add(new PullResult(entry.Name, target, PullOutcome.Installed, null));
            }
            catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or TaskCanceledException)
            {
                if (File.Exists(temp)) File.Delete(temp);
                results.Add(new PullResult(entry.Name, target, PullOutcome.Failed, e.Message));
            }
        }
        return results;
    }

    public static string Sha256Of(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

public enum PullOutcome { Installed, AlreadyPresent, NotFound, HashMismatch, Failed }

public sealed record PullResult(string Model, string Path, PullOutcome Outcome, string? Detail);
