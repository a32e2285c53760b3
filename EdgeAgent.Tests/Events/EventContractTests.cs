using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CloudSync.Contract;
using CloudSync.Mqtt;
using EdgeAgent.Zones;

namespace EdgeAgent.Tests.Events;

/// <summary>The event contract is defined once (<see cref="EventTypes"/>): the code and every published document follow it.</summary>
public class EventContractTests
{
    private static readonly string[] Names = EventTypes.All.Select(t => t.Name).ToArray();

    private static string Doc(string name) => File.ReadAllText(Path.Combine(TestAssets.RepoRoot, "docs", "events", name));

    [Test]
    public void EveryEventTheAgentMakes_HasOneContractType_AndEveryContractTypeIsMade()
    {
        var made = typeof(ZoneEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ZoneEvent)) && !t.IsAbstract)
            .Select(t => ((ZoneEvent)RuntimeHelpers.GetUninitializedObject(t)).Type).ToList();
        Assert.That(made, Is.Unique);
        Assert.That(made, Is.EquivalentTo(EventTypes.All));
        Assert.That(Names, Is.Unique);
        Assert.That(Names.Select(EventTypes.Find), Is.EqualTo(EventTypes.All));
        Assert.That(EventTypes.Find("zone.entred"), Is.Null);
    }

    [Test]
    public void Schema_TypeEnumAndOnePayloadBranchPerType_MatchTheContract()
    {
        JsonNode schema = JsonNode.Parse(Doc("event.schema.json"))!;
        Assert.That(schema["properties"]!["type"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(Names));
        var branches = schema.ToJsonString();
        foreach (string name in Names)
            Assert.That(Regex.Matches(branches, $"\"const\":\"{Regex.Escape(name)}\"").Count, Is.EqualTo(1), $"one payload branch for {name}");
    }

    [Test]
    public void AsyncApi_EventTopicTypes_MatchTheContract()
    {
        Match m = Regex.Match(Doc("asyncapi.yaml"), @"type:\s*\n\s*description: The event type\.\s*\n\s*enum: \[(?<list>[^\]]*)\]");
        Assert.That(m.Success, Is.True, "asyncapi.yaml lists the event types of the events channel");
        Assert.That(m.Groups["list"].Value.Split(',').Select(s => s.Trim()), Is.EqualTo(Names));
    }

    [Test]
    public void EventsReadme_TypesTable_ListsEveryTypeOnce()
    {
        var rows = Regex.Matches(Doc("README.md"), @"^\| `(?<type>[a-z]+\.[a-z]+)` \|", RegexOptions.Multiline).Select(r => r.Groups["type"].Value).ToList();
        Assert.That(rows, Is.EquivalentTo(Names));
    }

    [TestCase("zone.entered", MessageClass.Zone)]
    [TestCase("zone.exited", MessageClass.Zone)]
    [TestCase("door.crossed", MessageClass.Zone)]
    [TestCase("availability.alert", MessageClass.Alert)]
    [TestCase("availability.cleared", MessageClass.Alert)]
    [TestCase("zone.occupancy", MessageClass.Periodic)]
    [TestCase("device.status", MessageClass.Periodic)]
    [TestCase("model.health", MessageClass.Periodic)]
    [TestCase("frame.sampled", MessageClass.Frame)]
    [TestCase("bench.synthetic", MessageClass.Periodic)]
    public void ClassOf_EachType_IsItsDeliveryClass(string type, MessageClass expected) => Assert.That(EventTypes.ClassOf(type), Is.EqualTo(expected));

    [Test]
    public void Topics_EveryTypeOnItsOwnTopic_OnlyOccupancyRetainedPerZone()
    {
        var topics = new TopicScheme("edgetracking", "st-marys", "ward-7");
        byte[] envelope = """{"type":"x","payload":{"zone":"bay3"}}"""u8.ToArray();
        foreach (EventType t in EventTypes.All)
        {
            Assert.That(topics.Events(t.Name), Is.EqualTo($"edgetracking/st-marys/ward-7/events/{t.Name}"));
            Assert.That(topics.OccupancyTopicOf(t.Name, envelope), Is.EqualTo(t == EventTypes.ZoneOccupancy ? "edgetracking/st-marys/ward-7/occupancy/bay3" : null));
        }
    }
}
