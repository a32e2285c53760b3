namespace EdgeAgent.Tracking;

/// <summary>
/// Multi-object tracker after ByteTrack (Zhang et al., ECCV 2022): a Kalman filter per track,
/// a first association of high-score detections with all tracks, a second association of the
/// remaining confirmed tracks with low-score detections, then tentative tracks with what is left.
/// One instance per camera, used from one thread. Boxes are tlbr in frame pixels.
/// </summary>
public sealed class ByteTracker
{
    private readonly TrackerOptions _options;
    private readonly LinearAssignment _solver = new();
    private readonly List<Track> _tracks = [];      // tentative, confirmed and lost; removed tracks are dropped
    private readonly List<Track> _output = [];
    private readonly List<Detection> _high = [], _low = [];
    private readonly List<Track> _pool = [], _leftTracks = [];
    private readonly List<Detection> _leftDetections = [];
    private readonly List<Track> _stillTracked = [], _unmatchedAfterSecond = [], _tentative = [], _deadTentative = [];
    private readonly List<Detection> _highLeft = [];
    private double[] _cost = new double[64];
    private int[] _rowToCol = new int[16];
    private int _nextId = 1;
    private long _frame;
    private readonly int _maxLostFrames;
    private readonly int _maxAppearanceLostFrames;
    private readonly double _fps;
    private readonly List<Track> _lostLeft = [];
    private readonly List<Detection> _frameDetections = [];
    private readonly List<Detection> _appearanceCandidates = [];

    public ByteTracker(TrackerOptions options, double frameRate)
    {
        _options = options;
        double fps = frameRate > 0 ? frameRate : options.DefaultFrameRate;
        _fps = fps;
        _maxLostFrames = Math.Max(1, (int)Math.Round(options.LostTrackBuffer.TotalSeconds * fps));
        _maxAppearanceLostFrames = Math.Max(_maxLostFrames, (int)Math.Round(options.AppearanceReassociationWindow.TotalSeconds * fps));
    }

    /// <summary>
    /// Frame size in pixels (0 when unknown). With it, boxes cut by the image border are recognised: their crops
    /// show part of a person, so they neither shape a track's appearance nor revive a track, and a track lost at
    /// the border has left the view rather than been hidden.
    /// </summary>
    public (int Width, int Height) FrameSize { get; set; }

    private bool AtBorder(in BoundingBox box)
    {
        var (w, h) = FrameSize;
        if (w <= 0 || h <= 0) return false;
        float mx = w * 0.01f, my = h * 0.01f;
        return box.X1 <= mx || box.Y1 <= my || box.X2 >= w - mx || box.Y2 >= h - my;
    }

    /// <summary>Frames processed since the last reset.</summary>
    public long FrameCount => _frame;

    /// <summary>Frames a lost track is kept before removal, derived from the frame rate.</summary>
    public int MaxLostFrames => _maxLostFrames;

    /// <summary>Forgets every track (e.g. after the camera's resolution changed). Ids keep increasing.</summary>
    public void Reset()
    {
        _tracks.Clear();
        _frame = 0;
    }

    /// <summary>
    /// Advances one frame. Returns the confirmed tracks seen in this frame; the list is reused by the next call.
    /// </summary>
    public IReadOnlyList<Track> Update(ReadOnlySpan<Detection> detections)
    {
        _frame++;
        _frameDetections.Clear();
        _frameDetections.AddRange(detections);
        _high.Clear(); _low.Clear();
        foreach (Detection d in detections)
        {
            if (d.Box.Area < _options.MinBoxArea) continue;
            if (d.Score >= _options.HighScoreThreshold) _high.Add(d);
            else if (d.Score > _options.LowScoreThreshold) _low.Add(d);
        }

        // Predict every live track; lost ones keep their position estimate moving.
        _pool.Clear();
        foreach (Track t in _tracks)
        {
            t.Predict();
            // A track lost for longer than the buffer is only looked for by appearance (step 1b): its motion
            // prediction has drifted too far to trust an overlap.
            bool longLost = t.State == TrackState.Lost && _frame - t.LastSeenFrame > _maxLostFrames;
            if (t.State != TrackState.Tentative && !longLost) _pool.Add(t);
        }

        // Step 1: first association — confirmed and lost tracks with high-score detections.
        _leftTracks.Clear(); _leftDetections.Clear();
        Associate(_pool, _high, _options.FirstMatchMaxDistance, _options.FuseScore, _leftTracks, _leftDetections, useAppearance: true);

        // Step 1b (re-identification): lost tracks with the high-score detections left, by appearance within a motion gate.
        ReassociateLostByAppearance();

        // Step 2: second association — tracks still confirmed but unmatched, with low-score detections.
        _stillTracked.Clear(); _unmatchedAfterSecond.Clear();
        foreach (Track t in _leftTracks)
            if (t.State == TrackState.Confirmed && t.LastSeenFrame != _frame) _stillTracked.Add(t);
        Associate(_stillTracked, _low, _options.SecondMatchMaxDistance, false, _unmatchedAfterSecond, null);
        foreach (Track t in _unmatchedAfterSecond) t.State = TrackState.Lost;

        // Step 3: tentative tracks with the high-score detections nobody took; unmatched tentative tracks die.
        _tentative.Clear(); _deadTentative.Clear(); _highLeft.Clear();
        foreach (Track t in _tracks)
            if (t.State == TrackState.Tentative) _tentative.Add(t);
        _highLeft.AddRange(_leftDetections);
        _leftDetections.Clear();
        Associate(_tentative, _highLeft, _options.TentativeMatchMaxDistance, _options.FuseScore, _deadTentative, _leftDetections);
        foreach (Track t in _deadTentative) t.State = TrackState.Removed;

        // Step 4: new tracks from confident detections that matched nothing. Tracks born in the very first
        // frame are confirmed at once (nothing to confirm them against); later ones start tentative.
        foreach (Detection d in _leftDetections)
        {
            if (d.Score < _options.NewTrackThreshold) continue;
            _tracks.Add(new Track(_nextId++, IsClean(d) ? d : d.WithoutEmbedding, _frame, confirmImmediately: _frame == 1));
        }

        // Step 5: lost tracks past the buffer are removed.
        foreach (Track t in _tracks)
            if (t.State == TrackState.Lost && _frame - t.LastSeenFrame > (t.Feature is null ? _maxLostFrames : _maxAppearanceLostFrames))
                t.State = TrackState.Removed;
        _tracks.RemoveAll(t => t.State == TrackState.Removed);
        RemoveDuplicates();

        _output.Clear();
        foreach (Track t in _tracks)
            if (t.State == TrackState.Confirmed && t.LastSeenFrame == _frame) _output.Add(t);
        return _output;
    }

