namespace EdgeAgent.Configuration;

/// <summary>What the agent writes locally. Section <c>Output</c>.</summary>
public sealed class OutputOptions
{
    public const string SectionName = "Output";

    /// <summary>Folder for track files and run summaries (relative to the working directory).</summary>
    public string Directory { get; set; } = "out";

    /// <summary>Service mode: append each camera's tracks to <c>&lt;Directory&gt;/&lt;camera&gt;.mot.txt</c> (MOTChallenge format).</summary>
    public bool WriteTracks { get; set; }

    /// <summary>Service mode: append every event to <c>&lt;Directory&gt;/events.jsonl</c> (JSON lines; the local record until events are synced).</summary>
    public bool WriteEvents { get; set; } = true;

    /// <summary>Folder for state that must survive a restart (open presences, the event sequence). systemd's StateDirectory in production.</summary>
    public string StateDirectory { get; set; } = "state";

    /// <summary>How often the service logs each camera's counters.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the service emits a <c>model.health</c> event (histograms of confidence, detections, track length).</summary>
    public TimeSpan ModelHealthInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Under systemd's watchdog: the beat is withheld when the event loop, or a connected camera's pipeline, has been
    /// silent this long (keep it below the unit's WatchdogSec).
    /// </summary>
    public TimeSpan WatchdogSilence { get; set; } = TimeSpan.FromSeconds(30);
}
