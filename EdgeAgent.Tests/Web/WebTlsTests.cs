using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Tests.Capture;
using EdgeAgent.Tests.Cli;
using EdgeAgent.Tests.CloudSync;

namespace EdgeAgent.Tests.Web;

/// <summary>The pages over HTTPS with a certificate from PEM files, renewed on disk and served without a restart.</summary>
[Category("Integration")]
[NonParallelizable]
public class WebTlsTests
{
    [Test]
    public async Task Https_CertificateServed_PlainHttpRefused_RenewalServedWithoutARestart()
    {
        var pki = new TestCertificates();
        string dir = TestAssets.NewTempDirectory();
        string crt = Path.Combine(dir, "web.crt"), key = Path.Combine(dir, "web.key");
        File.Copy(pki.Crt("server"), crt);
        File.Copy(pki.Key("server"), key);
        int port = RtspServer.FreePort();
        string config = WebAgent.WriteConfig(dir, $"https://0.0.0.0:{port}", WebAgent.Token, $", \"CertificateFile\": \"{crt}\", \"CertificateKeyFile\": \"{key}\"");
        using X509Certificate2 ca = X509CertificateLoader.LoadCertificateFromFile(pki.Crt("ca"));
        var served = new List<string>();
        HttpClient Client()
        {
            var handler = new HttpClientHandler
            {
                // Trust exactly the test CA, and check the name as a browser would.
                ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    lock (served) served.Add(certificate.SerialNumber);
                    return chain.Build(certificate);
                },
            };
            var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", WebAgent.Token);
            return client;
        }

        using var agent = new AgentProcess("run", "--config", config);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage? health = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(90) && health?.IsSuccessStatusCode != true)
        {
            using HttpClient probe = Client();
            try { health = await probe.GetAsync("/healthz"); }
            catch (HttpRequestException) { await Task.Delay(300); }
        }
        Assert.That(health?.IsSuccessStatusCode, Is.True, $"the pages over https within 90 s; stderr: {agent.Stderr}");
        using (HttpClient client = Client())
            Assert.That((await client.GetAsync("/api/status")).IsSuccessStatusCode, Is.True);
        string first = served.Last();
        Assert.That(first, Is.EqualTo(X509CertificateLoader.LoadCertificateFromFile(pki.Crt("server")).SerialNumber));

        using (var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            Assert.That(async () => await plain.GetAsync($"http://127.0.0.1:{port}/healthz"), Throws.InstanceOf<HttpRequestException>(), "no plain HTTP on the https port");

        // Renewed on disk (what a rotation job does): the next connection gets the new certificate, no restart.
        var (renewedCrt, renewedKey) = pki.NewServer("server-renewed");
        File.Copy(renewedKey, key, overwrite: true);
        File.Copy(renewedCrt, crt, overwrite: true);
        string renewed = X509CertificateLoader.LoadCertificateFromFile(renewedCrt).SerialNumber;
        clock.Restart();
        while (clock.Elapsed < TimeSpan.FromSeconds(20) && served.Last() != renewed)
        {
            await Task.Delay(500);
            using HttpClient client = Client();
            await client.GetAsync("/healthz");
        }
        Assert.That(served.Last(), Is.EqualTo(renewed), "the renewed certificate is served");
        Assert.That(agent.Stderr, Does.Not.Contain("Unhandled"));
    }
}
