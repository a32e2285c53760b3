using System.Diagnostics;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>A throw-away PKI made with openssl: a CA, a broker certificate for localhost/127.0.0.1, and client certificates.</summary>
public sealed class TestCertificates
{
    public TestCertificates()
    {
        Directory = TestAssets.NewTempDirectory();
        Ca("ca");
        Ca("rogue-ca");
        Leaf("server", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        Leaf("client", "ca", "extendedKeyUsage=clientAuth");
        Leaf("rogue-client", "rogue-ca", "extendedKeyUsage=clientAuth");
    }

    public string Directory { get; }

    public string Crt(string name) => Path.Combine(Directory, name + ".crt");

    /// <summary>
    /// A client certificate whose validity ended yesterday, from a CA of its own that began a month ago (made with
    /// .NET: openssl 3.0 cannot back-date), and a CA bundle with both CAs for the broker's <c>cafile</c>.
    /// </summary>
    public (string Crt, string Key, string CaBundle) ExpiredClient() => AgedCaClient(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1), "expired-client");

    /// <summary>The same aged CA's client certificate, valid today: the control for <see cref="ExpiredClient"/>.</summary>
    public (string Crt, string Key, string CaBundle) CurrentClientOfAgedCa() => AgedCaClient(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(10), "aged-ca-client");

    private System.Security.Cryptography.X509Certificates.X509Certificate2? _agedCa;

    private (string Crt, string Key, string CaBundle) AgedCaClient(DateTimeOffset notBefore, DateTimeOffset notAfter, string name)
    {
        if (_agedCa is null)
        {
            using var caKey = System.Security.Cryptography.RSA.Create(2048);
            var caRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=aged-ca", caKey,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
            _agedCa = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30));
        }
        var ca = _agedCa;
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN={name}", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = request.Create(ca, notBefore, notAfter, System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        string crt = Path.Combine(Directory, name + ".crt"), k = Path.Combine(Directory, name + ".key"), bundle = Path.Combine(Directory, "ca-bundle.crt");
        File.WriteAllText(crt, cert.ExportCertificatePem());
        File.WriteAllText(k, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(bundle, File.ReadAllText(Crt("ca")) + "\n" + ca.ExportCertificatePem() + "\n");
        return (crt, k, bundle);
    }

    public string Key(string name) => Path.Combine(Directory, name + ".key");

    /// <summary>A client certificate from the CA whose subject CN is <paramref name="subject"/> (e.g. a device id).</summary>
    public (string Crt, string Key) NewClient(string subject)
    {
        Leaf(subject, "ca", "extendedKeyUsage=clientAuth");
        return (Crt(subject), Key(subject));
    }

    /// <summary>Another server certificate for localhost/127.0.0.1 from the same CA (a renewal).</summary>
    public (string Crt, string Key) NewServer(string name)
    {
        Leaf(name, "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        return (Crt(name), Key(name));
    }

    private void Ca(string name) =>
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", $"/CN={name}", "-keyout", Key(name), "-out", Crt(name));

    private void Leaf(string name, string ca, string extension)
    {
        string csr = Path.Combine(Directory, name + ".csr"), ext = Path.Combine(Directory, name + ".ext");
        File.WriteAllText(ext, extension + "\n");
        OpenSsl("req", "-newkey", "rsa:2048", "-nodes", "-subj", $"/CN={name}", "-keyout", Key(name), "-out", csr);
        OpenSsl("x509", "-req", "-in", csr, "-CA", Crt(ca), "-CAkey", Key(ca), "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", Crt(name));
    }

    private static void OpenSsl(params string[] args)
    {
        using Process p = Process.Start(new ProcessStartInfo("openssl", args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"openssl {string.Join(' ', args)}: {err}");
    }
}
