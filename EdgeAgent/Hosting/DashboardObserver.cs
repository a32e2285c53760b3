using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Pipeline;
using EdgeAgent.Tracking;
using EdgeAgent.Ward;
using EdgeAgent.Web;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// Feeds the pages from the event loop: people on the floor plan as the ward stage releases them, the zones' occupancy
/// and alerts as of each accepted batch, the dashboard's memory saved every minute and at the stop (when
/// <paramref name="boards"/> is given), and configurations saved by the editor applied between two batches.
/// </summary>
public sealed class DashboardObserver(AgentView view, BoardStore? boards, TimeProvider time, ILogger logger) : IEventLoopObserver
{
    private long _saved = time.GetTimestamp();

    public void BetweenBatches(EventLoop loop)
    {
        while (view.TryTakeReconfiguration(out AgentSettings next, out TaskCompletionSource<long> applied))
        {
            try
            {
                loop.Apply(next);
                view.Applied(next);
                view.Board.SetPlan(loop.Stage.Plan, loop.Stage.Coverage.CamerasOf, next.Zones.UnknownRole);
                HostingLog.Reconfigured(logger, next.Zones.Areas.Count, next.Zones.Doors.Count);
                applied.TrySetResult(loop.LastSequence);
            }
            catch (Exception e) when (e is ConfigurationException or InvalidOperationException)
            {
                applied.TrySetException(e);
            }
        }
    }

    public void Processed(TrackSnapshot? snapshot, IReadOnlyList<WardSnapshot> ward, EventStage stage)
    {
        foreach (WardSnapshot ws in ward) view.Board.Observe(ws, stage.RoleOf);
    }

    // Occupancy and alerts change only with events (and zone.occupancy comes at least every OccupancyInterval, which
    // moves the shift's timeline on): the dashboard shows the zone engine's counts as of this event.
    public void Accepted(IReadOnlyList<EventEnvelope> events, EventStage stage)
    {
        view.Board.Update(events[^1].Seq, stage);
        if (boards is null || time.GetElapsedTime(_saved) < TimeSpan.FromMinutes(1)) return;
        boards.Save(view.Board.Export());
        _saved = time.GetTimestamp();
    }

    public void Stopped(EventStage stage) => boards?.Save(view.Board.Export());
}
