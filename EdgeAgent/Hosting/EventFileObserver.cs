using EdgeAgent.Events;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Hosting;

/// <summary>Appends every accepted event to a JSON-lines file (the service's <c>events.jsonl</c>, a replay's <c>--events-out</c>).</summary>
/// <param name="flushEachBatch">The service: on disk after each batch, so the file follows the outbox.</param>
public sealed class EventFileObserver(JsonLinesEventWriter writer, bool flushEachBatch) : IEventLoopObserver
{
    public void Accepted(IReadOnlyList<EventEnvelope> events, EventStage stage)
    {
        writer.Write(events);
        if (flushEachBatch) writer.Flush();
    }

    public void Stopped(EventStage stage) => writer.Flush();
}
