using EdgeAgent.Events;
using EdgeAgent.Pipeline;
using EdgeAgent.Tracking;
using EdgeAgent.Ward;

namespace EdgeAgent.Hosting;

/// <summary>
/// What the event loop tells the rest of the agent, on the loop's own thread, in this order for each snapshot:
/// <see cref="BeforeSnapshotAsync"/>, then <see cref="Processed"/> with the ward snapshots it released, then
/// <see cref="Accepted"/> with the events those made once they are durable. Every member has an empty default.
/// </summary>
public interface IEventLoopObserver
{
    /// <summary>Between two batches (and at least every idle tick): the one moment the zones may be reconfigured.</summary>
    void BetweenBatches(EventLoop loop) { }

    /// <summary>A camera's snapshot is about to enter the event stage.</summary>
    ValueTask BeforeSnapshotAsync(TrackSnapshot snapshot, EventStage stage) => ValueTask.CompletedTask;

    /// <summary>
    /// A snapshot went through the ward stage (<paramref name="snapshot"/> is null for the ones released at the end of a
    /// replay); <paramref name="ward"/> holds the ward snapshots released in time order, with floor positions.
    /// </summary>
    void Processed(TrackSnapshot? snapshot, IReadOnlyList<WardSnapshot> ward, EventStage stage) { }

    /// <summary>Events accepted (durable in the outbox when there is one), never an empty batch.</summary>
    void Accepted(IReadOnlyList<EventEnvelope> events, EventStage stage) { }

    /// <summary>The loop ended: the last events (<c>shutdown</c> exits) are accepted.</summary>
    void Stopped(EventStage stage) { }
}
