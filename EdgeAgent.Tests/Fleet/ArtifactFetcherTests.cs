using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CloudSync.Fleet;

namespace EdgeAgent.Tests.Fleet;

/// <summary>
/// Downloads that lie: a server that sends more than the manifest says (without announcing a length), one that
/// announces a length and closes early, one that offers the wrong length. Each is refused and leaves no file.
/// </summary>
[Category("Integration")]
public class ArtifactFetcherTests
{
    // A one-shot HTTP/1.1 server on loopback that answers any request with the given head and body, then closes.
    private static (Uri Url, Task Served) Serve(string head, byte[] body)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task served = Task.Run(async () =>
        {
            using TcpClient client = await listener.AcceptTcpClientAsync();
            NetworkStream s = client.GetStream();
            // The request: read until the blank line that ends its headers.
            var request = new List<byte>();
            var one = new byte[1];
            while (!(request.Count >= 4 && request[^4] == '\r' && request[^3] == '\n' && request[^2] == '\r' && request[^1] == '\n'))
            {
                await s.ReadExactlyAsync(one);
                request.Add(one[0]);
            }
            await s.WriteAsync(Encoding.ASCII.GetBytes(head));
            await s.WriteAsync(body);
            await s.FlushAsync();
            listener.Stop();
        });
        return (new Uri($"http://127.0.0.1:{port}/artifact"), served);
    }

    private static async Task<string> Refusal(Artifact a, bool transient = false)
    {
        string dir = TestAssets.NewTempDirectory(), target = Path.Combine(dir, a.File);
        using var http = new HttpClient();
        var e = Assert.ThrowsAsync<FleetRefusal>(() => new ArtifactFetcher(http).FetchAsync(a, target, CancellationToken.None));
        Assert.That(Directory.GetFiles(dir), Is.Empty, "a refused download leaves no file");
        Assert.That(e!.Transient, Is.EqualTo(transient), "a failure on the way is tried again; a lie is not");
        return await Task.FromResult(e.Message);
    }

    [Test]
    public async Task ServerError_TransientFailure_TriedAgainLater()
    {
        var (url, served) = Serve("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", []);
        string reason = await Refusal(new Artifact("model.onnx", url, new string('a', 64), 10), transient: true);
        Assert.That(reason, Does.Contain("HTTP 503"));
        await served;
    }

    [Test]
    public async Task MoreBytesThanTheManifestSays_CutAndRefused()
    {
        byte[] body = new byte[50_000];
        byte[] chunk = Encoding.ASCII.GetBytes($"{body.Length:x}\r\n").Concat(body).Concat(Encoding.ASCII.GetBytes("\r\n0\r\n\r\n")).ToArray();
        var (url, served) = Serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n", chunk);
        string reason = await Refusal(new Artifact("model.onnx", url, Convert.ToHexStringLower(SHA256.HashData(body)), 10_000));
        Assert.That(reason, Does.Contain("more than the 10000 bytes the manifest says; download cut"));
        await served;
    }

    [Test]
    public async Task ConnectionClosedBeforeTheAnnouncedLength_RefusedAsTruncated()
    {
        byte[] half = new byte[5_000];
        var (url, served) = Serve("HTTP/1.1 200 OK\r\nContent-Length: 10000\r\nConnection: close\r\n\r\n", half);
        string reason = await Refusal(new Artifact("model.onnx", url, new string('a', 64), 10_000), transient: true);
        Assert.That(reason, Does.Contain("truncated transfer"));
        await served;
    }

    [Test]
    public async Task ServerOffersAnotherLength_RefusedBeforeDownloading()
    {
        byte[] body = new byte[1_000];
        var (url, served) = Serve("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n", body);
        string reason = await Refusal(new Artifact("model.onnx", url, Convert.ToHexStringLower(SHA256.HashData(body)), 999));
        Assert.That(reason, Does.Contain("the server offers 1000 bytes, the manifest says 999"));
        await served;
    }
}
