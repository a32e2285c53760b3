using EdgeAgent.Tracking;

namespace EdgeAgent.Evaluation;

/// <summary>
/// The project's own MOTChallenge evaluator: CLEAR-MOT (Bernardin &amp; Stiefelhagen 2008) and IDF1
/// (Ristani et al. 2016), both at IoU ≥ 0.5.
/// Ground-truth boxes with flag 0 are ignored, together with the tracker boxes that match them
/// (the MOTChallenge preprocessing): those boxes count neither as hits nor as false positives.
/// </summary>
public static class MotEvaluator
{
    public const double IoUThreshold = 0.5;

    public static MotMetrics Evaluate(IReadOnlyList<MotRow> groundTruth, IReadOnlyList<MotRow> results)
    {
        var gtByFrame = groundTruth.GroupBy(r => r.Frame).ToDictionary(g => g.Key, g => g.ToList());
        var resByFrame = results.GroupBy(r => r.Frame).ToDictionary(g => g.Key, g => g.ToList());
        int lastFrame = Math.Max(gtByFrame.Keys.DefaultIfEmpty(0).Max(), resByFrame.Keys.DefaultIfEmpty(0).Max());

        var solver = new LinearAssignment();
        var lastMatch = new Dictionary<int, int>();      // gt id -> tracker id it was last matched to
        var previousPairs = new Dictionary<int, int>();  // gt id -> tracker id matched in the previous frame
        var trackedFrames = new Dictionary<int, int>();  // gt id -> frames matched
        var gtFrames = new Dictionary<int, int>();       // gt id -> frames present
        var wasTracked = new Dictionary<int, bool>();    // gt id -> matched in its last present frame (fragmentation)
        var pairCounts = new Dictionary<(int Gt, int Tr), int>();
        var gtIdBoxes = new Dictionary<int, int>();
        var trIdBoxes = new Dictionary<int, int>();
        int gtTotal = 0, matches = 0, fp = 0, fn = 0, idsw = 0, frag = 0;

        for (int frame = 1; frame <= lastFrame; frame++)
        {
            List<MotRow> gtAll = gtByFrame.GetValueOrDefault(frame) ?? [];
            List<MotRow> trAll = resByFrame.GetValueOrDefault(frame) ?? [];

            // MOTChallenge preprocessing: drop tracker boxes that match an ignored ground-truth box.
            var trKept = RemoveMatchedToIgnored(gtAll, trAll, solver);
            var gt = gtAll.Where(g => g.Considered).ToList();

            foreach (MotRow g in gt)
            {
                gtIdBoxes[g.Id] = gtIdBoxes.GetValueOrDefault(g.Id) + 1;
                gtFrames[g.Id] = gtFrames.GetValueOrDefault(g.Id) + 1;
            }
            foreach (MotRow t in trKept) trIdBoxes[t.Id] = trIdBoxes.GetValueOrDefault(t.Id) + 1;

            // Identity counts: every (gt, tracker) pair overlapping at IoU >= 0.5 in this frame.
            foreach (MotRow g in gt)
                foreach (MotRow t in trKept)
                    if (g.Box.IoU(t.Box) >= IoUThreshold)
                        pairCounts[(g.Id, t.Id)] = pairCounts.GetValueOrDefault((g.Id, t.Id)) + 1;

            // CLEAR-MOT: keep last frame's correspondences that still overlap, then solve the rest.
            var gtMatched = new int[gt.Count];
            Array.Fill(gtMatched, -1);
            var trUsed = new bool[trKept.Count];
            for (int i = 0; i < gt.Count; i++)
            {
                if (!previousPairs.TryGetValue(gt[i].Id, out int prevTr)) continue;
                for (int j = 0; j < trKept.Count; j++)
                {
                    if (trUsed[j] || trKept[j].Id != prevTr) continue;
                    if (gt[i].Box.IoU(trKept[j].Box) >= IoUThreshold) { gtMatched[i] = j; trUsed[j] = true; }
                    break;
                }
            }
            var freeGt = Enumerable.Range(0, gt.Count).Where(i => gtMatched[i] < 0).ToList();
            var freeTr = Enumerable.Range(0, trKept.Count).Where(j => !trUsed[j]).ToList();
            if (freeGt.Count > 0 && freeTr.Count > 0)
            {
                var cost = new double[freeGt.Count * freeTr.Count];
                for (int a = 0; a < freeGt.Count; a++)
                    for (int b = 0; b < freeTr.Count; b++)
                        cost[a * freeTr.Count + b] = 1 - gt[freeGt[a]].Box.IoU(trKept[freeTr[b]].Box);
                var assign = new int[freeGt.Count];
                solver.Solve(cost, freeGt.Count, freeTr.Count, 1 - IoUThreshold, assign);
                for (int a = 0; a < freeGt.Count; a++)
                {
                    if (assign[a] < 0) continue;
                    gtMatched[freeGt[a]] = freeTr[assign[a]];
                    trUsed[freeTr[assign[a]]] = true;
                }
            }

            previousPairs.Clear();
            for (int i = 0; i < gt.Count; i++)
            {
                int gid = gt[i].Id;
                gtTotal++;
                if (gtMatched[i] < 0)
                {
                    fn++;
                    wasTracked[gid] = false;
                    continue;
                }
                int tid = trKept[gtMatched[i]].Id;
                matches++;
                trackedFrames[gid] = trackedFrames.GetValueOrDefault(gid) + 1;
                if (lastMatch.TryGetValue(gid, out int last) && last != tid) idsw++;
                if (wasTracked.TryGetValue(gid, out bool before) && !before) frag++;
                wasTracked[gid] = true;
                lastMatch[gid] = tid;
                previousPairs[gid] = tid;
            }
            fp += trUsed.Count(u => !u);
        }

        // IDF1: one-to-one matching of ids maximising the frames they agree on.
        var gtIds = gtIdBoxes.Keys.ToList();
        var trIds = trIdBoxes.Keys.ToList();
        var weight = new double[gtIds.Count * trIds.Count];
        for (int a = 0; a < gtIds.Count; a++)
            for (int b = 0; b < trIds.Count; b++)
                weight[a * trIds.Count + b] = pairCounts.GetValueOrDefault((gtIds[a], trIds[b]));
        var idAssign = new int[gtIds.Count];
        solver.SolveMaxWeight(weight, gtIds.Count, trIds.Count, idAssign);
        int idtp = 0;
        for (int a = 0; a < gtIds.Count; a++)
            if (idAssign[a] >= 0) idtp += (int)weight[a * trIds.Count + idAssign[a]];
        int totalTr = trIdBoxes.Values.Sum();
        int mostlyTracked = gtFrames.Count(kv => trackedFrames.GetValueOrDefault(kv.Key) >= 0.8 * kv.Value);

        return new MotMetrics(gtTotal, matches, fp, fn, idsw, idtp, totalTr - idtp, gtTotal - idtp, gtIds.Count, mostlyTracked, frag);
    }

    private static List<MotRow> RemoveMatchedToIgnored(List<MotRow> gtAll, List<MotRow> trAll, LinearAssignment solver)
    {
        if (trAll.Count == 0 || gtAll.All(g => g.Considered)) return trAll;
        var cost = new double[gtAll.Count * trAll.Count];
        for (int i = 0; i < gtAll.Count; i++)
            for (int j = 0; j < trAll.Count; j++)
                cost[i * trAll.Count + j] = 1 - gtAll[i].Box.IoU(trAll[j].Box);
        var assign = new int[gtAll.Count];
        solver.Solve(cost, gtAll.Count, trAll.Count, 1 - IoUThreshold, assign);
        var drop = new bool[trAll.Count];
        for (int i = 0; i < gtAll.Count; i++)
            if (!gtAll[i].Considered && assign[i] >= 0) drop[assign[i]] = true;
        return trAll.Where((_, j) => !drop[j]).ToList();
    }
}
