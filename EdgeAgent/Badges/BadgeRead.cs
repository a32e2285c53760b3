namespace EdgeAgent.Badges;

/// <summary>A badge on the roster was read at a door. Carries the role only: the badge id never leaves the reader.</summary>
public readonly record struct BadgeRead(string ReaderId, string Door, string Role, string? Department);
