using System.Diagnostics;

namespace EdgeAgent.Tests.CloudSync;

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

    public string Key(string name) => Path.Combine(Directory, name + ".key");

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
