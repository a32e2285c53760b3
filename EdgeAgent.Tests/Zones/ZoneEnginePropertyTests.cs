using EdgeAgent.Zones;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Zones;

/// <summary>
/// Properties of the zone engine over random walks (seeded, so a failure names its seed and replays): no exit without
/// an entry, occupancy never negative and equal to entries minus exits, dwell never negative.
/// </summary>
public class ZoneEnginePropertyTests
{
    private static ZoneOptions RandomWard(Random r)
    {
        var options = new ZoneOptions
        {
            EnterAfter = TimeSpan.FromMilliseconds(r.Next(0, 3000)),
            ExitAfter = TimeSpan.FromMilliseconds(r.Next(0, 4000)),
            OccupancyInterval = TimeSpan.FromSeconds(r.Next(1, 30)),
        };
        for (int z = 0; z < r.Next(1, 5); z++)
        {
            double x = r.NextDouble() * 8, y = r.NextDouble() * 8, w = 0.5 + (r.NextDouble() * 5), h = 0.5 + (r.NextDouble() * 5);
            options.Areas.Add(new ZoneDefinition { Id = $"z{z}", Polygon = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]] });
        }
        options.Doors.Add(new DoorDefinition { Id = "d0", Line = [[2, 2], [4, 2]] });
        options.Availability.Add(new AvailabilityRule { Id = "r0", Zone = "z0", Roles = ["nurse"], After = TimeSpan.FromSeconds(r.Next(0, 20)) });
        return options;
    }

    [Test]
    public void RandomWalks_NeverExitWithoutEntry_OccupancyNeverNegative_DwellNeverNegative([Range(1, 300)] int seed)
    {
        var r = new Random(seed);
        ZoneOptions options = RandomWard(r);
        var problems = new List<string>();
        FloorPlan plan = FloorPlan.Create(options, problems)!;
        Assert.That(problems, Is.Empty);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var engine = new ZoneEngine(plan, options, time);
        var open = new HashSet<(string Zone, string Person)>();
        var people = Enumerable.Range(0, r.Next(1, 6)).Select(i => (Id: $"{i:x16}", X: r.NextDouble() * 12, Y: r.NextDouble() * 12, Role: r.Next(3) == 0 ? "nurse" : null)).ToArray();

        var factory = new EdgeAgent.Events.EventFactory("test-device", "site", "ward");
        void Check(IEnumerable<ZoneEvent> events)
        {
            foreach (ZoneEvent e in events)
            {
                if (r.Next(10) == 0) EventSchema.AssertAllValid([factory.Create(e)]);   // a sample of every run through the schema
                switch (e)
                {
                    case ZoneEntered x:
                        Assert.That(open.Add((x.Zone, x.Person)), Is.True, $"seed {seed}: entered twice without exit");
                        break;
                    case ZoneExited x:
                        Assert.That(open.Remove((x.Zone, x.Person)), Is.True, $"seed {seed}: exit without entry");
                        Assert.That(x.Dwell, Is.GreaterThanOrEqualTo(TimeSpan.Zero), $"seed {seed}: negative dwell");
                        break;
                    case ZoneOccupancy x:
                        Assert.That(x.ByRole.Values, Has.All.GreaterThan(0), $"seed {seed}");
                        Assert.That(x.Total, Is.EqualTo(open.Count(o => o.Zone == x.Zone)), $"seed {seed}: occupancy is entries minus exits");
                        break;
                }
            }
        }

        Check(engine.Start(null));
        for (int step = 0; step < 400; step++)
        {
            var seen = new List<FloorPerson>();
            for (int i = 0; i < people.Length; i++)
            {
                if (r.Next(10) == 0) continue;   // missed by the camera this frame
                people[i].X = Math.Clamp(people[i].X + ((r.NextDouble() - 0.5) * 1.5), -1, 13);
                people[i].Y = Math.Clamp(people[i].Y + ((r.NextDouble() - 0.5) * 1.5), -1, 13);
                if (r.Next(50) == 0) people[i].Role = people[i].Role is null ? "nurse" : null;   // a role learned or lost
                seen.Add(new FloorPerson(people[i].Id, people[i].X, people[i].Y, people[i].Role));
            }
            if (r.Next(20) == 0) seen.Clear();   // every camera blind for a moment
            Check(r.Next(8) == 0 ? engine.Tick() : engine.Observe(seen));
            time.Advance(TimeSpan.FromMilliseconds(r.Next(20, 800)));
        }
        Check(engine.Stop());
        Assert.That(open, Is.Empty, $"seed {seed}: stop leaves nothing open");
    }
}
