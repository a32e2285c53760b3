using System.Net;
using EdgeAgent.Web;

namespace EdgeAgent.Tests.Web;

public class WebAccessTests
{
    [TestCase("http://127.0.0.1:8080", true)]
    [TestCase("http://localhost:8080", true)]
    [TestCase("http://[::1]:8080", true)]
    [TestCase("http://127.0.0.1:8080;http://[::1]:8080", true)]
    [TestCase("http://0.0.0.0:8080", false)]
    [TestCase("http://*:8080", false)]
    [TestCase("http://+:8080", false)]
    [TestCase("http://10.20.0.7:8080", false)]
    [TestCase("http://127.0.0.1:8080;http://192.168.1.5:8080", false)]
    [TestCase("http://[::]:8080", false)]
    [TestCase("http://[::ffff:10.0.0.1]:8080", false)]
    [TestCase("http://ward7-edge.hospital.example:8080", false)]   // Kestrel binds every address for a host name
    [TestCase("http://ip6-localhost:8080", false)]                  // resolves to ::1, yet Kestrel binds every address
    [TestCase("http://127.0.0.1:8080/", true)]
    [TestCase("HTTPS://LOCALHOST:8443", true)]
    public void LoopbackOnly_TellsWhetherTheTokenIsRequired(string urls, bool loopback)
    {
        Assert.That(WebAccess.LoopbackOnly(urls, out string? problem), Is.EqualTo(loopback));
        Assert.That(problem, Is.Null);
    }

    // Each form two parsers could read differently, or that Kestrel would bind wider than it looks, is refused by name.
    [TestCase("http://0.0.0.0@127.0.0.1:19081", "user information")]
    [TestCase("http://user:pw@127.0.0.1:19081", "user information")]
    [TestCase("http://127.0.0.1:19081/pages", "has a path")]
    [TestCase("http://127.0.0.1:19081\\x", "has a path")]
    [TestCase("http://127.0.0.1:19081?x=1", "query")]
    [TestCase("http://127.0.0.1", "no port")]
    [TestCase("http://[::1]", "no port")]
    [TestCase("http://127.1:8080", "four decimal parts")]
    [TestCase("http://2130706433:8080", "four decimal parts")]
    [TestCase("http://0x7f.0.0.1:8080", "four decimal parts")]
    [TestCase("http://127.0.0.1:99999", "valid port")]
    [TestCase("http://[::1:8080", "IPv6 bracket")]
    [TestCase("http://300.0.0.1:8080", "valid IPv4")]
    [TestCase("http://bad_host:8080", "valid host")]
    [TestCase("ftp://127.0.0.1:21", "not an http")]
    [TestCase("unix:/run/edge.sock", "not an http")]
    [TestCase("", "no URL")]
    public void LoopbackOnly_AUrlKestrelCouldReadDifferently_IsAProblemNotAGuess(string urls, string expected)
    {
        Assert.That(WebAccess.LoopbackOnly(urls, out string? problem), Is.False);
        Assert.That(problem, Does.Contain(expected));
    }

    [Test]
    public void Reachable_WithoutAToken_OnlyWhatArrivedOnLoopback()
    {
        var open = new WebAccess(new WebOptions());
        Assert.That(open.Reachable(IPAddress.Loopback), Is.True);
        Assert.That(open.Reachable(IPAddress.IPv6Loopback), Is.True);
        Assert.That(open.Reachable(IPAddress.Parse("::ffff:127.0.0.1")), Is.True, "IPv4 loopback on a dual-stack socket");
        Assert.That(open.Reachable(IPAddress.Parse("192.0.2.2")), Is.False);
        Assert.That(open.Reachable(IPAddress.Parse("::ffff:192.0.2.2")), Is.False);
        Assert.That(open.Reachable(null), Is.False, "unknown local address: refused");
        var guarded = new WebAccess(new WebOptions { Token = "0123456789abcdef-ward7" });
        Assert.That(guarded.Reachable(IPAddress.Parse("192.0.2.2")), Is.True, "with a token the token decides");
    }

    [Test]
    public void Allows_WithATokenSet_OnlyThatExactToken()
    {
        var access = new WebAccess(new WebOptions { Token = "0123456789abcdef-ward7" });
        Assert.That(access.TokenRequired, Is.True);
        Assert.That(access.Allows("0123456789abcdef-ward7"), Is.True);
        Assert.That(access.Allows("0123456789abcdef-ward"), Is.False, "a prefix");
        Assert.That(access.Allows("0123456789abcdef-ward77"), Is.False, "longer");
        Assert.That(access.Allows(""), Is.False);
        Assert.That(access.Allows(null), Is.False);
        Assert.That(new WebAccess(new WebOptions()).Allows(null), Is.True, "no token set (localhost): open");
    }

    [TestCase("Bearer abc", "cookie", "abc")]
    [TestCase("bearer  abc ", null, "abc")]
    [TestCase(null, "from-cookie", "from-cookie")]
    [TestCase("Basic xyz", "from-cookie", "from-cookie")]
    public void Presented_BearerHeaderFirstThenTheSignInCookie(string? authorization, string? cookie, string expected) =>
        Assert.That(WebAccess.Presented(authorization, cookie), Is.EqualTo(expected));

    [Test]
    public void CanListen_PortTaken_SaysWhichUrl()
    {
        var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
            Assert.That(WebAccess.CanListen($"http://127.0.0.1:{port}", out string? problem), Is.False);
            Assert.That(problem, Does.Contain($"http://127.0.0.1:{port}"));
        }
        finally
        {
            taken.Stop();
        }
        Assert.That(WebAccess.CanListen("http://127.0.0.1:0", out _), Is.True);
    }
}
