using System.Threading.Channels;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Health;
using EdgeAgent.Pipeline;
using EdgeAgent.Tracking;
using EdgeAgent.Ward;
using EdgeAgent.Zones;

namespace EdgeAgent.Hosting;

/// <summary>
/// The one loop that turns track snapshots into accepted events — the service, <c>edge-agent replay</c> and the tests
/// all run exactly this. It reads the track channel, runs each snapshot through the <see cref="EventStage"/>, hands the
/// events to <paramref name="accept"/> (the outbox) and tells the observers; what differs between them is in
/// <see cref="EventLoopOptions"/> and in the observers. Runs on one thread: the consumer of the track channel.
/// </summary>
/// <param name="accept">Makes a batch durable and returns it as accepted (with the outbox's <c>seq</c>); null keeps events as made.</param>
public sealed class EventLoop(EventStage stage, Func<IReadOnlyList<EventEnvelope>, IReadOnlyList<EventEnvelope>>? accept, EventLoopOptions options,
                              TimeProvider time, IReadOnlyList<IEventLoopObserver> observers)
{
    private long _beat = time.GetTimestamp();
    private readonly ModelHealth _modelHealth = new();

    public EventStage Stage => stage;

    /// <summary>When the loop last went round (a timestamp of <c>time</c>), for the watchdog.</summary>
    public long LastBeat => Interlocked.Read(ref _beat);

    /// <summary>The sequence number of the last accepted event.</summary>
    public long LastSequence { get; private set; }

    /// <summary>
    /// Runs until the track channel completes (every camera ended) or <paramref name="stopping"/> is cancelled, then
    /// closes what is open: snapshots still held for ordering, then <c>shutdown</c> exits. The first events close what
    /// <paramref name="leftOpen"/> (a previous run's state) left open and report every zone's occupancy.
    /// </summary>
    public async Task RunAsync(ChannelReader<TrackSnapshot> tracks, ZoneState? leftOpen, CancellationToken stopping)
    {
        Emit(stage.Start(leftOpen));
        long healthSince = time.GetTimestamp();
        bool limitReached = false;
        try
        {
            while (await NextBatchAsync(tracks, stopping).ConfigureAwait(false))
            {
                if (options.ModelHealthInterval is { } every && time.GetElapsedTime(healthSince) >= every)
                {
                    stage.Enqueue(new ModelHealthReport(time.GetUtcNow(), options.Model, time.GetElapsedTime(healthSince), _modelHealth.TakeReport()));
                    healthSince = time.GetTimestamp();
                }
                foreach (IEventLoopObserver o in observers) o.BetweenBatches(this);
                while (tracks.TryRead(out TrackSnapshot? snapshot))
                {
                    if (options.MaxFrames is { } limit && snapshot.Sequence > limit)
                    {
                        if (!limitReached) options.FrameLimitReached?.Invoke();
                        limitReached = true;
                        continue;
                    }
                    _modelHealth.Observe(snapshot);
                    foreach (IEventLoopObserver o in observers) await o.BeforeSnapshotAsync(snapshot, stage).ConfigureAwait(false);
                    var (ward, made) = stage.Add(snapshot);
                    foreach (IEventLoopObserver o in observers) o.Processed(snapshot, ward, stage);
                    Emit(made);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        var (lastWard, lastMade) = stage.Flush();
        foreach (IEventLoopObserver o in observers) o.Processed(null, lastWard, stage);
        Emit(lastMade);
        Emit(stage.Stop());
        foreach (IEventLoopObserver o in observers) o.Stopped(stage);
    }

    /// <summary>Applies edited zones and calibrations between two batches (see <see cref="EventStage.Reconfigure"/>).</summary>
    public void Apply(AgentSettings next) => Emit(stage.Reconfigure(next));

    /// <summary>Cameras changed condition, between two batches (see <see cref="EventStage.CamerasChanged"/>).</summary>
    public void CamerasChanged(IReadOnlyList<CameraStatusChanged> changes)
    {
        if (changes.Count > 0) Emit(stage.CamerasChanged(changes));
    }

    // Waits for snapshots; the service also wakes every idle tick to decide exits and alerts with no camera delivering.
    private async Task<bool> NextBatchAsync(ChannelReader<TrackSnapshot> tracks, CancellationToken stopping)
    {
        while (true)
        {
            Interlocked.Exchange(ref _beat, time.GetTimestamp());
            if (options.IdleTick is not { } idle) return await tracks.WaitToReadAsync(stopping).ConfigureAwait(false);
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            tick.CancelAfter(idle);
            try
            {
                return await tracks.WaitToReadAsync(tick.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                foreach (IEventLoopObserver o in observers) o.BetweenBatches(this);
                Emit(stage.Tick(time.GetUtcNow()));
            }
        }
    }

    private void Emit(IReadOnlyList<EventEnvelope> made)
    {
        if (made.Count == 0) return;
        IReadOnlyList<EventEnvelope> accepted = accept is null ? made : accept(made);   // durable in the outbox from here on
        LastSequence = accepted[^1].Seq;
        foreach (IEventLoopObserver o in observers) o.Accepted(accepted, stage);
    }
}
