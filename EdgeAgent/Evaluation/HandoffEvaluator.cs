using EdgeAgent.Tracking;

namespace EdgeAgent.Evaluation;

/// <summary>
/// Measures cross-camera identity for two overlapping cameras cut from one ground-truth view. A ground-truth
/// person "passes" when their feet go from the part only camera A sees to the part only camera B sees (frames in
/// the shared part are skipped). The passage keeps its identity when the ward identity of the person's box in A at
/// the last frame in A's part equals the ward identity of their box in B at the first frame in B's part (boxes
/// matched at IoU ≥ 0.5, looking up to <see cref="Slack"/> frames further from the hand-off when a frame has no match).
/// A frame where the person's box also matches another ground-truth person (two people behind one box, as when they
/// cross) says nothing about whose identity it is and counts as no match.
/// </summary>
public static class HandoffEvaluator
{
    public const int Slack = 5;

    public sealed record Camera(string Id, double CropX, double CropWidth, IReadOnlyList<MotRow> WardRows);

    /// <param name="Failures">One line per passage that changed identity (ground-truth id, frames, ward ids).</param>
    public sealed record Result(int Passages, int Measured, int Kept, IReadOnlyList<string> Failures)
    {
        public double KeptRate => Measured == 0 ? 0 : (double)Kept / Measured;
        public override string ToString() => $"{Kept} of {Measured} measured passages kept one ward identity ({KeptRate:P1}); {Passages - Measured} of {Passages} passages had no tracked box at one end";
    }

    /// <param name="groundTruth">Full-frame ground truth (pixels of the source view).</param>
    /// <param name="a">The left camera: its crop and its ward-numbered boxes (crop pixels).</param>
    /// <param name="b">The right camera.</param>
    public static Result Evaluate(IReadOnlyList<MotRow> groundTruth, Camera a, Camera b)
    {
        double onlyA = b.CropX, onlyB = a.CropX + a.CropWidth;   // feet x < onlyA: only A sees them; > onlyB: only B
        var rowsA = a.WardRows.GroupBy(r => r.Frame).ToDictionary(g => g.Key, g => g.ToList());
        var rowsB = b.WardRows.GroupBy(r => r.Frame).ToDictionary(g => g.Key, g => g.ToList());
        var truthByFrame = groundTruth.Where(r => r.Considered).GroupBy(r => r.Frame).ToDictionary(g => g.Key, g => g.ToList());
        int passages = 0, measured = 0, kept = 0;
        var failures = new List<string>();
        foreach (var person in groundTruth.Where(r => r.Considered).GroupBy(r => r.Id))
        {
            var path = person.OrderBy(r => r.Frame).Select(r => (Row: r, Side: Side(r.Box.CenterX, onlyA, onlyB))).Where(p => p.Side != 0).ToList();
            for (int i = 1; i < path.Count; i++)
            {
                if (path[i].Side == path[i - 1].Side) continue;
                passages++;
                MotRow from = path[i - 1].Row, to = path[i].Row;
                Camera fromCam = path[i - 1].Side < 0 ? a : b, toCam = path[i].Side < 0 ? a : b;
                var fromRows = fromCam == a ? rowsA : rowsB;
                var toRows = toCam == a ? rowsA : rowsB;
                int? before = WardIdNear(person, from.Frame, -1, fromCam, fromRows, truthByFrame);
                int? after = WardIdNear(person, to.Frame, +1, toCam, toRows, truthByFrame);
                if (before is null || after is null) continue;
                measured++;
                if (before == after) kept++;
                else failures.Add($"gt {person.Key}: frame {from.Frame} in {fromCam.Id} ward {before} -> frame {to.Frame} in {toCam.Id} ward {after}");
            }
        }
        return new Result(passages, measured, kept, failures);
    }

    private static int Side(float feetX, double onlyA, double onlyB) => feetX < onlyA ? -1 : feetX > onlyB ? 1 : 0;

    private static int? WardIdNear(IGrouping<int, MotRow> person, int frame, int direction, Camera cam, Dictionary<int, List<MotRow>> rows,
                                   Dictionary<int, List<MotRow>> truthByFrame)
    {
        var byFrame = person.ToDictionary(r => r.Frame);
        for (int k = 0; k <= Slack; k++)
        {
            int f = frame + direction * k;
            if (!byFrame.TryGetValue(f, out MotRow gt) || !rows.TryGetValue(f, out List<MotRow>? candidates)) continue;
            var box = new BoundingBox((float)(gt.Box.X1 - cam.CropX), gt.Box.Y1, (float)(gt.Box.X2 - cam.CropX), gt.Box.Y2);
            MotRow? best = null;
            float bestIoU = 0.5f;
            foreach (MotRow c in candidates)
            {
                float iou = c.Box.IoU(box);
                if (iou >= bestIoU) { bestIoU = iou; best = c; }
            }
            if (best is not { } match) continue;
            bool shared = truthByFrame[f].Any(o => o.Id != person.Key
                && match.Box.IoU(new BoundingBox((float)(o.Box.X1 - cam.CropX), o.Box.Y1, (float)(o.Box.X2 - cam.CropX), o.Box.Y2)) >= 0.5f);
            if (!shared) return match.Id;
        }
        return null;
    }
}
