using System.Diagnostics.Metrics;

namespace EdgeAgent.Health;

/// <summary>The agent's one metric catalogue (<c>Meter("EdgeAgent")</c>); every instrument is declared here.</summary>
public static class EdgeMetrics
{
    public static readonly Meter Meter = new("EdgeAgent", "1.0");

    public static readonly Counter<long> FramesCaptured = Meter.CreateCounter<long>("edge.capture.frames", "{frame}", "Frames read from a camera");
    public static readonly Counter<long> FramesDropped = Meter.CreateCounter<long>("edge.capture.frames_dropped", "{frame}", "Frames dropped at capture, by reason");
    public static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("edge.capture.reconnects", "{reconnect}", "Camera streams reopened");
    public static readonly Counter<long> ReconnectAttempts = Meter.CreateCounter<long>("edge.capture.reconnect_attempts", "{attempt}", "Attempts to reopen a camera, failed or not");
    public static readonly Counter<long> Stalls = Meter.CreateCounter<long>("edge.capture.stalls", "{stall}", "Streams that delivered no frame within the stall timeout");
    public static readonly Counter<long> DecodeErrors = Meter.CreateCounter<long>("edge.capture.decode_errors", "{error}", "Decoder errors reported by a source");
    public static readonly Counter<long> FramesProcessed = Meter.CreateCounter<long>("edge.pipeline.frames", "{frame}", "Frames through detection and tracking");
    public static readonly Histogram<double> DetectDuration = Meter.CreateHistogram<double>("edge.detect.duration", "ms", "Detector time per frame, preprocessing included");
    public static readonly Histogram<double> ReidDuration = Meter.CreateHistogram<double>("edge.reid.duration", "ms", "Re-identification embedding time per frame that needed it");
    public static readonly Counter<long> BadgeReads = Meter.CreateCounter<long>("edge.badges.reads", "{read}", "Badge frames by result: accepted, unknown, bad_checksum, malformed, repeat");
    public static readonly Counter<long> BadgeGarbageBytes = Meter.CreateCounter<long>("edge.badges.garbage_bytes", "By", "Bytes on a badge line outside any valid frame");
    public static readonly Counter<long> BadgeReconnects = Meter.CreateCounter<long>("edge.badges.reconnects", "{reconnect}", "Badge readers reopened after an error");
    public static readonly Counter<long> FramesWhollyMosaicked = Meter.CreateCounter<long>("edge.frames.wholly_mosaicked", "{frame}",
        "Sampled or live frames mosaicked whole: the background model had not learnt the view (start, a moved camera)");
    public static readonly Counter<long> ZoneEvents = Meter.CreateCounter<long>("edge.zones.events", "{event}", "Zone events made, by type");
    // Observed when scraped: the agent sets the sources once its parts exist (before that, nothing is reported).
    public static Func<IEnumerable<Measurement<long>>>? OutboxPendingSource;
    public static Func<IEnumerable<Measurement<long>>>? OccupancySource;
    public static Func<IEnumerable<Measurement<long>>>? CameraConnectedSource;
    public static Func<IEnumerable<Measurement<long>>>? CameraStateSource;
    public static Func<IEnumerable<Measurement<long>>>? ZoneBlindSource;
    public static readonly ObservableGauge<long> OutboxPending = Meter.CreateObservableGauge("edge.outbox.pending", () => OutboxPendingSource?.Invoke() ?? [], "{message}", "Events not yet acknowledged, per destination");
    public static readonly ObservableGauge<long> Occupancy = Meter.CreateObservableGauge("edge.zones.occupancy", () => OccupancySource?.Invoke() ?? [], "{person}", "People present per zone and role");
    public static readonly ObservableGauge<long> CameraConnected = Meter.CreateObservableGauge("edge.capture.connected", () => CameraConnectedSource?.Invoke() ?? [], "1", "1 while a camera delivers, else 0");
    public static readonly ObservableGauge<long> CameraStateGauge = Meter.CreateObservableGauge("edge.capture.state", () => CameraStateSource?.Invoke() ?? [], "1", 
        "1 for the state a camera is in (starting, delivering, degraded, down), 0 for the others");
    public static readonly ObservableGauge<long> ZoneBlind = Meter.CreateObservableGauge("edge.zones.blind", () => ZoneBlindSource?.Invoke() ?? [], "1", "1 while no working camera covers a zone (its occupancy is unknown)");
    public static readonly Counter<long> TrackerResets = Meter.CreateCounter<long>("edge.tracking.resets", "{reset}", "Tracker resets after a resolution change");
}
