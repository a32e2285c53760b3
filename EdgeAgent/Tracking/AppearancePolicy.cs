namespace EdgeAgent.Tracking;

/// <summary>When appearance embeddings are computed for the tracker (<c>Reid:Policy</c>).</summary>
public enum AppearancePolicy
{
    Off,
    Selective,
    EveryFrame,
}
