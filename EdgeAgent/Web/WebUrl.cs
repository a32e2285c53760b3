using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace EdgeAgent.Web;

/// <summary>
/// One <c>Web:Urls</c> entry read the way Kestrel binds it, strictly: <c>http(s)://host:port</c> with an optional
/// trailing slash and nothing else. Kestrel binds <c>localhost</c> to loopback, an IP literal to that address, and
/// <c>*</c>, <c>+</c> or any other host name to every address — so only those forms are accepted, and anything that
/// two parsers could read differently (<c>http://0.0.0.0@127.0.0.1:8080</c>: <see cref="Uri"/> sees 127.0.0.1, Kestrel
/// binds everything) is refused with the reason.
/// </summary>
public sealed record WebUrl(string Scheme, string Host, int Port, IPAddress Address, bool Loopback)
{
    public static bool TryParse(string raw, [NotNullWhen(true)] out WebUrl? url, [NotNullWhen(false)] out string? problem)
    {
        url = null;
        problem = null;
        int sep = raw.IndexOf("://", StringComparison.Ordinal);
        string scheme = sep < 0 ? "" : raw[..sep].ToLowerInvariant();
        if (scheme is not ("http" or "https"))
        {
            problem = $"'{raw}' is not an http:// or https:// URL";
            return false;
        }
        string rest = raw[(sep + 3)..];
        if (rest.EndsWith('/')) rest = rest[..^1];
        foreach (char c in "@/?#\\% ")
        {
            if (!rest.Contains(c)) continue;
            problem = c switch
            {
                '@' => $"'{raw}' carries user information ('…@'): Kestrel and a URL parser disagree on which host that binds; give scheme://host:port only",
                '/' or '\\' => $"'{raw}' has a path: Kestrel ignores it; give scheme://host:port only",
                '?' or '#' => $"'{raw}' has a query or fragment; give scheme://host:port only",
                _ => $"'{raw}' has a character ('{c}') a host cannot have",
            };
            return false;
        }
        int colon = rest.LastIndexOf(':');
        if (colon <= 0 || (rest.StartsWith('[') && colon < rest.IndexOf(']', StringComparison.Ordinal)))
        {
            problem = $"'{raw}' has no port: give scheme://host:port";
            return false;
        }
        string host = rest[..colon];
        if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 0 or > 65535)
        {
            problem = $"'{raw}' has no valid port (0-65535)";
            return false;
        }
        if (host.StartsWith('[') != host.EndsWith(']'))
        {
            problem = $"'{raw}' has an unbalanced IPv6 bracket";
            return false;
        }
        if (host.StartsWith('['))
        {
            if (!IPAddress.TryParse(host[1..^1], out IPAddress? v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                problem = $"'{raw}' has no valid IPv6 address in brackets";
                return false;
            }
            url = new WebUrl(scheme, host, port, v6, IPAddress.IsLoopback(v6));
            return true;
        }
        if (host is "*" or "+")
        {
            url = new WebUrl(scheme, host, port, IPAddress.IPv6Any, false);
            return true;
        }
        if (IsDottedQuad(host))
        {
            if (!IPAddress.TryParse(host, out IPAddress? v4))
            {
                problem = $"'{raw}' has no valid IPv4 address";
                return false;
            }
            url = new WebUrl(scheme, host, port, v4, IPAddress.IsLoopback(v4));
            return true;
        }
        if (IPAddress.TryParse(host, out _))
        {
            problem = $"'{raw}' writes an IP address in a short or numeric form; write it as four decimal parts (a.b.c.d)";
            return false;
        }
        if (!IsHostName(host))
        {
            problem = $"'{raw}' has no valid host (an IP address, localhost, *, + or a host name)";
            return false;
        }
        bool localhost = host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
        url = new WebUrl(scheme, host, port, localhost ? IPAddress.Loopback : IPAddress.IPv6Any, localhost);   // Kestrel: any other name binds all
        return true;
    }

    // Four decimal parts only: "127.1" or "0x7f.0.0.1" are IPs to IPAddress.TryParse but host names to Kestrel.
    private static bool IsDottedQuad(string host)
    {
        string[] parts = host.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }

    /// <summary>An RFC 1123 host name (see <see cref="global::CloudSync.Mqtt.HostName.IsName"/>).</summary>
    public static bool IsHostName(string host) => global::CloudSync.Mqtt.HostName.IsName(host);
}
