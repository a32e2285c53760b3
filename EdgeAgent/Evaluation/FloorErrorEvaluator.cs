namespace EdgeAgent.Evaluation;

/// <summary>
/// Localisation against a ground truth with floor positions (PETS09-S2L1's world columns): each result box is matched to
/// a ground-truth box of the same frame (IoU ≥ 0.5, one-to-one, best overlap first) and the distance between their floor
/// positions is an error. Rows without a floor position on either side are not counted.
/// </summary>
public static class FloorErrorEvaluator
{
    public const float MinIoU = 0.5f;

    public static FloorError Evaluate(IEnumerable<MotRow> groundTruth, IEnumerable<MotRow> results)
    {
        var truthByFrame = groundTruth.Where(r => r.Considered && r.FloorX is not null && r.FloorY is not null)
            .GroupBy(r => r.Frame).ToDictionary(g => g.Key, g => g.ToList());
        var errors = new List<double>();
        foreach (var frame in results.Where(r => r.FloorX is not null && r.FloorY is not null).GroupBy(r => r.Frame))
        {
            if (!truthByFrame.TryGetValue(frame.Key, out List<MotRow>? truth)) continue;
            var used = new HashSet<int>();
            foreach (MotRow p in frame.OrderByDescending(p => truth.Max(t => t.Box.IoU(p.Box))))
            {
                MotRow? best = null;
                float bestIoU = MinIoU;
                foreach (MotRow t in truth)
                    if (!used.Contains(t.Id) && t.Box.IoU(p.Box) >= bestIoU) { bestIoU = t.Box.IoU(p.Box); best = t; }
                if (best is not { } match) continue;
                used.Add(match.Id);
                errors.Add(Math.Sqrt(Math.Pow(p.FloorX!.Value - match.FloorX!.Value, 2) + Math.Pow(p.FloorY!.Value - match.FloorY!.Value, 2)));
            }
        }
        errors.Sort();
        return errors.Count == 0 ? new FloorError(0, double.NaN, double.NaN) : new FloorError(errors.Count, errors[errors.Count / 2], errors[(int)(errors.Count * 0.9)]);
    }
}

/// <summary>Floor-position error of the matched boxes, metres.</summary>
public sealed record FloorError(int Matched, double Median, double P90)
{
    public override string ToString() => Matched == 0
        ? "floor error: no matched box with a floor position on both sides"
        : FormattableString.Invariant($"floor error: median {Median:0.000} m, 90th percentile {P90:0.000} m over {Matched} matched boxes");
}
