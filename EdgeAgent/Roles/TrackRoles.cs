using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Roles;

/// <summary>
/// One camera's role votes per track: each look that matches a uniform pushes that role's smoothed share up, each
/// that does not pulls it down; the track's role is the best share above <see cref="RoleOptions.MinConfidence"/>.
/// Used from the camera's pipeline thread.
/// </summary>
public sealed class TrackRoles(UniformClassifier classifier, RoleOptions options)
{
    private readonly Dictionary<int, double[]> _shares = [];
    private readonly List<int> _matched = new(4);
    private readonly double _alpha = 2.0 / (Math.Max(1, options.Frames) + 1);

    /// <summary>Updates the votes of the tracks seen in this frame and forgets tracks no longer reported.</summary>
    public void Update(Mat image, IReadOnlyList<Track> tracks)
    {
        var live = new HashSet<int>();
        foreach (Track t in tracks)
        {
            live.Add(t.Id);
            if (!_shares.TryGetValue(t.Id, out double[]? shares)) _shares[t.Id] = shares = new double[classifier.Count];
            _matched.Clear();
            classifier.Match(image, t.Box, _matched);
            for (int i = 0; i < shares.Length; i++) shares[i] += _alpha * ((_matched.Contains(i) ? 1 : 0) - shares[i]);
        }
        foreach (int gone in _shares.Keys.Where(k => !live.Contains(k)).ToList()) _shares.Remove(gone);
    }

    /// <summary>The track's role and its confidence, or (null, 0) when no uniform is confidently matched.</summary>
    public (string? Role, float Confidence) RoleOf(int trackId)
    {
        if (!_shares.TryGetValue(trackId, out double[]? shares) || shares.Length == 0) return (null, 0);
        int best = 0;
        for (int i = 1; i < shares.Length; i++) if (shares[i] > shares[best]) best = i;
        return shares[best] >= options.MinConfidence ? (classifier.RoleOf(best), (float)shares[best]) : (null, (float)shares[best]);
    }

    public void Reset() => _shares.Clear();
}
