namespace EdgeAgent.Tracking;

/// <summary>Life cycle of a track: tentative → confirmed → lost → removed (ByteTrack's new/tracked/lost/removed).</summary>
public enum TrackState
{
    Tentative,
    Confirmed,
    Lost,
    Removed,
}
