using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using EdgeAgent.Capture;
using EdgeAgent.Inference;
using EdgeAgent.Tracking;

namespace EdgeAgent.Configuration;

/// <summary>
/// Checks every setting before any camera opens. Each problem is reported as <c>Section:Key: problem</c>.
/// The same validator serves the config file, the command line and (later) fleet-delivered overlays.
/// </summary>
public static partial class SettingsValidator
{
    public static IReadOnlyList<string> Validate(AgentSettings s, bool requireCameras)
    {
        var problems = new List<string>();
        ValidateCapture(s.Capture, requireCameras, problems);
        ValidateDetection(s.Detection, problems);
        ValidateTracking(s.Tracking, problems);
        AddAnnotations(Reid.ReidOptions.SectionName, s.Reid, problems);
        AddAnnotations(EdgeAgent.Ward.WardOptions.SectionName, s.Ward, problems);
        if (s.Ward.PseudonymRotation <= TimeSpan.Zero || s.Ward.PseudonymRotation > TimeSpan.FromDays(1))
            problems.Add($"Ward:PseudonymRotation: must be positive and at most 1.00:00:00 (pseudonyms rotate at least daily), got {s.Ward.PseudonymRotation}");
        if (s.Ward.HandoffWindow < TimeSpan.Zero || s.Ward.HandoffWindow > TimeSpan.FromMinutes(1))
            problems.Add($"Ward:HandoffWindow: must be between 00:00:00 and 00:01:00, got {s.Ward.HandoffWindow}");
        if (s.Reid.RefreshInterval <= TimeSpan.Zero)
            problems.Add($"{Reid.ReidOptions.SectionName}:RefreshInterval: must be positive, got {s.Reid.RefreshInterval}");
        if (s.Output.StatusInterval < TimeSpan.FromSeconds(1))
            problems.Add($"{OutputOptions.SectionName}:StatusInterval: must be at least 00:00:01, got {s.Output.StatusInterval}");
        if (string.IsNullOrWhiteSpace(s.Output.Directory))
            problems.Add($"{OutputOptions.SectionName}:Directory: must not be empty");
        return problems;
    }

    public static void ThrowIfInvalid(AgentSettings s, bool requireCameras)
    {
        IReadOnlyList<string> problems = Validate(s, requireCameras);
        if (problems.Count > 0) throw new ConfigurationException(problems);
    }

