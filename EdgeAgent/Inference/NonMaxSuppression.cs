using EdgeAgent.Tracking;

namespace EdgeAgent.Inference;

/// <summary>Greedy non-maximum suppression: keep the best box, drop every other box overlapping it above the IoU limit.</summary>
public static class NonMaxSuppression
{
    public static void Apply(List<Detection> candidates, float iouLimit, List<Detection> kept)
    {
        candidates.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        int start = kept.Count;
        foreach (Detection d in candidates)
        {
            bool suppressed = false;
            for (int k = start; k < kept.Count; k++)
            {
                if (kept[k].Box.IoU(d.Box) > iouLimit) { suppressed = true; break; }
            }
            if (!suppressed) kept.Add(d);
        }
    }
}