    /// <summary>Live tracks in every state (for diagnostics and tests).</summary>
    public IReadOnlyList<Track> AllTracks => _tracks;

    private void Associate(List<Track> tracks, List<Detection> dets, double maxDistance, bool fuseScore,
                           List<Track> unmatchedTracks, List<Detection>? unmatchedDetections, bool useAppearance = false)
    {
        int rows = tracks.Count, cols = dets.Count;
        if (rows == 0 || cols == 0)
        {
            unmatchedTracks.AddRange(tracks);
            unmatchedDetections?.AddRange(dets);
            return;
        }
        if (_cost.Length < rows * cols) _cost = new double[rows * cols * 2];
        if (_rowToCol.Length < rows) _rowToCol = new int[rows * 2];
        for (int i = 0; i < rows; i++)
        {
            BoundingBox tb = tracks[i].Box;
            double b = tracks[i].State == TrackState.Lost ? _options.LostTrackSearchExpansion : 0;
            for (int j = 0; j < cols; j++)
            {
                double iou = b == 0 ? tb.IoU(dets[j].Box) : Expand(tb, b).IoU(Expand(dets[j].Box, b));
                double cost = 1 - (fuseScore ? iou * dets[j].Score : iou);
                // Appearance as a veto: boxes may overlap well, but a clearly different-looking person is not this
                // track (two people crossing).
                if (useAppearance && dets[j].Embedding is not null && tracks[i].Feature is not null
                    && tracks[i].AppearanceDistance(dets[j].Embedding) > _options.AppearanceVetoDistance)
                    cost = 2.0;
                _cost[i * cols + j] = cost;
            }
        }
        _solver.Solve(_cost.AsSpan(0, rows * cols), rows, cols, maxDistance, _rowToCol);
        Span<bool> taken = cols <= 256 ? stackalloc bool[cols] : new bool[cols];
        for (int i = 0; i < rows; i++)
        {
            int j = _rowToCol[i];
            if (j < 0)
            {
                unmatchedTracks.Add(tracks[i]);
                continue;
            }
            taken[j] = true;
            tracks[i].Update(IsClean(dets[j]) ? dets[j] : dets[j].WithoutEmbedding, _frame);
        }
        if (unmatchedDetections is null) return;
        for (int j = 0; j < cols; j++)
            if (!taken[j]) unmatchedDetections.Add(dets[j]);
    }

    // Only an unoccluded crop may shape a track's appearance: a crop that overlaps another person's box mixes two people.
    private bool IsClean(in Detection d)
    {
        if (d.Embedding is null) return true;
        if (AtBorder(d.Box)) return false;
        foreach (Detection other in _frameDetections)
            if (other.Score >= _options.LowScoreThreshold && other.Box != d.Box && other.Box.IoU(d.Box) > 0) return false;
        return true;
    }

