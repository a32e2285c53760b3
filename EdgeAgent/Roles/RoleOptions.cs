namespace EdgeAgent.Roles;

/// <summary>Roles from uniform colour, without identities. Section <c>Roles</c>. Badge readers are in <c>Badges</c>.</summary>
public sealed class RoleOptions
{
    public const string SectionName = "Roles";

    /// <summary>One profile per role; empty turns uniform recognition off.</summary>
    public List<UniformProfile> Uniforms { get; set; } = [];

    /// <summary>A track takes a role once this share of its recent looks (smoothed) matched the role's uniform.</summary>
    public double MinConfidence { get; set; } = 0.6;

    /// <summary>How many recent looks the smoothing spans (exponential average over about this many frames).</summary>
    public int Frames { get; set; } = 15;
}

/// <summary>
/// A uniform, seen on the torso (the band between shoulders and belt). Either a colour range in HSV (OpenCV scale:
/// hue 0–180, saturation and value 0–255; a hue range with min &gt; max wraps through red) or example crops of the
/// uniform whose hue–saturation histogram is compared.
/// </summary>
public sealed class UniformProfile
{
    public string Role { get; set; } = "";

    /// <summary>[min, max] hue, 0–180. With <see cref="Examples"/> empty, required.</summary>
    public int[]? Hue { get; set; }

    public int MinSaturation { get; set; } = 60;

    public int MinValue { get; set; } = 40;

    public int MaxValue { get; set; } = 255;

    /// <summary>Share of torso pixels in the colour range for one look to match.</summary>
    public double MinFraction { get; set; } = 0.35;

    /// <summary>Image files of the uniform (torso crops). Used instead of <see cref="Hue"/> when given.</summary>
    public List<string> Examples { get; set; } = [];

    /// <summary>Histogram correlation with the examples for one look to match.</summary>
    public double MinSimilarity { get; set; } = 0.5;
}
