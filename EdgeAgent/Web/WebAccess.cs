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

    /// <summary>True when every URL binds only a loopback address (localhost, 127.0.0.0/8, ::1).</summary>
    public static bool LoopbackOnly(string urls, out string? problem)
    {
        problem = null;
        foreach (string raw in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel accepts "http://*:80" and "http://+:80", which Uri does not parse: both bind every address.
            string probe = raw.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(probe, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                problem = $"'{raw}' is not an http:// or https:// URL";
                return false;
            }
            string host = uri.Host.Trim('[', ']');
            bool loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
            if (!loopback) return false;
        }
        return true;
    }

    /// <summary>
    /// Whether every URL's address and port can be bound now (checked before the host starts: without its pages the agent
    /// still tracks and delivers events, so a taken port is logged and the web part left out, never a stopped ward).
    /// </summary>
    public static bool CanListen(string urls, out string? problem)
    {
        problem = null;
        foreach (string raw in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string probe = raw.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(probe, UriKind.Absolute, out Uri? uri)) continue;   // the validator names it
            string host = uri.Host.Trim('[', ']');
            System.Net.IPAddress address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? System.Net.IPAddress.Loopback
                : System.Net.IPAddress.TryParse(host, out var ip) ? ip : System.Net.IPAddress.Any;
            var listener = new System.Net.Sockets.TcpListener(address, uri.Port);
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
