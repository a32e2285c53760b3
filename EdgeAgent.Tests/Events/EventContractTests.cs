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
    [TestCase("coverage.lost", MessageClass.Alert)]
    [TestCase("coverage.restored", MessageClass.Alert)]
    [TestCase("camera.status", MessageClass.Alert)]
    [TestCase("bench.synthetic", MessageClass.Periodic)]
    public void ClassOf_EachType_IsItsDeliveryClass(string type, MessageClass expected) => Assert.That(EventTypes.ClassOf(type), Is.EqualTo(expected));

    [Test]
    public void Topics_EveryTypeOnItsOwnTopic_StateKeptRetainedWhereTheContractSays()
    {
        var topics = new TopicScheme("edgetracking", "st-marys", "ward-7");
        byte[] envelope = """{"type":"x","payload":{"zone":"bay3","rule":"bay3-staffed","camera":"cam-2"}}"""u8.ToArray();
        var expected = new Dictionary<string, RetainedTopic?>
        {
            ["zone.occupancy"] = new("edgetracking/st-marys/ward-7/occupancy/bay3", false),
            ["availability.alert"] = new("edgetracking/st-marys/ward-7/alerts/bay3-staffed", false),
            ["availability.cleared"] = new("edgetracking/st-marys/ward-7/alerts/bay3-staffed", true),
            ["coverage.lost"] = new("edgetracking/st-marys/ward-7/alerts/bay3-staffed", false),
            ["coverage.restored"] = new("edgetracking/st-marys/ward-7/alerts/bay3-staffed", true),
            ["camera.status"] = new("edgetracking/st-marys/ward-7/cameras/cam-2/status", false),
            ["device.status"] = new("edgetracking/st-marys/ward-7/status/device", false),
        };
        foreach (EventType t in EventTypes.All)
        {
            Assert.That(topics.Events(t.Name), Is.EqualTo($"edgetracking/st-marys/ward-7/events/{t.Name}"));
            Assert.That(topics.RetainedTopicOf(t.Name, envelope), Is.EqualTo(expected.GetValueOrDefault(t.Name)), t.Name);
        }
        // A payload naming a topic level with MQTT's wildcards or separator is never turned into a topic.
        Assert.That(topics.RetainedTopicOf("camera.status", """{"payload":{"camera":"a/b"}}"""u8.ToArray()), Is.Null);
        Assert.That(topics.RetainedTopicOf("availability.alert", """{"payload":{"rule":"#"}}"""u8.ToArray()), Is.Null);
        Assert.That(topics.RetainedTopicOf("zone.occupancy", "not json"u8.ToArray()), Is.Null);
    }

    [Test]
    public void AsyncApi_Channels_AreExactlyTheTopicsTheAgentUses()
    {
        var addresses = Regex.Matches(Doc("asyncapi.yaml"), @"^\s+address: '\{prefix\}/\{site\}/\{ward\}/(?<topic>[^']+)'", RegexOptions.Multiline)
            .Select(m => m.Groups["topic"].Value).ToList();
        Assert.That(addresses, Is.Unique);
        Assert.That(addresses, Is.EquivalentTo(TopicScheme.Channels));
        var scheme = new TopicScheme("p", "s", "w");
        string[] fixedTopics = [scheme.Status, scheme.OutboxReport, scheme.Commands, scheme.CommandReplies, scheme.FleetDesired, scheme.FleetReported];
        foreach (string topic in fixedTopics) Assert.That(TopicScheme.Channels, Does.Contain(topic["p/s/w/".Length..]));
    }

    [Test]
    public void EventsReadme_TopicsTableAndCountOfTypes_MatchTheContract()
    {
        string readme = Doc("README.md");
        var rows = Regex.Matches(readme, @"^\| `(?<topic>[a-z{}/]+)` \| (yes|no|—) \|", RegexOptions.Multiline).Select(r => r.Groups["topic"].Value).ToList();
        Assert.That(rows, Is.EquivalentTo(TopicScheme.Channels));
        Match count = Regex.Match(readme, @"There are (?<n>\d+) types");
        Assert.That(count.Success, Is.True, "the README says how many types there are");
        Assert.That(int.Parse(count.Groups["n"].Value), Is.EqualTo(EventTypes.All.Count));
    }
}
