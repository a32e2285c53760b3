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

    /// <summary>Adds each problem of this section as <c>Web:Key: problem</c> (the configuration check and every start call it).</summary>
    public void Validate(List<string> problems)
    {
        const string S = SectionName;
        WebOptions w = this;
        if (!w.Enabled) return;
        bool loopback = WebAccess.LoopbackOnly(w.Urls, out string? problem);
        if (problem is not null) problems.Add($"{S}:Urls: {problem}");
        else if (!loopback && w.Token.Length < 16)
            problems.Add($"{S}:Token: required (at least 16 characters) when {S}:Urls binds beyond localhost ('{w.Urls}')");
        if (w.Token.Length is > 0 and < 16) problems.Add($"{S}:Token: at least 16 characters, got {w.Token.Length}");
        if (w.Urls.Contains("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (w.CertificateFile.Length == 0 || w.CertificateKeyFile.Length == 0)
                problems.Add($"{S}:CertificateFile: an https:// URL needs CertificateFile and CertificateKeyFile (PEM)");
            else if (ServerCertificate.Problem(w.CertificateFile, w.CertificateKeyFile) is { } bad)
                problems.Add($"{S}:CertificateFile: {bad}");
        }
        if (w.LiveFrameInterval < TimeSpan.FromMilliseconds(50)) problems.Add($"{S}:LiveFrameInterval: must be at least 00:00:00.050, got {w.LiveFrameInterval}");
        if (w.HeatmapCellMetres is < 0.1 or > 10) problems.Add($"{S}:HeatmapCellMetres: must be between 0.1 and 10, got {w.HeatmapCellMetres}");
        if (w.HeatmapWindow < TimeSpan.FromMinutes(1) || w.HeatmapWindow > TimeSpan.FromDays(1)) problems.Add($"{S}:HeatmapWindow: must be between 00:01:00 and 1.00:00:00, got {w.HeatmapWindow}");
        if (w.TimelineBucket < TimeSpan.FromSeconds(10) || w.TimelineBucket > TimeSpan.FromHours(1)) problems.Add($"{S}:TimelineBucket: must be between 00:00:10 and 01:00:00, got {w.TimelineBucket}");
        if (w.ShiftChanges.Any(t => t < TimeSpan.Zero || t >= TimeSpan.FromDays(1)))
            problems.Add($"{S}:ShiftChanges: times of day between 00:00:00 and 23:59:59");
    }
}
