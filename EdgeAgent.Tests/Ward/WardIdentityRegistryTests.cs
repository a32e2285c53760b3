using EdgeAgent.Ward;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Ward;

public class WardIdentityRegistryTests
{
    private static float[] Look(int axis) { var v = new float[4]; v[axis] = 1; return v; }

    private static WardObservation At(int track, double x, double y, float[]? look = null) => new(track, x, y, look);

    [Test]
    public void Observe_TwoCamerasSeeOnePersonAtTheSameSpot_ShareOneIdentity()
    {
        var registry = new WardIdentityRegistry(new WardOptions(), new FakeTimeProvider());
        var a = registry.Observe("cam1", 10.0, [At(1, 2.0, 3.0)]);
        var b = registry.Observe("cam2", 10.1, [At(7, 2.3, 3.2)]);
        Assert.That(b[0], Is.EqualTo(a[0]));
    }

    [Test]
    public void Observe_TrackSwitchesToAnotherPersonInsideItsCamera_TakesThatPersonsIdentityAfterFiveFrames()
    {
        var registry = new WardIdentityRegistry(new WardOptions(), new FakeTimeProvider());
        // Both cameras see P at x = 0 and Q at x = 4 and agree on who is who.
        var a = registry.Observe("left", 0.0, [At(1, 0, 0), At(2, 4, 0)]);
        var b = registry.Observe("right", 0.0, [At(11, 0, 0), At(12, 4, 0)]);
        Assert.That(b, Is.EqualTo(a));
        // Now the right camera's track of P (11) jumps onto Q, while the left camera still sees P at x = 0 and Q at 4.
        var seen = new List<int>();
        for (int f = 1; f <= 6; f++)
        {
            double t = f * 0.1;
            registry.Observe("left", t, [At(1, 0, 0), At(2, 4, 0)]);
            var r = registry.Observe("right", t, [At(11, 4.1, 0)]);   // track 12 lost; 11 now stands where Q is
            seen.Add(r[0].Index);
        }
        Assert.That(seen.Take(4), Has.All.EqualTo(a[0].Index), "one frame of disagreement is not enough");
        Assert.That(seen.Last(), Is.EqualTo(a[1].Index), "contradicted for five frames: the track follows Q now");
    }

    [Test]
    public void Observe_TrackNearAnotherPersonWhileItsOwnIdentityIsUnseenElsewhere_KeepsItsIdentity()
    {
        var registry = new WardIdentityRegistry(new WardOptions(), new FakeTimeProvider());
        var a = registry.Observe("left", 0.0, [At(1, 0, 0), At(2, 0.5, 0)]);
        registry.Observe("right", 0.0, [At(11, 0, 0), At(12, 0.5, 0)]);
        for (int f = 1; f <= 10; f++)
        {
            // The left camera loses P behind Q (occlusion): absence proves nothing, so P's right track keeps P.
            registry.Observe("left", f * 0.1, [At(2, 0.5, 0)]);
            var r = registry.Observe("right", f * 0.1, [At(11, 0.1, 0), At(12, 0.5, 0)]);
            Assert.That(r[0].Index, Is.EqualTo(a[0].Index));
        }
    }

    [Test]
    public void Observe_NewTrackCutByTheImageSide_IsNotBoundUntilFullyInView()
    {
        var registry = new WardIdentityRegistry(new WardOptions(), new FakeTimeProvider());
        var a = registry.Observe("left", 0.0, [At(1, 0, 0), At(2, 1.2, 0)]);
        // The right camera's first box of P is cut by its left edge, so its feet land near Q; it reports Q for now…
        var cut = registry.Observe("right", 0.0, [new WardObservation(11, 1.0, 0, null, AtEdge: true)]);
        Assert.That(cut[0].Index, Is.EqualTo(a[1].Index));
        // …and decides once the whole box is in view.
        registry.Observe("left", 0.1, [At(1, 0, 0), At(2, 1.2, 0)]);
        var whole = registry.Observe("right", 0.1, [At(11, 0.05, 0)]);
        Assert.That(whole[0].Index, Is.EqualTo(a[0].Index));
    }

