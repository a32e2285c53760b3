using System.Security.Cryptography;

namespace EdgeAgent.Ward;

/// <summary>
/// One identity per person across the ward's cameras. A new track takes over an existing ward identity when the
/// person is at the same floor position in another camera at the same moment (overlapping views), or has just
/// left another camera near where the track appears (hand-off) — in both cases only if their appearances, when
/// known, agree. Identities are random pseudonyms, replaced at every rotation; appearances are kept in memory only
/// and forgotten with the identity. Used from one thread (the ward stage).
/// </summary>
public sealed class WardIdentityRegistry(WardOptions options, TimeProvider time)
{
    private sealed class Identity(int index, string pseudonym)
    {
        public int Index { get; } = index;
        public string Pseudonym { get; set; } = pseudonym;
        // Recent floor samples per camera: cameras are processed concurrently, so one may be behind another and
        // must compare with the sample nearest its own moment, not with the other camera's latest.
        public readonly Dictionary<string, List<(double Time, double X, double Y)>> Recent = new(StringComparer.Ordinal);
        public float[]? Appearance;
        public double LastSeen;
    }

    private readonly Dictionary<(string Camera, int Track), Identity> _byTrack = [];
    private readonly Dictionary<(string Camera, int Track), (Identity Other, int Count)> _contradicted = [];
    private readonly List<Identity> _identities = [];
    private readonly Dictionary<string, double> _cameraClock = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _downAt = new(StringComparer.Ordinal);       // camera → its clock when it went down
    private readonly Dictionary<string, double> _resuming = new(StringComparer.Ordinal);     // camera back up → its clock until which it may take parked identities (NaN: from its first snapshot)
    private DateTimeOffset _nextRotation = time.GetUtcNow() + options.PseudonymRotation;
    private int _nextIndex = 1;

    /// <summary>Outages longer than this forget the people a camera saw before it (their presences have ended by then).</summary>
    public static readonly TimeSpan ParkLimit = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The camera stopped delivering: the people it saw last are parked, not forgotten, so that when it returns a track
    /// standing where one of them stood (and looking like them, when appearance is known) takes up their identity again —
    /// a presence held through the outage continues instead of ending and restarting under a new pseudonym.
    /// </summary>
    public void CameraDown(string camera)
    {
        if (_cameraClock.TryGetValue(camera, out double clock)) _downAt[camera] = clock;
        _resuming.Remove(camera);
    }

    /// <summary>
    /// The camera delivers again: for one hand-off window from its next snapshot it may take up parked identities (its
    /// first snapshot after <see cref="CameraDown"/> starts that window anyway).
    /// </summary>
    public void CameraUp(string camera)
    {
        if (_downAt.ContainsKey(camera)) _resuming[camera] = double.NaN;
    }

    /// <summary>Identities currently remembered (live or within the hand-off window).</summary>
    public int Count => _identities.Count;

    /// <summary>
    /// Records one camera's tracks at <paramref name="seconds"/> (media or wall time, one clock for all cameras) and
    /// returns each track's ward identity, in the order given. Floor positions may be NaN for uncalibrated cameras.
    /// </summary>
    public IReadOnlyList<(int Index, string Pseudonym)> Observe(string camera, double seconds, IReadOnlyList<WardObservation> tracks)
    {
        RotateIfDue();
        _cameraClock[camera] = seconds;
        // A camera that was down and delivers again resumes, whether or not its return has been reported yet (the camera
        // monitor polls; the first snapshots may come before it notices).
        if (_downAt.ContainsKey(camera) && !_resuming.ContainsKey(camera)) _resuming[camera] = double.NaN;
        if (_resuming.TryGetValue(camera, out double until))
        {
            if (double.IsNaN(until)) _resuming[camera] = until = seconds + options.HandoffWindow.TotalSeconds;
            if (seconds > until)
            {
                _resuming.Remove(camera);
                _downAt.Remove(camera);
            }
        }
        var result = new (int, string)[tracks.Count];
        var takenHere = new HashSet<Identity>();
        foreach (WardObservation t in tracks)
            if (_byTrack.TryGetValue((camera, t.TrackId), out Identity? known)) takenHere.Add(known);

        for (int i = 0; i < tracks.Count; i++)
        {
            WardObservation t = tracks[i];
            if (!_byTrack.TryGetValue((camera, t.TrackId), out Identity? identity))
            {
                Identity? candidate = FindCandidate(camera, seconds, t, takenHere);
                if (candidate is not null && t.AtEdge)
                {
                    // A box cut by the side of the image puts the feet in the wrong place: report the likeliest person
                    // for now, but decide (and learn from this track) only once the whole box is in view.
                    takenHere.Add(candidate);
                    result[i] = (candidate.Index, candidate.Pseudonym);
                    continue;
                }
                identity = candidate ?? NewIdentity();
                _byTrack[(camera, t.TrackId)] = identity;
                takenHere.Add(identity);
            }
            if (!double.IsNaN(t.FloorX) && !t.AtEdge)
            {
                identity = Reconcile(camera, seconds, t, identity, takenHere);
                Remember(identity, camera, seconds, t.FloorX, t.FloorY);
            }
            identity.LastSeen = Math.Max(identity.LastSeen, seconds);
            if (t.Appearance is not null) identity.Appearance = Blend(identity.Appearance, t.Appearance);
            result[i] = (identity.Index, identity.Pseudonym);
        }
        Expire();
        return result;
    }