    private void ReassociateLostByAppearance()
    {
        _lostLeft.Clear();
        foreach (Track t in _tracks)
            if (t.State == TrackState.Lost && t.Feature is not null && t.LastSeenFrame != _frame && !AtBorder(t.LastObservedBox)) _lostLeft.Add(t);
        _appearanceCandidates.Clear();
        // Only a detection confident enough to start a track may revive one: a doubtful box (a sign the detector
        // half-believes is a person) must not bring back a track it once fed.
        foreach (Detection d in _leftDetections)
            if (d.Embedding is not null && d.Score >= _options.NewTrackThreshold && !AtBorder(d.Box)) _appearanceCandidates.Add(d);
        int rows = _lostLeft.Count, cols = _appearanceCandidates.Count;
        if (rows == 0 || cols == 0) return;
        if (_cost.Length < rows * cols) _cost = new double[rows * cols * 2];
        if (_rowToCol.Length < rows) _rowToCol = new int[rows * 2];
        for (int i = 0; i < rows; i++)
        {
            Track t = _lostLeft[i];
            BoundingBox last = t.LastObservedBox;
            double secondsLost = (_frame - t.LastSeenFrame) / _fps;
            double reach = last.Height * (0.5 + _options.ReappearSpeed * secondsLost);
            for (int j = 0; j < cols; j++)
            {
                BoundingBox box = _appearanceCandidates[j].Box;
                double dx = box.CenterX - last.CenterX, dy = (box.Y1 + box.Y2 - last.Y1 - last.Y2) / 2;
                bool near = dx * dx + dy * dy <= reach * reach;
                _cost[i * cols + j] = near ? t.AppearanceDistance(_appearanceCandidates[j].Embedding) : 2.0;
            }
        }
        _solver.Solve(_cost.AsSpan(0, rows * cols), rows, cols, _options.ReassociationMaxDistance, _rowToCol);
        for (int i = 0; i < rows; i++)
        {
            int j = _rowToCol[i];
            if (j < 0) continue;
            Detection d = _appearanceCandidates[j];
            _lostLeft[i].Update(IsClean(d) ? d : d.WithoutEmbedding, _frame);
            _leftDetections.Remove(d);
        }
    }

    /// <summary>
    /// Marks the detections whose appearance should be computed before the next <see cref="Update"/>.
    /// Selective: a high-score detection that touches another one (people crossing), that no current track
    /// clearly owns (a new or reappearing person), or whose owning track's appearance is older than
    /// <paramref name="refresh"/>. EveryFrame: every high-score detection. Returns how many were marked.
    /// </summary>
    public int SelectForAppearance(ReadOnlySpan<Detection> detections, Span<bool> need, AppearancePolicy policy, TimeSpan refresh)
    {
        need[..detections.Length].Clear();
        if (policy == AppearancePolicy.Off) return 0;
        long refreshFrames = Math.Max(1, (long)Math.Round(refresh.TotalSeconds * _fps));
        int count = 0;
        for (int j = 0; j < detections.Length; j++)
        {
            Detection d = detections[j];
            if (d.Score < _options.HighScoreThreshold || d.Box.Area < _options.MinBoxArea) continue;
            bool mark = policy == AppearancePolicy.EveryFrame;
            if (!mark)
            {
                for (int k = 0; k < detections.Length && !mark; k++)
                    mark = k != j && detections[k].Score >= _options.HighScoreThreshold && d.Box.IoU(detections[k].Box) > 0;
            }
            if (!mark)
            {
                Track? owner = null;
                float best = 0;
                foreach (Track t in _tracks)
                {
                    if (t.State == TrackState.Removed) continue;
                    float iou = t.Box.IoU(d.Box);
                    if (iou > best) { best = iou; owner = t; }
                }
                // Unowned: a new or reappearing person, unless too doubtful to start or revive a track (then its
                // embedding could never be used — the sign the detector half-believes in would cost a crop a frame).
                bool unowned = owner is null || best < 0.5f;
                mark = unowned ? d.Score >= _options.NewTrackThreshold : _frame + 1 - owner!.FeatureFrame >= refreshFrames;
            }
            if (mark) { need[j] = true; count++; }
        }
        return count;
    }

    // Buffered IoU (C-BIoU, Yang et al., WACV 2023): both boxes grown by b times their size on each side,
    // so a person who reappears away from the drifting prediction of a lost track can still be matched.
    private static BoundingBox Expand(in BoundingBox box, double b)
    {
        float dw = (float)(box.Width * b), dh = (float)(box.Height * b);
        return new BoundingBox(box.X1 - dw, box.Y1 - dh, box.X2 + dw, box.Y2 + dh);
    }

    // ByteTrack's remove_duplicate_stracks: a lost track that overlaps a confirmed one almost exactly
    // is the same person; keep whichever has been followed for longer.
    private void RemoveDuplicates()
    {
        for (int i = 0; i < _tracks.Count; i++)
        {
            Track a = _tracks[i];
            if (a.State != TrackState.Confirmed) continue;
            for (int j = 0; j < _tracks.Count; j++)
            {
                Track b = _tracks[j];
                // Only recently lost tracks: one kept longer for appearance has a drifting prediction that proves nothing.
                if (b.State != TrackState.Lost || _frame - b.LastSeenFrame > _maxLostFrames) continue;
                if (1 - a.Box.IoU(b.Box) >= 0.15) continue;
                long ageA = _frame - a.StartFrame, ageB = _frame - b.StartFrame;
                if (ageA > ageB) b.State = TrackState.Removed;
                else a.State = TrackState.Removed;
            }
        }
        _tracks.RemoveAll(t => t.State == TrackState.Removed);
    }
}
