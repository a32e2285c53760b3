namespace EdgeAgent.Web;

/// <summary>
/// The status pages, live view, calibration and zone editor, ward dashboard, <c>/metrics</c> and <c>/healthz</c>, served by
/// the agent on Kestrel. Section <c>Web</c>.
/// </summary>
public sealed class WebOptions
{
    public const string SectionName = "Web";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where Kestrel listens (semicolon-separated URLs). Localhost by default; bound to any other address,
    /// <see cref="Token"/> is required for everything but <c>/healthz</c>.
    /// </summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>
    /// PEM certificate (chain) for <c>https://</c> URLs — the device certificate, or one the hospital issues for the
    /// appliance's name. Read again when the file changes, so a renewal needs no restart.
    /// </summary>
    public string CertificateFile { get; set; } = "";

    /// <summary>PEM private key of <see cref="CertificateFile"/> (readable by the service user only).</summary>
    public string CertificateKeyFile { get; set; } = "";

    /// <summary>The access token (at least 16 characters) when bound beyond localhost; optional on localhost.</summary>
    public string Token { get; set; } = "";

    /// <summary>A watched camera's anonymised live frame is made at most this often (nothing is made while nobody watches).</summary>
    public TimeSpan LiveFrameInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Heatmap cell size on the floor plan.</summary>
    public double HeatmapCellMetres { get; set; } = 1.0;

    /// <summary>How far back the movement heatmap reaches.</summary>
    public TimeSpan HeatmapWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>One column of the shift's occupancy timeline.</summary>
    public TimeSpan TimelineBucket { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Local times of day when a shift starts; the timeline covers the shift now running. Empty: 07:00 and 19:00 (the
    /// default is not in the list itself, because the configuration binder adds a file's items to a list's defaults).
    /// </summary>
    public List<TimeSpan> ShiftChanges { get; set; } = [];

    public IReadOnlyList<TimeSpan> EffectiveShiftChanges => ShiftChanges.Count > 0 ? ShiftChanges : [TimeSpan.FromHours(7), TimeSpan.FromHours(19)];
}