    [Test]
    public void Observe_FarApartAtTheSameMoment_AreTwoPeople()
    {
        var registry = new WardIdentityRegistry(new WardOptions(), new FakeTimeProvider());
        var a = registry.Observe("cam1", 10.0, [At(1, 2.0, 3.0)]);
        var b = registry.Observe("cam2", 10.0, [At(7, 6.0, 3.0)]);
        Assert.That(b[0].Index, Is.Not.EqualTo(a[0].Index));
    }

    [Test]
    public void Observe_PersonLeavesOneCameraAndAppearsInTheNextNearby_KeepsIdentity()
    {
        var registry = new WardIdentityRegistry(new WardOptions(), new FakeTimeProvider());
        var a = registry.Observe("corridor", 20.0, [At(3, 10.0, 0.0, Look(0))]);
        registry.Observe("corridor", 21.0, []);
        var b = registry.Observe("bay", 22.0, [At(1, 12.5, 0.5, Look(0))]);   // 2 s later, 2.5 m on
        Assert.That(b[0], Is.EqualTo(a[0]));
    }

    [Test]
    public void Observe_HandoffCandidateLooksDifferent_IsAnotherPerson()
    {
        var registry = new WardIdentityRegistry(new WardOptions { AppearanceMaxDistance = 0.4 }, new FakeTimeProvider());
        var a = registry.Observe("corridor", 20.0, [At(3, 10.0, 0.0, Look(0))]);
        var b = registry.Observe("bay", 22.0, [At(1, 12.5, 0.5, Look(1))]);
        Assert.That(b[0].Index, Is.Not.EqualTo(a[0].Index));
    }

    [Test]
    public void Observe_AfterTheHandoffWindow_IsANewIdentityAndTheOldIsForgotten()
    {
        var registry = new WardIdentityRegistry(new WardOptions { HandoffWindow = TimeSpan.FromSeconds(3) }, new FakeTimeProvider());
        var a = registry.Observe("corridor", 20.0, [At(3, 10.0, 0.0)]);
        registry.Observe("corridor", 30.0, []);
        var b = registry.Observe("bay", 30.0, [At(1, 10.5, 0.0)]);
        Assert.That(b[0].Index, Is.Not.EqualTo(a[0].Index));
        Assert.That(registry.Count, Is.EqualTo(1), "the expired identity and its appearance are gone");
    }

    [Test]
    public void Observe_OneCameraTwoTracks_NeverShareAnIdentity()
    {
        var registry = new WardIdentityRegistry(new WardOptions(), new FakeTimeProvider());
        registry.Observe("cam1", 10.0, [At(1, 2.0, 3.0)]);
        var both = registry.Observe("cam2", 10.0, [At(5, 2.1, 3.0), At(6, 2.2, 3.1)]);
        Assert.That(both[0].Index, Is.Not.EqualTo(both[1].Index));
    }

    [Test]
    public void Pseudonyms_AreRandomAndRotateAtLeastDaily()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));
        var registry = new WardIdentityRegistry(new WardOptions { PseudonymRotation = TimeSpan.FromDays(1) }, clock);
        var before = registry.Observe("cam1", 1.0, [At(1, 0, 0)]);
        Assert.That(before[0].Pseudonym, Does.Match("^[0-9a-f]{16}$"));
        clock.Advance(TimeSpan.FromHours(23));
        Assert.That(registry.Observe("cam1", 2.0, [At(1, 0, 0)])[0].Pseudonym, Is.EqualTo(before[0].Pseudonym));
        clock.Advance(TimeSpan.FromHours(2));
        var after = registry.Observe("cam1", 3.0, [At(1, 0, 0)]);
        Assert.That(after[0].Index, Is.EqualTo(before[0].Index), "the same person, still tracked");
        Assert.That(after[0].Pseudonym, Is.Not.EqualTo(before[0].Pseudonym), "but under a new pseudonym, unlinkable to the old");
    }
}
