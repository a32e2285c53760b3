using System.Net;

namespace CloudSync.Mqtt;

/// <summary>What may stand where a host is configured: an IP address or an RFC 1123 host name (checked before anything connects).</summary>
public static class HostName
{
    public static bool IsValid(string host) => IPAddress.TryParse(host.Trim('[', ']'), out _) && (host.Contains(':') || host.Split('.').Length == 4)
        || IsName(host);

    /// <summary>An RFC 1123 host name: labels of letters, digits and inner hyphens, at most 63 each and 253 in all, not all digits.</summary>
    public static bool IsName(string host)
    {
        if (host.Length is 0 or > 253) return false;
        string[] labels = host.TrimEnd('.').Split('.');
        foreach (string label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }
        return !labels[^1].All(char.IsAsciiDigit);   // "10.0.0" or "127.1" is a malformed address, not a name
    }
}
