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
        if (!IdPattern().IsMatch(s.Ward.Id)) problems.Add($"Ward:Id: '{s.Ward.Id}' may contain only letters, digits, '-' and '_' (at most 64); it becomes part of MQTT topics");
        if (!IdPattern().IsMatch(s.Ward.Site)) problems.Add($"Ward:Site: '{s.Ward.Site}' may contain only letters, digits, '-' and '_' (at most 64); it becomes part of MQTT topics");
        if (s.Ward.DeviceId.Length > 0 && !IdPattern().IsMatch(s.Ward.DeviceId)) problems.Add($"Ward:DeviceId: '{s.Ward.DeviceId}' may contain only letters, digits, '-' and '_' (at most 64)");
        Zones.FloorPlan.Create(s.Zones, problems);
        for (int i = 0; i < s.Zones.Areas.Count; i++)
            foreach (string camera in s.Zones.Areas[i].Cameras ?? [])
                if (!s.Capture.Cameras.Any(c => c.Id == camera))
                    problems.Add($"Zones:Areas:{i}:Cameras: no camera in Capture:Cameras has the id '{camera}'");
        ValidateRoles(s.Roles, problems);
        ValidateBadges(s.Badges, s.Zones, problems);
        ValidateSync(s.Sync, problems);
        ValidateBrokerProfiles(s, problems);
        ValidateFrames(s.Frames, problems);
        if (s.Reid.RefreshInterval <= TimeSpan.Zero)
            problems.Add($"{Reid.ReidOptions.SectionName}:RefreshInterval: must be positive, got {s.Reid.RefreshInterval}");
        if (s.Output.StatusInterval < TimeSpan.FromSeconds(1))
            problems.Add($"{OutputOptions.SectionName}:StatusInterval: must be at least 00:00:01, got {s.Output.StatusInterval}");
        if (s.Output.ModelHealthInterval < TimeSpan.FromSeconds(1))
            problems.Add($"{OutputOptions.SectionName}:ModelHealthInterval: must be at least 00:00:01, got {s.Output.ModelHealthInterval}");
        if (s.Output.WatchdogSilence < TimeSpan.FromSeconds(1))
            problems.Add($"{OutputOptions.SectionName}:WatchdogSilence: must be at least 00:00:01, got {s.Output.WatchdogSilence}");
        if (s.Fleet.Enabled)
        {
            if (!File.Exists(s.Fleet.PublicKeyFile)) problems.Add($"Fleet:PublicKeyFile: '{s.Fleet.PublicKeyFile}' does not exist (the fleet's signing key, installed at provisioning)");
            if (s.Fleet.HealthDeadline < TimeSpan.FromSeconds(5)) problems.Add($"Fleet:HealthDeadline: must be at least 00:00:05, got {s.Fleet.HealthDeadline}");
            if (s.Fleet.MaxManifestBytes is < 1024 or > 1024 * 1024) problems.Add($"Fleet:MaxManifestBytes: must be between 1024 and 1048576, got {s.Fleet.MaxManifestBytes}");
            if (s.Sync.Destinations.Count == 0) problems.Add("Fleet:Enabled: fleet updates arrive over MQTT: configure Sync:Destinations");
            if (s.Fleet.ValidationClip is { Length: > 0 } clip)
            {
                if (!File.Exists(clip)) problems.Add($"Fleet:ValidationClip: '{clip}' does not exist");
                if (s.Fleet.ValidationGroundTruth is not { Length: > 0 } gt || !File.Exists(gt)) problems.Add("Fleet:ValidationGroundTruth: the clip's MOTChallenge ground truth file is required and must exist");
                if (s.Fleet.ValidationFrames is < 10 or > 100_000) problems.Add($"Fleet:ValidationFrames: must be between 10 and 100000, got {s.Fleet.ValidationFrames}");
                if (s.Fleet.MaxAccuracyDrop is < 0 or > 1) problems.Add($"Fleet:MaxAccuracyDrop: must be between 0 and 1, got {s.Fleet.MaxAccuracyDrop}");
            }
        }
        s.Web.Validate(problems);   // each section that owns logic of its own validates itself where it is defined
        if (string.IsNullOrWhiteSpace(s.Output.Directory))
            problems.Add($"{OutputOptions.SectionName}:Directory: must not be empty");
        StatePaths.AddProblems(s, problems);
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

    private static void ValidateRoles(Roles.RoleOptions r, List<string> problems)
    {
        const string S = Roles.RoleOptions.SectionName;
        if (r.MinConfidence is <= 0 or > 1) problems.Add($"{S}:MinConfidence: must be above 0 and at most 1, got {r.MinConfidence}");
        if (r.Frames is < 1 or > 1000) problems.Add($"{S}:Frames: must be between 1 and 1000, got {r.Frames}");
        for (int i = 0; i < r.Uniforms.Count; i++)
        {
            Roles.UniformProfile u = r.Uniforms[i];
            string k = $"{S}:Uniforms:{i}";
            if (string.IsNullOrWhiteSpace(u.Role) || u.Role.Length > 64) problems.Add($"{k}:Role: is required (1–64 characters)");
            if (u.Examples.Count == 0 && u.Hue is null) problems.Add($"{k}:Hue: give a hue range [min, max] (0–180) or Examples");
            if (u.Hue is { } hue && (hue.Length != 2 || hue.Any(h => h is < 0 or > 180))) problems.Add($"{k}:Hue: must be [min, max] within 0–180");
            if (u.MinSaturation is < 0 or > 255) problems.Add($"{k}:MinSaturation: must be between 0 and 255, got {u.MinSaturation}");
            if (u.MinValue is < 0 or > 255 || u.MaxValue is < 0 or > 255 || u.MinValue > u.MaxValue)
                problems.Add($"{k}:MinValue: MinValue and MaxValue must lie within 0–255 with MinValue ≤ MaxValue, got {u.MinValue} and {u.MaxValue}");
            if (u.MinFraction is <= 0 or > 1) problems.Add($"{k}:MinFraction: must be above 0 and at most 1, got {u.MinFraction}");
            if (u.MinSimilarity is < -1 or > 1) problems.Add($"{k}:MinSimilarity: must be between -1 and 1, got {u.MinSimilarity}");
            for (int j = 0; j < u.Examples.Count; j++)
                if (!File.Exists(u.Examples[j])) problems.Add($"{k}:Examples:{j}: image file '{u.Examples[j]}' does not exist");
        }
    }

    private static void ValidateBadges(Badges.BadgeOptions b, Zones.ZoneOptions zones, List<string> problems)
    {
        const string S = Badges.BadgeOptions.SectionName;
        if (b.Readers.Count > 0 && string.IsNullOrWhiteSpace(b.Roster)) problems.Add($"{S}:Roster: is required when badge readers are configured (build it with 'edge-agent roster build')");
        else if (b.Roster is { Length: > 0 } roster && !File.Exists(roster)) problems.Add($"{S}:Roster: roster file '{roster}' does not exist");
        if (b.FusionWindow <= TimeSpan.Zero || b.FusionWindow > TimeSpan.FromMinutes(1)) problems.Add($"{S}:FusionWindow: must be positive and at most 00:01:00, got {b.FusionWindow}");
        if (b.RepeatSuppression < TimeSpan.Zero) problems.Add($"{S}:RepeatSuppression: must not be negative, got {b.RepeatSuppression}");
        if (b.ReconnectInitialDelay <= TimeSpan.Zero) problems.Add($"{S}:ReconnectInitialDelay: must be positive, got {b.ReconnectInitialDelay}");
        if (b.ReconnectMaxDelay < b.ReconnectInitialDelay) problems.Add($"{S}:ReconnectMaxDelay: must be at least ReconnectInitialDelay ({b.ReconnectInitialDelay}), got {b.ReconnectMaxDelay}");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < b.Readers.Count; i++)
        {
            Badges.BadgeReaderOptions r = b.Readers[i];
            string k = $"{S}:Readers:{i}";
            if (!IdPattern().IsMatch(r.Id)) problems.Add($"{k}:Id: '{r.Id}' may contain only letters, digits, '-' and '_' (at most 64)");
            else if (!ids.Add(r.Id)) problems.Add($"{k}:Id: '{r.Id}' is used by another reader");
            if (string.IsNullOrWhiteSpace(r.Port)) problems.Add($"{k}:Port: is required (a serial device such as /dev/ttyTHS1)");
            if (r.BaudRate is < 300 or > 4_000_000) problems.Add($"{k}:BaudRate: must be between 300 and 4000000, got {r.BaudRate}");
            if (!zones.Doors.Any(d => d.Id == r.Door)) problems.Add($"{k}:Door: no door in Zones:Doors has the id '{r.Door}'");
        }
    }

    private static void ValidateFrames(Frames.FrameOptions f, List<string> problems)
    {
        const string S = Frames.FrameOptions.SectionName;
        if (f.Interval < TimeSpan.Zero) problems.Add($"{S}:Interval: must not be negative, got {f.Interval}");
        if (f.CellsAcross is < 1 or > 16) problems.Add($"{S}:CellsAcross: must be between 1 and 16 (coarser hides more), got {f.CellsAcross}");
        if (f.Margin is < 0 or > 1) problems.Add($"{S}:Margin: must be between 0 and 1, got {f.Margin}");
        if (f.JpegQuality is < 10 or > 100) problems.Add($"{S}:JpegQuality: must be between 10 and 100, got {f.JpegQuality}");
    }

    private static void ValidateSync(global::CloudSync.SyncOptions sync, List<string> problems)
    {
        const string S = global::CloudSync.SyncOptions.SectionName;
        var o = sync.Outbox;
        if (string.IsNullOrWhiteSpace(o.Directory)) problems.Add($"{S}:Outbox:Directory: must not be empty");
        if (o.QuotaBytes < 1024 * 1024) problems.Add($"{S}:Outbox:QuotaBytes: must be at least 1048576 (1 MiB), got {o.QuotaBytes}");
        foreach (var (key, ttl) in new[] { ("AlertTimeToLive", o.AlertTimeToLive), ("ZoneTimeToLive", o.ZoneTimeToLive), ("PeriodicTimeToLive", o.PeriodicTimeToLive), ("FrameTimeToLive", o.FrameTimeToLive) })
            if (ttl < TimeSpan.FromMinutes(1)) problems.Add($"{S}:Outbox:{key}: must be at least 00:01:00, got {ttl}");
        if (o.CheckpointPages is < 10 or > 100_000) problems.Add($"{S}:Outbox:CheckpointPages: must be between 10 and 100000, got {o.CheckpointPages}");
        var blob = sync.Blob;
        if (blob.ConnectionString.Length > 0)
        {
            if (string.IsNullOrWhiteSpace(blob.Container)) problems.Add($"{S}:Blob:Container: must not be empty");
            if (string.IsNullOrWhiteSpace(blob.SpoolDirectory)) problems.Add($"{S}:Blob:SpoolDirectory: must not be empty");
            if (blob.QuotaBytes < 1024 * 1024) problems.Add($"{S}:Blob:QuotaBytes: must be at least 1048576 (1 MiB), got {blob.QuotaBytes}");
            if (blob.TimeToLive < TimeSpan.FromMinutes(1)) problems.Add($"{S}:Blob:TimeToLive: must be at least 00:01:00, got {blob.TimeToLive}");
            if (blob.RetainFor < TimeSpan.Zero) problems.Add($"{S}:Blob:RetainFor: must not be negative (0: the storage account's lifecycle rule deletes), got {blob.RetainFor}");
            if (blob.RetentionSweepInterval < TimeSpan.FromSeconds(1)) problems.Add($"{S}:Blob:RetentionSweepInterval: must be at least 00:00:01, got {blob.RetentionSweepInterval}");
            if (blob.RetryMaxDelay < blob.RetryInitialDelay || blob.RetryInitialDelay <= TimeSpan.Zero) problems.Add($"{S}:Blob:RetryMaxDelay: must be at least RetryInitialDelay, which must be positive");
        }
        if (sync.CleanupInterval < TimeSpan.FromSeconds(1)) problems.Add($"{S}:CleanupInterval: must be at least 00:00:01, got {sync.CleanupInterval}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < sync.Destinations.Count; i++)
        {
            var d = sync.Destinations[i];
            string k = $"{S}:Destinations:{i}";
            if (!IdPattern().IsMatch(d.Name)) problems.Add($"{k}:Name: '{d.Name}' may contain only letters, digits, '-' and '_' (at most 64)");
            else if (!names.Add(d.Name)) problems.Add($"{k}:Name: '{d.Name}' is used by another destination (each owns a cursor in the outbox)");
            if (string.IsNullOrWhiteSpace(d.Host)) problems.Add($"{k}:Host: is required");
            else if (!global::CloudSync.Mqtt.HostName.IsValid(d.Host))
                problems.Add($"{k}:Host: '{d.Host}' is not a host name or IP address (give the broker's name, e.g. mqtt.hospital.example, without scheme, port or path)");
            if (d.Port is < 1 or > 65535) problems.Add($"{k}:Port: must be between 1 and 65535, got {d.Port}");
            if (d.ProtocolVersion is not ("3.1.1" or "5")) problems.Add($"{k}:ProtocolVersion: must be \"3.1.1\" or \"5\", got \"{d.ProtocolVersion}\"");
            if (string.IsNullOrWhiteSpace(d.TopicPrefix) || d.TopicPrefix.IndexOfAny(['#', '+']) >= 0) problems.Add($"{k}:TopicPrefix: must be a topic without wildcards, got \"{d.TopicPrefix}\"");
            if (d.KeepAlive < TimeSpan.FromSeconds(1)) problems.Add($"{k}:KeepAlive: must be at least 00:00:01, got {d.KeepAlive}");
            if (d.PublishTimeout < TimeSpan.FromSeconds(1)) problems.Add($"{k}:PublishTimeout: must be at least 00:00:01, got {d.PublishTimeout}");
            if (d.BatchSize is < 1 or > 10_000) problems.Add($"{k}:BatchSize: must be between 1 and 10000, got {d.BatchSize}");
            if (d.MaxInFlight is < 1 or > 65535) problems.Add($"{k}:MaxInFlight: must be between 1 and 65535, got {d.MaxInFlight}");
            if (d.MaxMessageBytes < 1024) problems.Add($"{k}:MaxMessageBytes: must be at least 1024, got {d.MaxMessageBytes}");
            if (d.ReconnectMaxDelay < d.ReconnectInitialDelay || d.ReconnectInitialDelay <= TimeSpan.Zero)
                problems.Add($"{k}:ReconnectMaxDelay: must be at least ReconnectInitialDelay ({d.ReconnectInitialDelay}), which must be positive");
            foreach (var (key, file) in new[] { ("CaFile", d.CaFile), ("ClientCertificateFile", d.ClientCertificateFile), ("ClientKeyFile", d.ClientKeyFile) })
                if (file is not null && !File.Exists(file)) problems.Add($"{k}:{key}: file '{file}' does not exist");
            if ((d.CaFile is not null || d.ClientCertificateFile is not null) && !d.UseTls) problems.Add($"{k}:UseTls: certificates are given but UseTls is false");
        }
    }

    // Each destination against its broker's rules (Event Grid: topic length and levels, retained topics per ward, …),
    // with the concrete topics this ward will use there.
    private static void ValidateBrokerProfiles(AgentSettings s, List<string> problems)
    {
        for (int i = 0; i < s.Sync.Destinations.Count; i++)
        {
            var d = s.Sync.Destinations[i];
            var (topics, retained) = WardTopics(s, d.TopicPrefix);
            problems.AddRange(global::CloudSync.Mqtt.BrokerProfile.Check(d, $"Sync:Destinations:{i}", topics, retained));
        }
    }

    /// <summary>Every topic the ward publishes or subscribes to under <paramref name="prefix"/>, and how many are retained.</summary>
    internal static (IReadOnlyCollection<string> Topics, int Retained) WardTopics(AgentSettings s, string prefix)
    {
        var scheme = new global::CloudSync.Mqtt.TopicScheme(prefix, s.Ward.Site, s.Ward.Id);
        string[] device = [scheme.Status, $"{scheme.Base}/status/device", scheme.OutboxReport, scheme.FleetReported];
        List<string> retained =
        [
            .. device,
            .. s.Zones.Areas.Select(z => scheme.Occupancy(z.Id)),
            .. s.Zones.Availability.Select(r => $"{scheme.Base}/alerts/{r.Id}"),
            .. s.Capture.Cameras.Select(c => $"{scheme.Base}/cameras/{c.Id}/status"),
        ];
        List<string> all = [.. retained, scheme.Commands, scheme.CommandReplies, scheme.FleetDesired, .. global::CloudSync.Contract.EventTypes.All.Select(t => scheme.Events(t.Name))];
        return (all, retained.Count);
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