    private Identity? FindCandidate(string camera, double seconds, WardObservation t, HashSet<Identity> takenHere)
    {
        if (double.IsNaN(t.FloorX)) return null;
        Identity? best = null;
        double bestScore = double.MaxValue;
        foreach (Identity id in _identities)
        {
            if (takenHere.Contains(id)) continue;   // one person cannot be two tracks of the same camera
            foreach (var (otherCamera, samples) in id.Recent)
            {
                if (samples.Count == 0) continue;
                if (otherCamera == camera)
                {
                    if (Parked(camera, id, samples[^1], t) is { } parked && parked < bestScore) { bestScore = parked; best = id; }
                    continue;
                }
                var last = samples.MinBy(s => Math.Abs(s.Time - seconds));
                double gap = seconds - last.Time;
                double dist = Math.Sqrt((t.FloorX - last.X) * (t.FloorX - last.X) + (t.FloorY - last.Y) * (t.FloorY - last.Y));
                double limit = Math.Abs(gap) <= 0.5
                    ? options.SamePlaceDistanceMetres                                                      // seen there right now
                    : gap > 0 && gap <= options.HandoffWindow.TotalSeconds
                        ? options.HandoffDistanceMetres + options.WalkingSpeedMetresPerSecond * gap      // just left there
                        : -1;
                if (limit < 0 || dist > limit) continue;
                // At the same moment the floor position decides (a new track's first crops are often cut by the image
                // edge); across a gap in time appearance must also agree.
                double appearance = Distance(id.Appearance, t.Appearance);
                bool sameMoment = Math.Abs(gap) <= 0.5;
                if (!sameMoment && appearance > options.AppearanceMaxDistance) continue;
                double score = dist / Math.Max(limit, 1e-6) + (double.IsNaN(appearance) ? 0.5 : Math.Min(appearance, 1));
                if (score < bestScore) { bestScore = score; best = id; }
            }
        }
        return best;
    }

    // A camera back from an outage: a person it saw last before going down (and nobody has seen since), standing where the
    // new track is — within the hand-off distance, no walking allowance: the outage's length says nothing of where they went.
    private double? Parked(string camera, Identity id, (double Time, double X, double Y) last, WardObservation t)
    {
        if (!_resuming.ContainsKey(camera) || !_downAt.TryGetValue(camera, out double downAt)) return null;
        if (id.LastSeen > downAt + 0.5 || downAt - last.Time > 1.0) return null;
        double dist = Math.Sqrt((t.FloorX - last.X) * (t.FloorX - last.X) + (t.FloorY - last.Y) * (t.FloorY - last.Y));
        if (dist > options.HandoffDistanceMetres) return null;
        double appearance = Distance(id.Appearance, t.Appearance);
        if (appearance > options.AppearanceMaxDistance) return null;
        return dist / Math.Max(options.HandoffDistanceMetres, 1e-6) + (double.IsNaN(appearance) ? 0.5 : Math.Min(appearance, 1));
    }

    private bool IsParked(Identity id) =>
        id.Recent.Any(kv => _downAt.TryGetValue(kv.Key, out double downAt) && kv.Value.Count > 0 && kv.Value[^1].Time >= downAt - 1.0 && id.LastSeen <= downAt + 0.5);

