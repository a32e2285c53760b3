using System.Net;
using EdgeAgent.Hosting;
using EdgeAgent.Tests.Capture;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.Web;

/// <summary>
/// The pages are never served beyond localhost without a token, whatever form the URL takes: against the real agent
/// process, `check` and `run` refuse every form that could widen the bind, and a request that arrives on another address
/// is refused by the running agent.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class WebExposureTests
{
    [TestCase("http://0.0.0.0@127.0.0.1:{0}", "Web:Urls", "user information")]
    [TestCase("http://*:{0}", "Web:Token", "binds beyond localhost")]
    [TestCase("http://+:{0}", "Web:Token", "binds beyond localhost")]
    [TestCase("http://[::]:{0}", "Web:Token", "binds beyond localhost")]
    [TestCase("http://0.0.0.0:{0}", "Web:Token", "binds beyond localhost")]
    [TestCase("http://ip6-localhost:{0}", "Web:Token", "binds beyond localhost")]
    [TestCase("http://127.0.0.1:{0}/admin", "Web:Urls", "has a path")]
    [TestCase("http://127.1:{0}", "Web:Urls", "four decimal parts")]
    public void CheckAndRun_AUrlThatCouldWidenTheBindWithoutAToken_RefusedNamingTheKey(string form, string key, string reason)
    {
        string dir = TestAssets.NewTempDirectory();
        int port = RtspServer.FreePort();
        string config = WebAgent.WriteConfig(dir, string.Format(System.Globalization.CultureInfo.InvariantCulture, form, port), token: "");
        var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", config);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidConfiguration), stderr);
        Assert.That(stderr, Does.Contain(key).And.Contain(reason));
        var (runCode, _, runErr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "run", "--config", config);
        Assert.That(runCode, Is.EqualTo(ExitCodes.InvalidConfiguration), runErr);
        Assert.That(runErr, Does.Contain(reason));
        Assert.That(File.Exists(Path.Combine(dir, "events.jsonl")), Is.False, "no camera opened, nothing served");
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Any, port);
        Assert.DoesNotThrow(probe.Start, "nothing listens on the port");
        probe.Stop();
    }

    [Test]
    public async Task Run_BoundToEveryAddressWithAToken_ANonLoopbackRequestNeedsTheToken()
    {
        IPAddress? outside = Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (outside is null) Assert.Ignore("this machine has no non-loopback IPv4 address to reach the agent on");
        using var agent = new WebAgent();   // binds http://0.0.0.0:port with a token
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var status = await http.GetAsync($"http://{outside}:{agent.Port}/api/status");
        Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"from {outside} without the token");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{outside}:{agent.Port}/api/status");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", WebAgent.Token);
        Assert.That((await http.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "with the token");
    }
}
