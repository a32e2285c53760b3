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
    public void LoopbackOnly_TellsWhetherTheTokenIsRequired(string urls, bool loopback)
    {
        Assert.That(WebAccess.LoopbackOnly(urls, out string? problem), Is.EqualTo(loopback));
        Assert.That(problem, Is.Null);
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
