using System.Text.Json.Nodes;
using EdgeAgent.Events;
using Json.Schema;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>The published event schema (docs/events/event.schema.json); every test that makes events checks them against it.</summary>
public static class EventSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(TestAssets.RepoRoot, "docs", "events", "event.schema.json"))));

    /// <summary>The problems of one event as JSON text (empty when it is valid).</summary>
    public static IReadOnlyList<string> Problems(string json)
    {
        EvaluationResults r = Schema.Value.Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (r.IsValid) return [];
        return (r.Details ?? []).Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")).DefaultIfEmpty("invalid").ToList();
    }

    /// <summary>Asserts that every event validates, naming the first that does not.</summary>
    public static void AssertAllValid(IEnumerable<EventEnvelope> events)
    {
        int n = 0;
        foreach (EventEnvelope e in events)
        {
            string json = EventFactory.ToJson(e);
            IReadOnlyList<string> problems = Problems(json);
            Assert.That(problems, Is.Empty, $"event {n} does not match the schema: {json}");
            n++;
        }
    }
}
