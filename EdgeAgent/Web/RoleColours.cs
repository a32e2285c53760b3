using System.Globalization;

namespace EdgeAgent.Web;

/// <summary>
/// One colour per role, the same on the live view's boxes, the dashboard's people and timeline, and their legends: a
/// stable hash of the role's name into a colour-blind-safe palette (Okabe–Ito, without its reds, which mean an alert
/// here); the unknown role is grey.
/// </summary>
public static class RoleColours
{
    private static readonly string[] Palette = ["#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#6A3D9A"];
    public const string Unknown = "#6B7280";

    public static string Of(string? role, string unknownRole = "unknown")
    {
        if (string.IsNullOrEmpty(role) || role == unknownRole) return Unknown;
        uint h = 2166136261;
        foreach (char c in role) h = (h ^ c) * 16777619;
        return Palette[h % (uint)Palette.Length];
    }

    /// <summary>The colour as OpenCV wants it (blue, green, red).</summary>
    public static OpenCvSharp.Scalar Bgr(string hex) =>
        new(int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber), int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber), int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber));
}
