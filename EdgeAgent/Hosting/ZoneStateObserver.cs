using EdgeAgent.Events;
using EdgeAgent.Pipeline;
using EdgeAgent.Zones;

namespace EdgeAgent.Hosting;

/// <summary>Saves the open presences, alerts and last <c>seq</c> after every accepted batch, so a restart closes what was open.</summary>
public sealed class ZoneStateObserver(ZoneStateStore store) : IEventLoopObserver
{
    public void Accepted(IReadOnlyList<EventEnvelope> events, EventStage stage) => store.Save(stage.State, stage.LastSequence);
}
