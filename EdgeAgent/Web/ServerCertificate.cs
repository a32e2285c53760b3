using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeAgent.Web;

/// <summary>
/// The pages' TLS certificate from PEM files, read again when either file changes (checked at most every
/// <see cref="CheckInterval"/>), so a certificate renewed on disk is served from the next connection without a restart.
/// A renewal that cannot be read keeps the previous certificate.
/// </summary>
public sealed class ServerCertificate(string certificateFile, string keyFile, TimeProvider time)
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private X509Certificate2? _current;
    private (DateTime, DateTime) _stamp;
    private long _checkedAt = long.MinValue;

    public X509Certificate2 Current()
    {
        lock (_lock)
        {
            long now = time.GetTimestamp();
            if (_current is not null && time.GetElapsedTime(_checkedAt, now) < CheckInterval) return _current;
            _checkedAt = now;
            var stamp = (File.GetLastWriteTimeUtc(certificateFile), File.GetLastWriteTimeUtc(keyFile));
            if (_current is not null && stamp == _stamp) return _current;
            try
            {
                _current = Load(certificateFile, keyFile);
                _stamp = stamp;
            }
            catch (Exception e) when (_current is not null && e is CryptographicException or IOException or ArgumentException)
            {
                // A renewal half-written or broken: keep serving the one that works.
            }
            return _current!;
        }
    }

    /// <summary>Why the files cannot serve as the pages' certificate, or null.</summary>
    public static string? Problem(string certificateFile, string keyFile)
    {
        if (!File.Exists(certificateFile)) return $"'{certificateFile}' does not exist";
        if (!File.Exists(keyFile)) return $"key file '{keyFile}' does not exist";
        try
        {
            using X509Certificate2 c = Load(certificateFile, keyFile);
            if (c.NotAfter < DateTime.Now) return $"'{certificateFile}' expired on {c.NotAfter:yyyy-MM-dd}";
            return null;
        }
        catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
        {
            return $"'{certificateFile}' with key '{keyFile}' cannot be read as a PEM certificate and key: {e.Message}";
        }
    }

    private static X509Certificate2 Load(string certificateFile, string keyFile) => X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
}
