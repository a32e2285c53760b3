using EdgeAgent.Ward;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Ward;

/// <summary>A camera that goes down and comes back gives the people it saw their identities back (so held presences continue).</summary>
public class CameraOutageIdentityTests
{
    private static WardObservation At(int track, double x, double y, float[]? look = null) => new(track, x, y, look);

    private static float[] Look(int axis) { var v = new float[4]; v[axis] = 1; return v; }

    [Test]
    public void CameraBackAfterTwoMinutes_TrackWhereSomeoneStood_TakesUpTheirIdentity_ElsewhereANewOne()
    {
        var registry = new WardIdentityRegistry(new WardOptions(), new FakeTimeProvider());
        var before = Enumerable.Range(0, 20).Select(f => registry.Observe("bay", f * 0.1, [At(1, 2, 2, Look(0)), At(2, 6, 2, Look(1))])).Last();
        registry.Observe("corridor", 2.0, [At(5, 20, 0)]);
        registry.CameraDown("bay");
        for (double t = 2.1; t < 122; t += 1) registry.Observe("corridor", t, [At(5, 20, 0)]);   // the ward goes on for two minutes
        registry.CameraUp("bay");
        // The stream returns; the tracker starts afresh (new track ids): one person where person 1 stood, one far from both.
        var after = registry.Observe("bay", 122.0, [At(101, 2.3, 2.1, Look(0)), At(102, 12, 9, Look(1))]);
        Assert.That(after[0].Pseudonym, Is.EqualTo(before[0].Pseudonym), "standing where they stood, looking like them: the same person");
        Assert.That(after[1].Pseudonym, Is.Not.EqualTo(before[1].Pseudonym), "far from where anyone stood: a new identity");
    }

    [Test]
    public void CameraBack_DifferentAppearanceAtTheSamePlace_NotTakenUp()
    {
        var registry = new WardIdentityRegistry(new WardOptions(), new FakeTimeProvider());
        var before = Enumerable.Range(0, 20).Select(f => registry.Observe("bay", f * 0.1, [At(1, 2, 2, Look(0))])).Last();
        registry.CameraDown("bay");
        registry.CameraUp("bay");
        var after = registry.Observe("bay", 60.0, [At(101, 2, 2, Look(2))]);
        Assert.That(after[0].Pseudonym, Is.Not.EqualTo(before[0].Pseudonym));
    }

    [Test]
    public void WithoutAnOutage_ATrackOfTheSameCameraNeverTakesAnIdentityOfThatCamera()
    {
        var registry = new WardIdentityRegistry(new WardOptions(), new FakeTimeProvider());
        var before = Enumerable.Range(0, 20).Select(f => registry.Observe("bay", f * 0.1, [At(1, 2, 2)])).Last();
        var later = registry.Observe("bay", 2.1, [At(1, 2, 2), At(2, 2.2, 2)]);
        Assert.That(later[1].Pseudonym, Is.Not.EqualTo(before[0].Pseudonym), "two tracks of one camera are two people");
    }
}