    /// <summary>
    /// A track that switched people inside its camera carries the wrong identity: another camera then sees that identity
    /// somewhere else at the same moment, while this track stands where another camera sees a different person. When
    /// that holds for <see cref="ReconcileFrames"/> observations in a row, the track takes the identity of the person
    /// it now follows. (Absence in the other camera proves nothing — occlusion — so only a contradiction counts.)
    /// </summary>
    private Identity Reconcile(string camera, double seconds, WardObservation t, Identity identity, HashSet<Identity> takenHere)
    {
        var key = (camera, t.TrackId);
        Identity? other = null;
        bool contradicted = false;
        double nearest = ReconcileSamePlaceMetres;
        foreach (Identity id in _identities)
            foreach (var (otherCamera, samples) in id.Recent)
            {
                if (otherCamera == camera || samples.Count == 0) continue;
                var s = samples.MinBy(x => Math.Abs(x.Time - seconds));
                if (Math.Abs(s.Time - seconds) > 0.3) continue;
                double d = Math.Sqrt(((t.FloorX - s.X) * (t.FloorX - s.X)) + ((t.FloorY - s.Y) * (t.FloorY - s.Y)));
                if (id == identity) { if (d > ReconcileElsewhereMetres) contradicted = true; }
                else if (d <= nearest && !takenHere.Contains(id)) { nearest = d; other = id; }
            }
        if (!contradicted || other is null)
        {
            _contradicted.Remove(key);
            return identity;
        }
        int count = _contradicted.TryGetValue(key, out var c) && c.Other == other ? c.Count + 1 : 1;
        if (count < ReconcileFrames)
        {
            _contradicted[key] = (other, count);
            return identity;
        }
        _contradicted.Remove(key);
        _byTrack[key] = other;
        takenHere.Remove(identity);
        takenHere.Add(other);
        return other;
    }

    private const double ReconcileSamePlaceMetres = 0.6, ReconcileElsewhereMetres = 1.2;
    private const int ReconcileFrames = 5;

    private void Remember(Identity identity, string camera, double seconds, double x, double y)
    {
        if (!identity.Recent.TryGetValue(camera, out var samples)) identity.Recent[camera] = samples = [];
        samples.Add((seconds, x, y));
        double horizon = seconds - options.HandoffWindow.TotalSeconds - 2;
        int old = 0;
        while (old < samples.Count && samples[old].Time < horizon) old++;
        if (old > 0) samples.RemoveRange(0, old);
    }

    private Identity NewIdentity()
    {
        var id = new Identity(_nextIndex++, NewPseudonym());
        _identities.Add(id);
        return id;
    }

    // Forget identities (and their appearance) that no camera has seen for longer than the hand-off window.
    private void Expire()
    {
        // A camera that is down does not hold back the others' clock (its identities are parked instead).
        var live = _cameraClock.Where(kv => !_downAt.ContainsKey(kv.Key) || _resuming.ContainsKey(kv.Key)).Select(kv => kv.Value).ToList();
        if (live.Count == 0) return;
        double now = live.Min();
        double keep = options.HandoffWindow.TotalSeconds + 1;
        var gone = _identities.Where(i => now - i.LastSeen > keep && !(IsParked(i) && now - i.LastSeen < ParkLimit.TotalSeconds)).ToHashSet();
        if (gone.Count == 0) return;
        _identities.RemoveAll(gone.Contains);
        foreach (var key in _byTrack.Where(kv => gone.Contains(kv.Value)).Select(kv => kv.Key).ToList()) _byTrack.Remove(key);
        foreach (Identity i in gone) i.Appearance = null;
    }

    private void RotateIfDue()
    {
        DateTimeOffset now = time.GetUtcNow();
        if (now < _nextRotation) return;
        foreach (Identity i in _identities) i.Pseudonym = NewPseudonym();
        _nextRotation = now + options.PseudonymRotation;
    }

    private static string NewPseudonym() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static float[] Blend(float[]? current, float[] next)
    {
        if (current is null) return (float[])next.Clone();
        double sum = 0;
        for (int i = 0; i < current.Length; i++) { current[i] = 0.9f * current[i] + 0.1f * next[i]; sum += current[i] * current[i]; }
        float scale = sum > 0 ? (float)(1 / Math.Sqrt(sum)) : 0;
        for (int i = 0; i < current.Length; i++) current[i] *= scale;
        return current;
    }

    // Cosine distance; NaN when either appearance is unknown (then it neither allows nor forbids a link).
    private static double Distance(float[]? a, float[]? b)
    {
        if (a is null || b is null) return double.NaN;
        double dot = 0;
        for (int i = 0; i < a.Length; i++) dot += a[i] * b[i];
        return 1 - dot;
    }
}

/// <summary>One track as the ward stage sees it: floor position (metres, NaN when the camera is not calibrated) and appearance.</summary>
/// <remarks><see cref="AtEdge"/>: the box touches the side of the image, so it may be cut and its feet misplaced.</remarks>
public readonly record struct WardObservation(int TrackId, double FloorX, double FloorY, float[]? Appearance, bool AtEdge = false);
