namespace EdgeAgent.Tracking;

/// <summary>One person found by the detector: a box in frame pixels and the detector's confidence (0..1).</summary>
public readonly record struct Detection(BoundingBox Box, float Score);
