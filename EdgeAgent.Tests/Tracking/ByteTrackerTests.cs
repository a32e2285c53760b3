using EdgeAgent.Tracking;

namespace EdgeAgent.Tests.Tracking;

public class ByteTrackerTests
{
    private static Detection Person(float x, float score = 0.9f, float y = 100) => new(new BoundingBox(x, y, x + 30, y + 90), score);

    [Test]
    public void Update_PersonWalking_KeepsOneIdAndFollowsTheBox()
    {
        var tracker = new ByteTracker(new TrackerOptions(), 10);
        var ids = new HashSet<int>();
        for (int f = 0; f < 30; f++)
        {
            var tracks = tracker.Update([Person(100 + 6 * f)]);
            foreach (Track t in tracks) ids.Add(t.Id);
            if (f > 0) Assert.That(tracks, Has.Count.EqualTo(1), $"frame {f}");
        }
        Assert.That(ids, Has.Count.EqualTo(1));
        Assert.That(tracker.AllTracks[0].Box.X1, Is.EqualTo(100 + 6 * 29).Within(3));
    }

    [Test]
    public void Update_NewPersonAfterFirstFrame_IsTentativeUntilSeenTwice()
    {
        var tracker = new ByteTracker(new TrackerOptions(), 10);
        tracker.Update([]);
        Assert.That(tracker.Update([Person(100)]), Is.Empty, "one sighting is not a person yet");
        Assert.That(tracker.AllTracks.Single().State, Is.EqualTo(TrackState.Tentative));
        Assert.That(tracker.Update([Person(104)]), Has.Count.EqualTo(1), "confirmed on the second sighting");
    }

    [Test]
    public void Update_TentativeTrackNotSeenAgain_IsRemoved()
    {
        var tracker = new ByteTracker(new TrackerOptions(), 10);
        tracker.Update([]);
        tracker.Update([Person(100)]);
        tracker.Update([]);
        Assert.That(tracker.AllTracks, Is.Empty);
    }

    [Test]
    public void Update_DetectionBelowNewTrackThreshold_StartsNoTrack()
    {
        var tracker = new ByteTracker(new TrackerOptions { NewTrackThreshold = 0.7 }, 10);
        for (int f = 0; f < 10; f++) Assert.That(tracker.Update([Person(50, score: 0.6f)]), Is.Empty);
    }

    [Test]
    public void Update_LowScoreDetection_ContinuesConfirmedTrackInSecondAssociation()
    {
        var tracker = new ByteTracker(new TrackerOptions(), 10);
        for (int f = 0; f < 5; f++) tracker.Update([Person(100 + 5 * f)]);
        int id = tracker.AllTracks.Single().Id;
        // Partly occluded: the detector is unsure (0.3, below the high threshold) but the box is where expected.
        var tracks = tracker.Update([Person(125, score: 0.3f)]);
        Assert.That(tracks.Select(t => t.Id), Is.EqualTo(new[] { id }));
    }

    [Test]
    public void Update_PersonReappearsWithinLostBuffer_KeepsId()
    {
        var tracker = new ByteTracker(new TrackerOptions { LostTrackBuffer = TimeSpan.FromSeconds(2) }, 10);
        for (int f = 0; f < 10; f++) tracker.Update([Person(100 + 3 * f)]);
        int id = tracker.AllTracks.Single().Id;
        for (int f = 10; f < 18; f++) Assert.That(tracker.Update([]), Is.Empty);   // 0.8 s hidden
        Assert.That(tracker.AllTracks.Single().State, Is.EqualTo(TrackState.Lost));
        var back = tracker.Update([Person(100 + 3 * 18)]);
        Assert.That(back.Select(t => t.Id), Is.EqualTo(new[] { id }));
    }

    [Test]
    public void Update_LostLongerThanBuffer_IsRemovedAndReturnsWithNewId()
    {
        var tracker = new ByteTracker(new TrackerOptions { LostTrackBuffer = TimeSpan.FromSeconds(1) }, 10);
        for (int f = 0; f < 5; f++) tracker.Update([Person(100)]);
        int id = tracker.AllTracks.Single().Id;
        for (int f = 0; f < 12; f++) tracker.Update([]);
        Assert.That(tracker.AllTracks, Is.Empty);
        tracker.Update([Person(100)]);
        tracker.Update([Person(100)]);
        Assert.That(tracker.AllTracks.Single().Id, Is.Not.EqualTo(id));
    }

