using System.Security.Cryptography;

namespace CloudSync.Fleet;

/// <summary>
/// Downloads an artifact to a staging file and proves it is the one the signed manifest names: never more bytes than
/// its size (an oversized transfer is cut and refused), never fewer (a truncated transfer is refused), and the SHA-256
/// it states. Nothing is moved into place here; a refused download leaves no file behind.
/// </summary>
public sealed class ArtifactFetcher(HttpClient http)
{
    public async Task FetchAsync(Artifact a, string destination, CancellationToken ct)
    {
        string part = destination + ".part";
        try
        {
            using HttpResponseMessage response = await http.GetAsync(a.Url, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new FleetRefusal($"{a.File}: download failed, HTTP {(int)response.StatusCode}", transient: (int)response.StatusCode >= 500 || response.StatusCode == System.Net.HttpStatusCode.TooManyRequests);
            if (response.Content.Headers.ContentLength is { } length && length != a.Size)
                throw new FleetRefusal($"{a.File}: the server offers {length} bytes, the manifest says {a.Size}");
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            await using (Stream body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false))
            await using (var file = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                var buffer = new byte[81920];
                int n;
                while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    total += n;
                    if (total > a.Size) throw new FleetRefusal($"{a.File}: more than the {a.Size} bytes the manifest says; download cut");
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                }
                file.Flush(flushToDisk: true);
            }
            if (total < a.Size) throw new FleetRefusal($"{a.File}: truncated transfer, {total} of {a.Size} bytes");
            string sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (sha != a.Sha256) throw new FleetRefusal($"{a.File}: sha256 {sha}, the manifest says {a.Sha256}");
            File.Move(part, destination, overwrite: true);
        }
        catch (HttpRequestException e)
        {
            throw new FleetRefusal($"{a.File}: download failed: {e.Message}", transient: true);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new FleetRefusal($"{a.File}: truncated transfer: {e.Message}", transient: true);   // the connection ended before the body did
        }
        finally
        {
            File.Delete(part);
        }
    }
}