    private static void ValidateCapture(CaptureOptions c, bool requireCameras, List<string> problems)
    {
        const string S = CaptureOptions.SectionName;
        if (requireCameras && c.Cameras.Count == 0) problems.Add($"{S}:Cameras: at least one camera is required");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < c.Cameras.Count; i++)
        {
            CameraOptions cam = c.Cameras[i];
            string k = $"{S}:Cameras:{i}";
            if (string.IsNullOrWhiteSpace(cam.Id)) problems.Add($"{k}:Id: is required");
            else if (!IdPattern().IsMatch(cam.Id)) problems.Add($"{k}:Id: '{cam.Id}' may contain only letters, digits, '-' and '_' (at most 64)");
            else if (!seen.Add(cam.Id)) problems.Add($"{k}:Id: '{cam.Id}' is used by another camera");
            if (string.IsNullOrWhiteSpace(cam.Source)) problems.Add($"{k}:Source: is required (a file, /dev/videoN, rtsp:// URL or GStreamer pipeline)");
            else if (FrameSourceFactory.Classify(cam) == SourceKind.File && !File.Exists(cam.Source))
                problems.Add($"{k}:Source: video file '{cam.Source}' does not exist");
            if (cam.Crop is { } crop && (crop.X < 0 || crop.Y < 0 || crop.Width <= 0 || crop.Height <= 0 || crop.X + crop.Width > 1.0001 || crop.Y + crop.Height > 1.0001))
                problems.Add($"{k}:Crop: must lie inside the frame (normalised 0..1), got X {crop.X} Y {crop.Y} Width {crop.Width} Height {crop.Height}");
            if (cam.Calibration is { } cal && EdgeAgent.Ward.WardStage.Fit(cal, out string? why) is null)
                problems.Add($"{k}:Calibration: {why}");
            if (cam.FrameRate is < 0 or > 240) problems.Add($"{k}:FrameRate: must be between 0 and 240, got {cam.FrameRate}");
        }
        if (c.QueueCapacity is < 1 or > 64) problems.Add($"{S}:QueueCapacity: must be between 1 and 64, got {c.QueueCapacity}");
        if (c.StallTimeout < TimeSpan.FromSeconds(1)) problems.Add($"{S}:StallTimeout: must be at least 00:00:01, got {c.StallTimeout}");
        if (c.ReconnectInitialDelay <= TimeSpan.Zero) problems.Add($"{S}:ReconnectInitialDelay: must be positive, got {c.ReconnectInitialDelay}");
        if (c.ReconnectMaxDelay < c.ReconnectInitialDelay) problems.Add($"{S}:ReconnectMaxDelay: must be at least ReconnectInitialDelay ({c.ReconnectInitialDelay}), got {c.ReconnectMaxDelay}");
        if (c.ReconnectJitter is < 0 or > 1) problems.Add($"{S}:ReconnectJitter: must be between 0 and 1, got {c.ReconnectJitter}");
        if (c.OpenTimeout < TimeSpan.FromSeconds(1)) problems.Add($"{S}:OpenTimeout: must be at least 00:00:01, got {c.OpenTimeout}");
        if (string.IsNullOrWhiteSpace(c.FfmpegPath)) problems.Add($"{S}:FfmpegPath: must not be empty");
        if (c.Quality.MinSharpness < 0) problems.Add($"{S}:Quality:MinSharpness: must be ≥ 0, got {c.Quality.MinSharpness}");
        if (c.Quality.MinContrast < 0) problems.Add($"{S}:Quality:MinContrast: must be ≥ 0, got {c.Quality.MinContrast}");
        if (c.Quality.ClaheClipLimit <= 0) problems.Add($"{S}:Quality:ClaheClipLimit: must be positive, got {c.Quality.ClaheClipLimit}");
    }

    private static void ValidateDetection(DetectorOptions d, List<string> problems)
    {
        const string S = DetectorOptions.SectionName;
        AddAnnotations(S, d, problems);
        for (int i = 0; i < d.ExecutionProviders.Count; i++)
            if (!DetectorOptions.KnownProviders.Contains(d.ExecutionProviders[i], StringComparer.Ordinal))
                problems.Add($"{S}:ExecutionProviders:{i}: unknown provider '{d.ExecutionProviders[i]}' (known: {string.Join(", ", DetectorOptions.KnownProviders)})");
    }

    private static void ValidateTracking(TrackerOptions t, List<string> problems)
    {
        const string S = TrackerOptions.SectionName;
        AddAnnotations(S, t, problems);
        if (t.LowScoreThreshold > t.HighScoreThreshold)
            problems.Add($"{S}:LowScoreThreshold: must not exceed HighScoreThreshold ({t.HighScoreThreshold}), got {t.LowScoreThreshold}");
        if (t.NewTrackThreshold < t.HighScoreThreshold)
            problems.Add($"{S}:NewTrackThreshold: must be at least HighScoreThreshold ({t.HighScoreThreshold}), got {t.NewTrackThreshold}");
        if (t.AppearanceReassociationWindow < t.LostTrackBuffer || t.AppearanceReassociationWindow > TimeSpan.FromMinutes(10))
            problems.Add($"{S}:AppearanceReassociationWindow: must be between LostTrackBuffer ({t.LostTrackBuffer}) and 00:10:00, got {t.AppearanceReassociationWindow}");
        if (t.LostTrackBuffer < TimeSpan.Zero || t.LostTrackBuffer > TimeSpan.FromMinutes(10))
            problems.Add($"{S}:LostTrackBuffer: must be between 00:00:00 and 00:10:00, got {t.LostTrackBuffer}");
    }

    private static void AddAnnotations(string section, object options, List<string> problems)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (ValidationResult r in results)
            foreach (string member in r.MemberNames.DefaultIfEmpty(""))
                problems.Add($"{section}:{member}: {r.ErrorMessage}");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();
}
