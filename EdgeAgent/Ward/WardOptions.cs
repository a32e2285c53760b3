using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Ward;

/// <summary>The ward: one identity per person across its cameras. Section <c>Ward</c>.</summary>
public sealed class WardOptions
{
    public const string SectionName = "Ward";

    /// <summary>Ward id used in events and MQTT topics.</summary>
    public string Id { get; set; } = "ward";

    /// <summary>Site (hospital) id used in events and MQTT topics.</summary>
    public string Site { get; set; } = "site";

    /// <summary>This appliance's id in events (the per-device sequence belongs to it). Empty: the host name.</summary>
    public string DeviceId { get; set; } = "";

    /// <summary>The device id in effect: <see cref="DeviceId"/>, or the host name reduced to letters, digits, '-' and '_'.</summary>
    public string EffectiveDeviceId => DeviceId.Length > 0 ? DeviceId
        : new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').Take(64).ToArray()) is { Length: > 0 } host ? host : "device";

    /// <summary>Tracks of two cameras closer than this on the floor at the same moment are the same person.</summary>
    [Range(0.05, 10.0)] public double SamePlaceDistanceMetres { get; set; } = 1.0;

    /// <summary>How long after a person left one camera a new track in another may take over their identity.</summary>
    public TimeSpan HandoffWindow { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Hand-off reach: a new track may be up to (this + walking speed × gap) from where the person was last seen.</summary>
    [Range(0.0, 20.0)] public double HandoffDistanceMetres { get; set; } = 1.5;

    [Range(0.1, 10.0)] public double WalkingSpeedMetresPerSecond { get; set; } = 2.0;

    /// <summary>Hand-off and same-place links also need appearances (when both are known) within this cosine distance.</summary>
    [Range(0.0, 2.0)] public double AppearanceMaxDistance { get; set; } = 0.4;

    /// <summary>Ward pseudonyms are replaced by new random ones this often (at least daily); the old ones are forgotten.</summary>
    public TimeSpan PseudonymRotation { get; set; } = TimeSpan.FromDays(1);
}
