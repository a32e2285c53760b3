using System.Security.Cryptography;
using System.Text;

namespace EdgeAgent.Web;

/// <summary>
/// Who may see the pages: a pure decider. On localhost no token is needed unless one is set; bound to any other address
/// a token is required (the validator refuses to start without one). Tokens are compared in constant time.
/// </summary>
public sealed class WebAccess
{
    public const string CookieName = "edge_token";

    private readonly byte[]? _token;

    public WebAccess(WebOptions options)
    {
        _token = options.Token.Length > 0 ? Encoding.UTF8.GetBytes(options.Token) : null;
    }

    /// <summary>Whether a request must carry the token.</summary>
    public bool TokenRequired => _token is not null;

    /// <summary>True when the token is not required or <paramref name="presented"/> is it.</summary>
    public bool Allows(string? presented)
    {
        if (_token is null) return true;
        if (presented is null) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);
    }

    /// <summary>The token a request presents: <c>Authorization: Bearer</c>, else the cookie the login form set.</summary>
    public static string? Presented(string? authorization, string? cookie)
    {
        if (authorization is { } a && a.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return a["Bearer ".Length..].Trim();
        return cookie;
    }

    /// <summary>
    /// True when every URL binds only a loopback address. The URLs are read as Kestrel reads them (see
    /// <see cref="WebUrl"/>): <c>localhost</c> and loopback IP literals bind loopback; any other IP binds that address;
    /// <c>*</c>, <c>+</c> and every host name bind every address. A URL Kestrel could read differently from us (userinfo,
    /// a path, a query, another scheme, no port) is a problem, never a guess.
    /// </summary>
    public static bool LoopbackOnly(string urls, out string? problem)
    {
        problem = null;
        bool loopback = true;
        foreach (string raw in Split(urls))
        {
            if (!WebUrl.TryParse(raw, out WebUrl? url, out problem)) return false;
            loopback &= url.Loopback;
        }
        if (!Split(urls).Any()) problem = "no URL given";
        return loopback && problem is null;
    }

    private static IEnumerable<string> Split(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Whether a request that arrived on <paramref name="local"/> (the address Kestrel accepted it on) may be served
    /// without a token. Decided per connection from the address actually bound, not from the configured URL: with no
    /// token set, anything that did not arrive on loopback is refused, whatever the URL said.
    /// </summary>
    public bool Reachable(System.Net.IPAddress? local) =>
        _token is not null || (local is not null && System.Net.IPAddress.IsLoopback(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local));

    /// <summary>
    /// Whether every URL's address and port can be bound now (checked before the host starts: without its pages the agent
    /// still tracks and delivers events, so a taken port is logged and the web part left out, never a stopped ward).
    /// </summary>
    public static bool CanListen(string urls, out string? problem)
    {
        problem = null;
        foreach (string raw in Split(urls))
        {
            if (!WebUrl.TryParse(raw, out WebUrl? url, out _)) continue;   // the validator names it
            System.Net.IPAddress address = url.Address;
            var listener = new System.Net.Sockets.TcpListener(address, url.Port);
            try
            {
                listener.Start();
            }
            catch (System.Net.Sockets.SocketException e)
            {
                problem = $"cannot listen on {raw}: {e.Message}";
                return false;
            }
            finally
            {
                listener.Stop();
            }
        }
        return true;
    }
}
