using EdgeAgent.Tracking;

namespace EdgeAgent.Evaluation;

/// <summary>
/// One MOTChallenge row: 1-based frame, object id, box (tlwh, pixels), and for ground truth the
/// "consider" flag (0 = ignore) and the floor position (metres) when the file has it.
/// </summary>
public readonly record struct MotRow(int Frame, int Id, BoundingBox Box, float Score, bool Considered, double? FloorX = null, double? FloorY = null);
