using System.Globalization;

namespace EdgeAgent.Web;

/// <summary>
/// One colour per role, the same on the live view's boxes, the dashboard's people and timeline, and their legends, from a
/// colour-blind-safe palette (Okabe–Ito, without its reds, which mean an alert here): the configured roles in order,
/// any other role by a stable hash of its name; the unknown role is grey.
/// </summary>
public static class RoleColours
{
    private static readonly string[] Palette = ["#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#6A3D9A"];
    public const string Unknown = "#6B7280";

    private static volatile Dictionary<string, string> _configured = new(StringComparer.Ordinal);

    /// <summary>
    /// The roles the configuration names (uniform profiles), in order: each its own palette colour, so the ward's usual
    /// roles never share one. Set at start and when the configuration is applied.
    /// </summary>
    public static void Configure(IEnumerable<string> roles) =>
        _configured = roles.Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).Select((r, i) => (r, i))
            .ToDictionary(x => x.r, x => Palette[x.i % Palette.Length], StringComparer.Ordinal);

    public static string Of(string? role, string unknownRole = "unknown")
    {
        if (string.IsNullOrEmpty(role) || role == unknownRole) return Unknown;
        if (_configured.TryGetValue(role, out string? colour)) return colour;
        uint h = 2166136261;   // a role learned elsewhere (a badge roster): a stable hash, mixed so short names spread
        foreach (char c in role) h = (h ^ c) * 16777619;
        h ^= h >> 15;
        h *= 2246822519;
        h ^= h >> 13;
        return Palette[h % (uint)Palette.Length];
    }

    /// <summary>The colour as OpenCV wants it (blue, green, red).</summary>
    public static OpenCvSharp.Scalar Bgr(string hex) =>
        new(int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber), int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber), int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber));
}