    [TestCase(10, 30)]
    [TestCase(30, 90)]
    [TestCase(5, 15)]
    public void MaxLostFrames_FollowsFrameRate(double fps, int expected)
    {
        var tracker = new ByteTracker(new TrackerOptions { LostTrackBuffer = TimeSpan.FromSeconds(3) }, fps);
        Assert.That(tracker.MaxLostFrames, Is.EqualTo(expected));
    }

    [Test]
    public void Update_TwoPeopleCrossing_KeepTheirIds()
    {
        var tracker = new ByteTracker(new TrackerOptions(), 10);
        Dictionary<int, float> startX = [];
        for (int f = 0; f < 40; f++)
        {
            // A walks right on y=100, B walks left on y=180: their x ranges cross around frame 20.
            var tracks = tracker.Update([Person(100 + 5 * f), Person(300 - 5 * f, y: 180)]);
            if (f == 3) foreach (Track t in tracks) startX[t.Id] = t.Box.Y1;
        }
        foreach (Track t in tracker.AllTracks)
            Assert.That(t.Box.Y1, Is.EqualTo(startX[t.Id]).Within(5), "each id stays on its own lane");
    }
}

public class ByteTrackerAppearanceTests
{
    private static float[] Unit(int axis)
    {
        var v = new float[8];
        v[axis] = 1;
        return v;
    }

    private static Detection Person(float x, float[]? embedding) => new(new BoundingBox(x, 100, x + 30, 190), 0.9f, embedding);

    [Test]
    public void Update_DifferentLookingPersonAtTheTracksPosition_IsNotGivenItsId()
    {
        var tracker = new ByteTracker(new TrackerOptions { AppearanceVetoDistance = 0.5 }, 10);
        for (int f = 0; f < 10; f++) tracker.Update([Person(100 + 4 * f, Unit(0))]);
        int id = tracker.AllTracks.Single().Id;
        var tracks = tracker.Update([Person(140, Unit(1))]);   // where A should be, but looks nothing like A
        Assert.That(tracks.Select(t => t.Id), Does.Not.Contain(id));
        Assert.That(tracker.AllTracks.Single(t => t.Id == id).State, Is.EqualTo(TrackState.Lost));
    }

    [Test]
    public void Update_SameLookingPerson_KeepsTheId()
    {
        var tracker = new ByteTracker(new TrackerOptions { AppearanceVetoDistance = 0.5 }, 10);
        for (int f = 0; f < 10; f++) tracker.Update([Person(100 + 4 * f, Unit(0))]);
        int id = tracker.AllTracks.Single().Id;
        Assert.That(tracker.Update([Person(140, Unit(0))]).Select(t => t.Id), Is.EqualTo(new[] { id }));
    }

    [Test]
    public void Update_LostPersonReappearsFarAwayLookingTheSame_IsReassociatedByAppearance()
    {
        var options = new TrackerOptions { ReassociationMaxDistance = 0.2, LostTrackBuffer = TimeSpan.FromSeconds(1), AppearanceReassociationWindow = TimeSpan.FromSeconds(5) };
        var tracker = new ByteTracker(options, 10);
        for (int f = 0; f < 10; f++) tracker.Update([Person(100, Unit(2))]);
        int id = tracker.AllTracks.Single().Id;
        for (int f = 0; f < 20; f++) tracker.Update([]);                          // 2 s behind a trolley
        var back = tracker.Update([Person(180, Unit(2))]);                      // 80 px away: no overlap at all
        Assert.That(back.Select(t => t.Id), Is.EqualTo(new[] { id }));
    }

    [Test]
    public void Update_OverlappingCrops_DoNotShapeTheTracksAppearance()
    {
        var tracker = new ByteTracker(new TrackerOptions { AppearanceVetoDistance = 0.5 }, 10);
        for (int f = 0; f < 10; f++) tracker.Update([Person(100, Unit(0))]);
        Track a = tracker.AllTracks.Single();
        // Someone stands half in front: A's crop now mixes both people (close enough to pass the veto).
        float[] mixed = [0.8f, 0.6f, 0, 0, 0, 0, 0, 0];
        for (int f = 0; f < 5; f++)
            tracker.Update([Person(100, mixed), new Detection(new BoundingBox(118, 100, 148, 190), 0.9f, Unit(1))]);
        Assert.That(a.State, Is.EqualTo(TrackState.Confirmed), "A is still followed through the overlap");
        Assert.That(a.Feature![0], Is.EqualTo(1f).Within(1e-6), "but its appearance is not polluted by the mixed crops");
        tracker.Update([Person(100, mixed)]);                                   // alone again: a clean crop updates it
        Assert.That(a.Feature![0], Is.LessThan(0.999f));
    }
}
