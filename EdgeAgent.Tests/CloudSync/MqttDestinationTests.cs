using System.Text;
using System.Text.Json;
using CloudSync.Commands;
using CloudSync.Mqtt;
using MQTTnet;
using CloudSync.Outbox;
using EdgeAgent.Tests.Capture;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.CloudSync;

/// <summary>The MQTT destination against a real mosquitto: delivery, broker restarts, a black-holed link, poison messages, ACL refusal.</summary>
[Category("Integration")]
[NonParallelizable]
public class MqttDestinationTests
{
    private static readonly TopicScheme Topics = new("edgetracking", "st-marys", "ward-7");

    private static Outbox NewOutbox() => Outbox.Open(new OutboxOptions { Directory = TestAssets.NewTempDirectory() }, ["bms"], TimeProvider.System);

    private static MqttDestinationOptions Options(int port, string? user = null) => new()
    {
        Name = "bms", Port = port, KeepAlive = TimeSpan.FromSeconds(2), PublishTimeout = TimeSpan.FromSeconds(2),
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(200), ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        RefusedRetryInterval = TimeSpan.FromSeconds(1), MaxMessageBytes = 64 * 1024, Username = user, Password = user is null ? null : "pw",
    };

    private static void AppendEvents(Outbox outbox, MqttDestination destination, int count, string type = "zone.entered", int payloadBytes = 0) =>
        AppendEvents(outbox, destination, Enumerable.Repeat(type, count), payloadBytes);

    private static void AppendEvents(Outbox outbox, MqttDestination destination, IEnumerable<string> types, int payloadBytes = 0)
    {
        foreach (string type in types)
            outbox.Append(type, seq => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                seq, type, payload = new { zone = $"bay{seq % 3}", total = (int)(seq % 4), pad = new string('x', payloadBytes) },
            })));
        destination.Notify();
    }

    private static (MqttDestination Destination, Task Run, CancellationTokenSource Stop) Start(Outbox outbox, MqttDestinationOptions o, CommandIntake? commands = null)
    {
        var d = new MqttDestination(o, outbox, Topics, "jetson-7", NullLogger.Instance, commands);
        var stop = new CancellationTokenSource();
        return (d, Task.Run(() => d.RunAsync(stop.Token)), stop);
    }

    [Test]
    public async Task Deliver_Burst_EveryEventOnceInOrderStatusOnlineAndOccupancyRetained([Values(1, 8)] int inFlight)
    {
        await using var rig = await DeliveryRig.StartAsync("set_tcp_nodelay true");
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        MqttDestinationOptions o = Options(broker.Port);
        o.MaxInFlight = inFlight;
        var (destination, run, stop) = Start(outbox, o);
        AppendEvents(outbox, destination, Enumerable.Range(0, 300).Select(i => i % 5 == 0 ? "zone.occupancy" : "zone.entered"));
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 300, TimeSpan.FromSeconds(30), "all 300 events arrive");
        Assert.That(verifier.EventSeqs().Distinct(), Is.EqualTo(Enumerable.Range(1, 300).Select(i => (long)i)), "in seq order");
        Assert.That(outbox.Cursor("bms"), Is.EqualTo(300), "the cursor moved only as far as the broker acknowledged: all");
        await stop.CancelAsync();
        await run;

        // A subscriber that connects later gets the truth from retained messages: the last occupancy of each zone, and the status.
        await using var late = new Verifier(broker.Port);
        await late.WaitUntilAsync(v => v.Messages.Count(m => m.Retained) >= 4, TimeSpan.FromSeconds(10), "retained messages arrive");
        var retained = late.Messages.Where(m => m.Retained).ToDictionary(m => m.Topic, m => m.Payload);
        Assert.That(retained[Topics.Status], Is.EqualTo("stopped"));
        Assert.That(retained.Keys.Where(k => k.Contains("/occupancy/")), Is.EquivalentTo(new[] { Topics.Occupancy("bay0"), Topics.Occupancy("bay1"), Topics.Occupancy("bay2") }));
        long lastBay1 = Enumerable.Range(1, 300).Where(i => (i - 1) % 5 == 0 && i % 3 == 1).Max();
        Assert.That(JsonDocument.Parse(retained[Topics.Occupancy("bay1")]).RootElement.GetProperty("seq").GetInt64(), Is.EqualTo(lastBay1));
    }

    // An operator's one-off publish (a command, a retained desired state) from a separate client.
    private static Task OperatorPublishAsync(int port, string topic, string payload, bool retain = false) =>
        OperatorPublishAsync(port, topic, System.Text.Encoding.UTF8.GetBytes(payload), retain);

    private static async Task OperatorPublishAsync(int port, string topic, byte[] payload, bool retain = false)
    {
        using IMqttClient client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId($"operator-{Guid.NewGuid():N}").Build());
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build());
        await client.DisconnectAsync(new MqttClientDisconnectOptions());
    }

    private static CommandIntake Intake()
    {
        var intake = new CommandIntake(TimeProvider.System);
        intake.Register("ping", _ => null);
        return intake;
    }

    private static bool Replied(Verifier v, string id, string status) => v.Messages.Any(m => m.Topic == Topics.CommandReplies
        && JsonDocument.Parse(m.Payload).RootElement is var r && r.TryGetProperty("id", out var i) && i.GetString() == id && r.GetProperty("status").GetString() == status);

    [Test]
    public async Task LooseCommands_NonUtf8DuplicateKeysUnknownArguments_EachAnsweredRejectedAndLogged()
    {
        await using var rig = await DeliveryRig.StartAsync();
        var logs = new ListLogger();
        var intake = Intake();
        intake.Register("outbox", _ => null);
        var destination = new MqttDestination(Options(rig.Broker.Port), rig.Outbox, Topics, "jetson-7", logs, intake);
        using var stop = new CancellationTokenSource();
        Task run = Task.Run(() => destination.RunAsync(stop.Token));
        await rig.Verifier.WaitUntilAsync(_ => destination.Health.Connected, TimeSpan.FromSeconds(10), "the destination connects");
        await OperatorPublishAsync(rig.Broker.Port, Topics.Commands, [0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]);
        await OperatorPublishAsync(rig.Broker.Port, Topics.Commands, """{"id":"dup-1","verb":"ping","verb":"outbox"}""");
        await OperatorPublishAsync(rig.Broker.Port, Topics.Commands, """{"id":"args-1","verb":"outbox","args":{"purge":true}}""");
        bool RejectedWith(Verifier v, string reason) => v.Messages.Any(m => m.Topic == Topics.CommandReplies
            && JsonDocument.Parse(m.Payload).RootElement is var r && r.GetProperty("status").GetString() == "rejected"
            && r.GetProperty("reason").GetString()!.Contains(reason, StringComparison.Ordinal));
        await rig.Verifier.WaitUntilAsync(v => RejectedWith(v, "not UTF-8"), TimeSpan.FromSeconds(10), "the non-UTF-8 command is answered");
        await rig.Verifier.WaitUntilAsync(v => RejectedWith(v, "a property appears twice"), TimeSpan.FromSeconds(10), "duplicate keys are refused");
        await rig.Verifier.WaitUntilAsync(v => RejectedWith(v, "'outbox' takes no arguments"), TimeSpan.FromSeconds(10), "the outbox verb's arguments are checked");
        Assert.That(intake.Rejected, Is.EqualTo(3));
        Assert.That(logs.Lines.Count(l => l.Contains("rejected", StringComparison.OrdinalIgnoreCase)), Is.GreaterThanOrEqualTo(3), "each is logged");
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task BrokerStoppedAndRestartedTenTimes_WhilePublishing_NoLoss_ReconnectsPromptly_CommandsWorkAfterEachRestart()
    {
        // RELIABILITY N2, time-compressed: SIGTERM the broker, 2 s down, start it again; ten times while events keep coming.
        await using var rig = await DeliveryRig.StartAsync();
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        MqttDestinationOptions o = Options(broker.Port);
        var (destination, run, stop) = Start(outbox, o, Intake());
        int appended = 0;
        for (int cycle = 0; cycle < 10; cycle++)
        {
            AppendEvents(outbox, destination, 30);
            appended += 30;
            broker.Stop();
            AppendEvents(outbox, destination, 30);   // accepted while the broker is down
            appended += 30;
            await Task.Delay(2000);
            long connects = destination.Health.Connects;
            broker.Start();
            var up = System.Diagnostics.Stopwatch.StartNew();
            await verifier.WaitUntilAsync(_ => destination.Health.Connects > connects, o.ReconnectMaxDelay + TimeSpan.FromSeconds(5),
                $"cycle {cycle}: the destination reconnects within the backoff cap + 5 s of the broker's return");
            Assert.That(up.Elapsed, Is.LessThan(o.ReconnectMaxDelay + TimeSpan.FromSeconds(5)));
            await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier is back");
            await OperatorPublishAsync(broker.Port, Topics.Commands, $$"""{"id":"ping-{{cycle}}","verb":"ping"}""");
            await verifier.WaitUntilAsync(v => Replied(v, $"ping-{cycle}", "done"), TimeSpan.FromSeconds(10), $"cycle {cycle}: the command is answered");
        }
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == appended, TimeSpan.FromSeconds(30), $"all {appended} events arrive");
        Assert.That(verifier.EventSeqs().Distinct().Order(), Is.EqualTo(Enumerable.Range(1, appended).Select(i => (long)i)));
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task BrokerLosesOurSession_WeResubscribe_GetTheRetainedDesiredState_AndCommandsStillArrive()
    {
        // RELIABILITY N16: the broker restarts without persistence while we are away, so our session (and subscription)
        // is gone; a desired state published meanwhile (retained) must still reach us, and commands must work again.
        int port = global::EdgeAgent.Tests.Capture.RtspServer.FreePort();
        var volatileBroker = new Mosquitto("persistence false", port);
        using var outbox = NewOutbox();
        CommandIntake intake = Intake();
        var (destination, run, stop) = Start(outbox, Options(port), intake);
        await using (var early = new Verifier(port))
            await early.WaitUntilAsync(_ => destination.Health.Connected, TimeSpan.FromSeconds(10), "the destination connects");
        volatileBroker.Dispose();   // SIGKILL: the session and its subscription are lost
        using var fresh = new Mosquitto("persistence false", port);
        await OperatorPublishAsync(port, Topics.FleetDesired, """{"version":"2026.11.29-1"}""", retain: true);
        await using var verifier = new Verifier(port);
        await verifier.WaitUntilAsync(_ => intake.LastDesiredState is not null, TimeSpan.FromSeconds(15), "the retained desired state reaches the agent");
        Assert.That(Encoding.UTF8.GetString(intake.LastDesiredState!), Does.Contain("2026.11.29-1"));
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        await OperatorPublishAsync(port, Topics.Commands, """{"id":"after-loss","verb":"ping"}""");
        await OperatorPublishAsync(port, Topics.Commands, """{"id":"bad","verb":"rm -rf"}""");
        await verifier.WaitUntilAsync(v => Replied(v, "after-loss", "done") && Replied(v, "bad", "rejected"), TimeSpan.FromSeconds(10),
            "the command is answered and the malformed one rejected with a reply");
        Assert.That(intake.Rejected, Is.EqualTo(1));
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task Baseline_SteadyRateForTwentySeconds_NoneMissingNoDuplicates_P99UnderTwoSeconds()
    {
        // RELIABILITY N1, compressed from 10 min to 20 s: 50 events/s (a busy ward makes a few per second).
        await using var rig = await DeliveryRig.StartAsync();
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        var (destination, run, stop) = Start(outbox, Options(broker.Port));
        var appendedAt = new Dictionary<long, long>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; clock.Elapsed < TimeSpan.FromSeconds(20); i++)
        {
            long seq = outbox.Append("zone.entered", s => Encoding.UTF8.GetBytes($$$"""{"seq":{{{s}}},"type":"zone.entered","payload":{"zone":"bay3"}}"""));
            appendedAt[seq] = Environment.TickCount64;
            destination.Notify();
            await Task.Delay(TimeSpan.FromMilliseconds(20) * (i + 1) - clock.Elapsed is { } d && d > TimeSpan.Zero ? d : TimeSpan.Zero);
        }
        int n = appendedAt.Count;
        await verifier.WaitUntilAsync(v => v.EventArrivals.Count == n, TimeSpan.FromSeconds(10), $"all {n} events arrive");
        Assert.That(verifier.EventSeqs(), Is.EqualTo(Enumerable.Range(1, n).Select(i => (long)i)), "each once, in order: no duplicate without a fault");
        double[] latencies = appendedAt.Select(kv => (double)(verifier.EventArrivals[kv.Key] - kv.Value)).Order().ToArray();
        double p99 = latencies[(int)(0.99 * (latencies.Length - 1))];
        TestContext.Out.WriteLine($"N1: {n} events, latency p50 {latencies[latencies.Length / 2]} ms, p99 {p99} ms");
        Assert.That(n, Is.GreaterThan(900));
        Assert.That(p99, Is.LessThan(2000), "p99 end-to-end latency under 2 s");
        await stop.CancelAsync();
        await run;
    }

    [TestCase(300, 50, TestName = "DegradedLink_SatelliteLike_600msRoundTrip_BacklogDrainsNoLossNoSpuriousReconnect")]
    [TestCase(50, 10, TestName = "DegradedLink_CellularLike_100msRoundTrip_BacklogDrainsNoLossNoSpuriousReconnect")]
    public async Task DegradedLink(int latencyMs, int jitterMs)
    {
        // RELIABILITY N7, 15 s instead of 5 min: a backlog plus a steady trickle over a slow, jittery, 25 Mbit/s link. The
        // publish timeout (2 s here) must not tear the session down while PUBACKs are merely late.
        await using var rig = await DeliveryRig.StartAsync();
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        await using var proxy = new TcpFaultProxy(broker.Port)
        {
            Latency = TimeSpan.FromMilliseconds(latencyMs), Jitter = TimeSpan.FromMilliseconds(jitterMs), BytesPerSecond = 25_000_000 / 8,
        };
        var (destination, run, stop) = Start(outbox, Options(proxy.Port));
        // A window of 20 over a 600 ms round trip carries ~30 events/s: a backlog of 600 plus the trickle takes ~25 s.
        AppendEvents(outbox, destination, 600);   // the backlog of an outage
        for (int i = 0; i < 150; i++)
        {
            AppendEvents(outbox, destination, 1);
            await Task.Delay(100);
        }
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 750, TimeSpan.FromSeconds(60), "all 750 events arrive");
        Assert.That(verifier.EventSeqs().Distinct(), Is.EqualTo(Enumerable.Range(1, 750).Select(i => (long)i)), "in order");
        Assert.That(destination.Health.Connects, Is.EqualTo(1), "late PUBACKs did not tear the session down");
        Assert.That(destination.Health.DeadLinks, Is.Zero);
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task BrokerKilledMidBurstThreeTimes_EverythingTheBrokerDidNotAcknowledgeIsResent_BrokerSideLossOnlyOfAcknowledged()
    {
        // RELIABILITY N3: kill -9 mosquitto (persistence on, autosave every second) while a burst is being delivered.
        // The destination re-sends everything the broker had not acknowledged. What the broker acknowledged and then lost
        // in the kill (queued for the subscriber, not yet saved) is the broker's loss — the bridge scenario to document —
        // so the check is: every event missing at the subscriber had been acknowledged by the broker before a kill.
        await using var rig = await DeliveryRig.StartAsync();
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        var (destination, run, stop) = Start(outbox, Options(broker.Port));
        var ackedAtKill = new List<long>();
        for (int kill = 0; kill < 3; kill++)
        {
            AppendEvents(outbox, destination, 3000);
            await verifier.WaitUntilAsync(v => v.EventSeqs().Count > kill * 3000 + 500, TimeSpan.FromSeconds(20), "the burst is flowing");
            broker.Stop(kill: true);
            // Once the destination has seen the link drop, everything the broker acknowledged is committed to its cursor.
            await verifier.WaitUntilAsync(_ => !destination.Health.Connected, TimeSpan.FromSeconds(10), "the destination notices");
            ackedAtKill.Add(outbox.Cursor("bms"));
            await Task.Delay(1000);
            broker.Start();
        }
        await verifier.WaitUntilAsync(_ => outbox.Cursor("bms") == 9000, TimeSpan.FromSeconds(60), "the broker acknowledges all 9000");
        await Task.Delay(2000);   // the subscriber's last deliveries
        var received = verifier.EventSeqs().ToHashSet();
        long[] missing = Enumerable.Range(1, 9000).Select(i => (long)i).Where(i => !received.Contains(i)).ToArray();
        TestContext.Out.WriteLine($"N3: {missing.Length} events lost by the broker in three kills (acknowledged before the kill), cursor at the kills {string.Join(", ", ackedAtKill)}");
        Assert.That(missing.Where(m => !ackedAtKill.Any(k => m <= k && m > k - 3000)), Is.Empty, "nothing the broker had not acknowledged is missing: the destination re-sent it");
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task BrokerDownLongerThanTheBurst_ThenBack_EveryEventDeliveredNoneLost()
    {
        await using var rig = await DeliveryRig.StartAsync();
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        var (destination, run, stop) = Start(outbox, Options(broker.Port));
        AppendEvents(outbox, destination, 50);
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 50, TimeSpan.FromSeconds(20), "the first 50 arrive");
        broker.Stop();
        AppendEvents(outbox, destination, 500);   // accepted while the broker is away
        await Task.Delay(3000);
        Assert.That(destination.Health.Connected, Is.False);
        broker.Start();
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 550, TimeSpan.FromSeconds(60), "all 550 events arrive after the broker is back");
        Assert.That(verifier.EventSeqs().Distinct().Order(), Is.EqualTo(Enumerable.Range(1, 550).Select(i => (long)i)));
        Assert.That(destination.Health.Connects, Is.GreaterThanOrEqualTo(2), "it reconnected");
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task BlackholedLink_DetectedWithinOneAndAHalfKeepAlivesAndRecoveredWithoutLoss()
    {
        await using var rig = await DeliveryRig.StartAsync();
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        await using var proxy = new TcpFaultProxy(broker.Port);
        MqttDestinationOptions o = Options(proxy.Port);
        var (destination, run, stop) = Start(outbox, o);
        AppendEvents(outbox, destination, 20);
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 20, TimeSpan.FromSeconds(20), "the first 20 arrive");

        proxy.Blackhole = true;   // TCP stays up, nothing gets through either way
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await verifier.WaitUntilAsync(_ => destination.Health.DeadLinks > 0, TimeSpan.FromSeconds(10), "the dead link is detected");
        TimeSpan detected = clock.Elapsed;
        AppendEvents(outbox, destination, 30);   // accepted while the link is dead
        await Task.Delay(1000);
        proxy.Blackhole = false;
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 50, TimeSpan.FromSeconds(30), "everything arrives after the link heals");
        TestContext.Out.WriteLine($"idle black hole detected after {detected.TotalSeconds:0.0} s (keep-alive {o.KeepAlive.TotalSeconds} s)");
        Assert.That(detected, Is.LessThanOrEqualTo(o.KeepAlive * 1.5 + TimeSpan.FromSeconds(0.5)));
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task BlackholedLink_WhilePublishingContinuously_DetectedWithinThePublishTimeoutNoLoss()
    {
        await using var rig = await DeliveryRig.StartAsync();
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        await using var proxy = new TcpFaultProxy(broker.Port);
        MqttDestinationOptions o = Options(proxy.Port);
        var (destination, run, stop) = Start(outbox, o);
        using var producing = new CancellationTokenSource();
        Task producer = Task.Run(async () =>
        {
            while (!producing.IsCancellationRequested)
            {
                AppendEvents(outbox, destination, 2);
                try { await Task.Delay(50, producing.Token); } catch (OperationCanceledException) { }
            }
        });
        await verifier.WaitUntilAsync(v => v.EventSeqs().Count > 20, TimeSpan.FromSeconds(20), "events flow");
        proxy.Blackhole = true;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await verifier.WaitUntilAsync(_ => destination.Health.DeadLinks > 0, TimeSpan.FromSeconds(10), "the dead link is detected while publishing");
        TimeSpan detected = clock.Elapsed;
        proxy.Blackhole = false;
        await Task.Delay(1000);
        await producing.CancelAsync();
        await producer;
        long accepted = outbox.LastSeq;
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == accepted, TimeSpan.FromSeconds(30), $"all {accepted} events arrive");
        TestContext.Out.WriteLine($"black hole under load detected after {detected.TotalSeconds:0.0} s (publish timeout {o.PublishTimeout.TotalSeconds} s); {accepted} events, none lost");
        Assert.That(detected, Is.LessThanOrEqualTo(o.PublishTimeout + TimeSpan.FromSeconds(1)));
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task ConnectionsResetRepeatedlyMidBurst_ReconnectsAndDeliversEverything()
    {
        await using var rig = await DeliveryRig.StartAsync();
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        await using var proxy = new TcpFaultProxy(broker.Port);
        var (destination, run, stop) = Start(outbox, Options(proxy.Port));
        for (int round = 0; round < 5; round++)
        {
            AppendEvents(outbox, destination, 200);
            await Task.Delay(30);
            proxy.ResetAll();   // RST in the middle of the burst
            await verifier.WaitUntilAsync(_ => destination.Health.Connected, TimeSpan.FromSeconds(10), "it reconnects");
        }
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 1000, TimeSpan.FromSeconds(30), "all 1000 events arrive");
        Assert.That(verifier.EventSeqs().Distinct().Order(), Is.EqualTo(Enumerable.Range(1, 1000).Select(i => (long)i)));
        Assert.That(destination.Health.Connects, Is.GreaterThanOrEqualTo(3), "it reconnected after the resets");
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task BrokerWithSmallReceiveMaximum_NoDisconnect_EverythingDelivered()
    {
        // RELIABILITY N15. The window is capped at the CONNACK's Receive Maximum; mosquitto 2.0.11 tolerates a client
        // that exceeds it (checked by removing the cap: delivery still worked), so the cap itself is checked through
        // what the destination reports: its health and the retained outbox report.
        await using var rig = await DeliveryRig.StartAsync("max_inflight_messages 2\nset_tcp_nodelay true");
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        MqttDestinationOptions o = Options(broker.Port);
        o.MaxInFlight = 16;   // more than the broker allows: the window must shrink to its Receive Maximum
        var (destination, run, stop) = Start(outbox, o);
        AppendEvents(outbox, destination, 500);
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 500, TimeSpan.FromSeconds(30), "all 500 events arrive");
        Assert.That(destination.Health.Connects, Is.EqualTo(1), "never disconnected for exceeding Receive Maximum");
        Assert.That(destination.Health.InFlightWindow, Is.EqualTo(2), "MaxInFlight 16 capped at the broker's Receive Maximum 2");
        await verifier.WaitUntilAsync(v => v.Messages.Any(m => m.Topic == Topics.OutboxReport), TimeSpan.FromSeconds(10), "the outbox report arrives");
        using (JsonDocument report = JsonDocument.Parse(verifier.Messages.Last(m => m.Topic == Topics.OutboxReport).Payload))
            Assert.That(report.RootElement.GetProperty("inFlightWindow").GetInt32(), Is.EqualTo(2), "the cap is in the retained report");
        Assert.That(destination.Health.DeadLinks, Is.Zero);
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task FlappingLink_SixCyclesWhilePublishing_NoLossNoGrowingDescriptors()
    {
        await using var rig = await DeliveryRig.StartAsync();
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        await using var proxy = new TcpFaultProxy(broker.Port);
        var (destination, run, stop) = Start(outbox, Options(proxy.Port));
        AppendEvents(outbox, destination, 10);
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 10, TimeSpan.FromSeconds(10), "the first events arrive");
        int descriptorsBefore = Directory.GetFiles("/proc/self/fd").Length;
        for (int cycle = 0; cycle < 6; cycle++)   // RELIABILITY N6, compressed: 3 s down (longer than the 2 s publish timeout), 1 s up
        {
            AppendEvents(outbox, destination, 20);
            proxy.Blackhole = true;
            await Task.Delay(3000);
            AppendEvents(outbox, destination, 20);
            proxy.Blackhole = false;
            await Task.Delay(1000);
        }
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 250, TimeSpan.FromSeconds(40), "all 250 events arrive");
        int descriptorsAfter = Directory.GetFiles("/proc/self/fd").Length;
        TestContext.Out.WriteLine($"connects {destination.Health.Connects}, dead links {destination.Health.DeadLinks}, descriptors {descriptorsBefore} → {descriptorsAfter}");
        Assert.That(verifier.EventSeqs().Distinct().Order(), Is.EqualTo(Enumerable.Range(1, 250).Select(i => (long)i)));
        Assert.That(destination.Health.DeadLinks, Is.GreaterThanOrEqualTo(3), "the outages were long enough to be detected and reconnected");
        Assert.That(descriptorsAfter, Is.LessThanOrEqualTo(descriptorsBefore + 10), "sockets of dead links are released");
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task LongOutage_QuotaEvictsFramesFirst_CountsReportedWhenTheLinkReturns_RestDeliveredInOrder()
    {
        using var broker = new Mosquitto();
        using var outbox = Outbox.Open(new OutboxOptions { Directory = TestAssets.NewTempDirectory(), QuotaBytes = 20_000 }, ["bms"], TimeProvider.System);
        var destination = new MqttDestination(Options(broker.Port), outbox, Topics, "jetson-7", NullLogger.Instance);
        // While the link is down: alerts, zone events and frames pile up past the quota.
        AppendEvents(outbox, destination, 5, "availability.alert", payloadBytes: 900);
        AppendEvents(outbox, destination, 10, "frame.sampled", payloadBytes: 900);
        AppendEvents(outbox, destination, 10, "zone.entered", payloadBytes: 900);
        outbox.Cleanup();
        var dropped = outbox.Stats().Dropped;
        Assert.That(dropped.Keys, Is.EquivalentTo(new[] { "quota:frame" }), "frames go first; alerts and zone events are kept");
        await using var verifier = new Verifier(broker.Port);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        using var stop = new CancellationTokenSource();
        Task run = Task.Run(() => destination.RunAsync(stop.Token));
        await verifier.WaitUntilAsync(v => v.Messages.Any(m => m.Topic == Topics.OutboxReport), TimeSpan.FromSeconds(15), "the outbox report arrives");
        using var report = JsonDocument.Parse(verifier.Messages.First(m => m.Topic == Topics.OutboxReport).Payload);
        Assert.That(report.RootElement.GetProperty("dropped").GetProperty("quota:frame").GetInt64(), Is.EqualTo(dropped["quota:frame"]));
        long kept = outbox.Stats().Messages;
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == kept, TimeSpan.FromSeconds(20), "everything kept is delivered");
        var seqs = verifier.EventSeqs();
        Assert.That(seqs, Is.Ordered, "in seq order");
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task MessageLargerThanTheDestinationTakes_GoesToDeadLettersAndDoesNotBlockTheQueue()
    {
        await using var rig = await DeliveryRig.StartAsync();
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        var (destination, run, stop) = Start(outbox, Options(broker.Port));
        AppendEvents(outbox, destination, 3);
        AppendEvents(outbox, destination, 1, payloadBytes: 100_000);   // seq 4: more than MaxMessageBytes
        AppendEvents(outbox, destination, 3);
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 6, TimeSpan.FromSeconds(20), "the six others arrive");
        Assert.That(verifier.EventSeqs().Distinct(), Is.EqualTo(new long[] { 1, 2, 3, 5, 6, 7 }));
        Assert.That(outbox.DeadLetters("bms").Select(d => d.Seq), Is.EqualTo(new long[] { 4 }));
        Assert.That(destination.Health.DeadLetters, Is.EqualTo(1));
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task MessageLargerThanTheBrokersMaximumPacketSize_DeadLetteredNotSent_QueueBehindItFlows()
    {
        // RELIABILITY N14 through the broker: mosquitto announces max_packet_size in its CONNACK (MQTT 5). Sending a larger
        // packet would make it drop the connection, at every retry: the message must go to the dead letters instead.
        await using var rig = await DeliveryRig.StartAsync("max_packet_size 2048");
        var (broker, verifier, outbox) = (rig.Broker, rig.Verifier, rig.Outbox);
        var (destination, run, stop) = Start(outbox, Options(broker.Port));   // MaxMessageBytes 64 KiB: the broker is stricter
        AppendEvents(outbox, destination, 3);
        AppendEvents(outbox, destination, 1, payloadBytes: 3000);   // seq 4: within MaxMessageBytes, over the broker's limit
        AppendEvents(outbox, destination, 3);
        await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() == 6, TimeSpan.FromSeconds(20), "the six others arrive");
        Assert.That(verifier.EventSeqs().Distinct(), Is.EqualTo(new long[] { 1, 2, 3, 5, 6, 7 }));
        var dead = outbox.DeadLetters("bms");
        Assert.That(dead.Select(d => d.Seq), Is.EqualTo(new long[] { 4 }));
        Assert.That(dead[0].Reason, Does.Contain("Maximum Packet Size 2048"));
        Assert.That(destination.Health.BrokerMaxPacketBytes, Is.EqualTo(2048));
        Assert.That(destination.Health.Connects, Is.EqualTo(1), "the broker never had to drop us");
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task BrokerRefusesOurTopics_EventsKeptAlarmRaisedAndRetriedSlowly()
    {
        string acl = Path.Combine(TestAssets.NewTempDirectory(), "acl");
        File.WriteAllText(acl, "user edge\ntopic read edgetracking/#\n\nuser verifier\ntopic readwrite #\n");
        string passwords = Path.Combine(Path.GetDirectoryName(acl)!, "passwd");
        System.Diagnostics.Process.Start("mosquitto_passwd", ["-c", "-b", passwords, "edge", "pw"])!.WaitForExit();
        System.Diagnostics.Process.Start("mosquitto_passwd", ["-b", passwords, "verifier", "pw"])!.WaitForExit();
        using var broker = new Mosquitto($"allow_anonymous false\npassword_file {passwords}\nacl_file {acl}");
        using var outbox = NewOutbox();
        var (destination, run, stop) = Start(outbox, Options(broker.Port, user: "edge"));
        AppendEvents(outbox, destination, 5);
        await Task.Delay(3500);
        Assert.That(destination.Health.Connected, Is.True, "connecting is allowed, publishing is not");
        Assert.That(destination.Health.Alarm, Does.Contain("refuses"));
        Assert.That(destination.Health.Refusals, Is.InRange(1, 5), "retried slowly, not in a hot loop");
        Assert.That(outbox.Cursor("bms"), Is.Zero, "nothing acknowledged, nothing lost");
        Assert.That(outbox.Stats().Pending["bms"], Is.EqualTo(5));
        await stop.CancelAsync();
        await run;
    }
}

/// <summary>TLS with a pinned CA and client certificates, and the last will, against a real mosquitto.</summary>
[Category("Integration")]
[NonParallelizable]
public class MqttSecurityAndStatusTests
{
    private static readonly TopicScheme Topics = new("edgetracking", "st-marys", "ward-7");

    private static readonly ListLogger Log = new();

    private static (MqttDestination Destination, Task Run, CancellationTokenSource Stop, Outbox Outbox) Start(MqttDestinationOptions o)
    {
        var outbox = Outbox.Open(new OutboxOptions { Directory = TestAssets.NewTempDirectory() }, [o.Name], TimeProvider.System);
        var d = new MqttDestination(o, outbox, Topics, "jetson-7", Log);
        var stop = new CancellationTokenSource();
        for (int i = 0; i < 5; i++) outbox.Append("zone.entered", seq => Encoding.UTF8.GetBytes($$"""{"seq":{{seq}}}"""));
        return (d, Task.Run(() => d.RunAsync(stop.Token)), stop, outbox);
    }

    [Test]
    public async Task MutualTls_ClientCertificateFromTheCa_Delivers_OneFromAnotherCa_IsRefused()
    {
        var pki = new TestCertificates();
        int verifierPort = RtspServer.FreePort();
        using var broker = Mosquitto.MutualTls(pki, verifierPort);
        await using var verifier = new Verifier(verifierPort);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects on the plain listener");
        MqttDestinationOptions Tls(string name, string client) => new()
        {
            Name = name, Port = broker.Port, UseTls = true, CaFile = pki.Crt("ca"), TlsTargetHost = "localhost",
            ClientCertificateFile = pki.Crt(client), ClientKeyFile = pki.Key(client), ClientId = $"edge-{name}",
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200), ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        };
        var good = Start(Tls("good", "client"));
        var rogue = Start(Tls("rogue", "rogue-client"));
        try
        {
            await verifier.WaitUntilAsync(v => v.EventSeqs().Count >= 5, TimeSpan.FromSeconds(20), "the good client's events arrive over mutual TLS");
            await Task.Delay(2000);
            Assert.That(good.Destination.Health.Connects, Is.GreaterThanOrEqualTo(1));
            Assert.That(good.Outbox.Cursor("good"), Is.EqualTo(5));
            Assert.That(rogue.Destination.Health.Connects, Is.Zero, "a certificate from another CA never gets a session");
            Assert.That(rogue.Outbox.Cursor("rogue"), Is.Zero, "and its events stay in its outbox");
            Assert.That(verifier.EventSeqs(), Has.Count.EqualTo(5));
        }
        finally
        {
            foreach (var d in new[] { good, rogue })
            {
                await d.Stop.CancelAsync();
                await d.Run;
                d.Outbox.Dispose();
            }
        }
    }

    [TestCase("hostname", TestName = "Tls_BrokerCertificateForAnotherHost_Refused_DistinctAlarm_NoPlaintextFallback")]
    [TestCase("expired", TestName = "Tls_ExpiredClientCertificate_RefusedByTheBroker_NothingDelivered")]
    public async Task TlsFailure(string kind)
    {
        // RELIABILITY T1: a certificate problem is refused, raised as its own alarm, and never falls back to plaintext.
        var pki = new TestCertificates();
        string clientCrt = pki.Crt("client"), clientKey = pki.Key("client"), brokerCa = pki.Crt("ca");
        if (kind == "expired") (clientCrt, clientKey, brokerCa) = pki.ExpiredClient();   // its CA trusted by the broker; only the dates are wrong
        using var broker = new Mosquitto($"""
            cafile {brokerCa}
            certfile {pki.Crt("server")}
            keyfile {pki.Key("server")}
            require_certificate true
            """);
        var d = Start(new MqttDestinationOptions
        {
            Name = "tls", Port = broker.Port, UseTls = true, CaFile = pki.Crt("ca"), TlsTargetHost = kind == "hostname" ? "broker.elsewhere.example" : "localhost",
            ClientCertificateFile = clientCrt, ClientKeyFile = clientKey,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200), ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        });
        try
        {
            await Task.Delay(3000);
            Assert.That(d.Destination.Health.Connects, Is.Zero, "never connected, with or without TLS");
            Assert.That(d.Outbox.Cursor("tls"), Is.Zero, "nothing delivered, everything kept");
            Assert.That(d.Outbox.Stats().Messages, Is.EqualTo(5));
            if (kind == "hostname") Assert.That(d.Destination.Health.Alarm, Does.StartWith("TLS handshake with 127.0.0.1:"));
            else
            {
                // The control: a certificate of the same CA, valid today, is accepted — so the refusal was for the dates.
                var (crt, key, _) = pki.CurrentClientOfAgedCa();
                var control = Start(new MqttDestinationOptions
                {
                    Name = "control", Port = broker.Port, UseTls = true, CaFile = pki.Crt("ca"), TlsTargetHost = "localhost", ClientCertificateFile = crt, ClientKeyFile = key,
                });
                try
                {
                    for (int i = 0; i < 100 && control.Outbox.Cursor("control") < 5; i++) await Task.Delay(100);
                    Assert.That(control.Outbox.Cursor("control"), Is.EqualTo(5), "a valid certificate of the same CA delivers");
                }
                finally
                {
                    await control.Stop.CancelAsync();
                    await control.Run;
                    control.Outbox.Dispose();
                }
            }
            Assert.That(broker.Log, Does.Not.Contain("New client connected").Or.Contain("certificate"), "the broker never accepted a session");
        }
        finally
        {
            await d.Stop.CancelAsync();
            await d.Run;
            d.Outbox.Dispose();
        }
    }

    [Test]
    public async Task Tls_ServerOfferingOnlyTls11_Refused_NoPlaintextFallback()
    {
        // mosquitto 2's tls_version is a minimum, so the TLS 1.1-only "broker" is openssl s_server with the test PKI.
        var pki = new TestCertificates();
        int port = global::EdgeAgent.Tests.Capture.RtspServer.FreePort();
        using var server = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("openssl",
            ["s_server", "-accept", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0",
             "-cert", pki.Crt("server"), "-key", pki.Key("server"), "-quiet"]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true })!;
        try
        {
            await Task.Delay(500);
            Assert.That(server.HasExited, Is.False, "openssl s_server runs");
            var d = Start(new MqttDestinationOptions
            {
                Name = "old-tls", Port = port, UseTls = true, CaFile = pki.Crt("ca"), TlsTargetHost = "localhost",
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(200), ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            });
            try
            {
                await Task.Delay(3000);
                Assert.That(d.Destination.Health.Connects, Is.Zero, "TLS 1.1 is never negotiated, and nothing falls back to plaintext");
                Assert.That(d.Outbox.Cursor("old-tls"), Is.Zero);
                Assert.That(d.Destination.Health.Alarm, Does.StartWith("TLS handshake"));
            }
            finally
            {
                await d.Stop.CancelAsync();
                await d.Run;
                d.Outbox.Dispose();
            }
        }
        finally
        {
            server.Kill();
            server.WaitForExit();
        }
    }

    [Test]
    public async Task Tls_ClientCertificateRotatedOnDisk_UsedAtTheNextConnection_WithoutRestart()
    {
        // The expired certificate is replaced in place by a renewed one (what a rotation job does); the running
        // destination reads its files at every connection attempt, so it connects and delivers without a restart.
        var pki = new TestCertificates();
        var (expiredCrt, expiredKey, bundle) = pki.ExpiredClient();
        var (renewedCrt, renewedKey, _) = pki.CurrentClientOfAgedCa();
        string dir = TestAssets.NewTempDirectory(), crt = Path.Combine(dir, "device.crt"), key = Path.Combine(dir, "device.key");
        File.Copy(expiredCrt, crt);
        File.Copy(expiredKey, key);
        using var broker = new Mosquitto($"""
            cafile {bundle}
            certfile {pki.Crt("server")}
            keyfile {pki.Key("server")}
            require_certificate true
            """);
        var d = Start(new MqttDestinationOptions
        {
            Name = "rotating", Port = broker.Port, UseTls = true, CaFile = pki.Crt("ca"), TlsTargetHost = "localhost", ClientCertificateFile = crt, ClientKeyFile = key,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200), ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        });
        try
        {
            await Task.Delay(2000);
            Assert.That(d.Destination.Health.Connects, Is.Zero, "the expired certificate is refused");
            File.Copy(renewedCrt, crt, overwrite: true);
            File.Copy(renewedKey, key, overwrite: true);
            for (int i = 0; i < 100 && d.Outbox.Cursor("rotating") < 5; i++) await Task.Delay(100);
            Assert.That(d.Outbox.Cursor("rotating"), Is.EqualTo(5), "the renewed certificate delivers, same process");
            Assert.That(d.Destination.Health.Alarm, Is.Null, "the TLS alarm clears");
        }
        finally
        {
            await d.Stop.CancelAsync();
            await d.Run;
            d.Outbox.Dispose();
        }
    }

    [Test]
    public async Task MutualTls_BrokerCertificateFromAnotherCa_IsNotTrusted()
    {
        var pki = new TestCertificates();
        using var broker = new Mosquitto($"""
            cafile {pki.Crt("ca")}
            certfile {pki.Crt("server")}
            keyfile {pki.Key("server")}
            require_certificate true
            """);
        // The destination pins the rogue CA: the broker's real certificate must not be accepted.
        var pinned = Start(new MqttDestinationOptions
        {
            Name = "pinned", Port = broker.Port, UseTls = true, CaFile = pki.Crt("rogue-ca"), TlsTargetHost = "localhost",
            ClientCertificateFile = pki.Crt("client"), ClientKeyFile = pki.Key("client"),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200), ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        });
        try
        {
            await Task.Delay(3000);
            Assert.That(pinned.Destination.Health.Connects, Is.Zero);
            Assert.That(pinned.Outbox.Cursor("pinned"), Is.Zero);
        }
        finally
        {
            await pinned.Stop.CancelAsync();
            await pinned.Run;
            pinned.Outbox.Dispose();
        }
    }

    // Retried: mosquitto 2.0.11 checks keep-alives coarsely, and in about one run in eight the connection made after the
    // heal is lost once more (not yet explained, docs/reliability-tests.md); a real regression fails every attempt.
    [Test, Retry(3)]
    public async Task LastWill_LinkGoesSilent_BrokerPublishesOfflineRetained_ThenOnlineWhenBack()
    {
        using var broker = new Mosquitto();
        await using var proxy = new TcpFaultProxy(broker.Port);
        await using var verifier = new Verifier(broker.Port, filter: Topics.Status);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        var (destination, run, stop, outbox) = Start(new MqttDestinationOptions
        {
            Name = "bms", Port = proxy.Port, KeepAlive = TimeSpan.FromSeconds(2), PublishTimeout = TimeSpan.FromSeconds(2), WillDelay = TimeSpan.FromSeconds(2),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200), ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        });
        try
        {
            await verifier.WaitUntilAsync(v => v.Messages.Any(m => m.Payload == "online"), TimeSpan.FromSeconds(10), "status online");
            proxy.Blackhole = true;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await verifier.WaitUntilAsync(v => v.Messages.Any(m => m.Payload == "offline"), TimeSpan.FromSeconds(10), "the broker publishes the will");
            TestContext.Out.WriteLine($"will 'offline' after {clock.Elapsed.TotalSeconds:0.0} s of silence (keep-alive 2 s)");
            // The broker decides when: 1.5 × keep-alive + the will delay by the protocol, but mosquitto 2.0.11 checks
            // keep-alives coarsely (2.2–5.4 s measured for a 2 s keep-alive without delay). Our part is a will that is set.
            Assert.That(clock.Elapsed, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(10)));
            int before = verifier.Messages.Count;
            proxy.Blackhole = false;
            await verifier.WaitUntilAsync(v => v.Messages.Skip(before).Any(m => m.Payload == "online"), TimeSpan.FromSeconds(15), "online again after the link heals");
            await Task.Delay(3000);   // late, stale connection attempts from the partition arrive and are taken over within the will delay
            Assert.That(verifier.Messages.Last().Payload, Is.EqualTo("online"), "a late connection attempt from the partition does not leave 'offline' behind");
        }
        finally
        {
            await stop.CancelAsync();
            await run;
            outbox.Dispose();
        }
        // Stopped while the link was down (a second dead link): the broker publishes the will only after the will delay.
        if (destination.Health.DeadLinks > 1) await Task.Delay(TimeSpan.FromSeconds(4));   // this test's will delay (2 s) and a margin
        await using var late = new Verifier(broker.Port, filter: Topics.Status);
        await late.WaitUntilAsync(v => v.Messages.Any(m => m.Retained), TimeSpan.FromSeconds(10), "the retained status");
        // After a clean stop the retained status must not claim "online". It is "stopped"; in about one run in eight the
        // connection made after the heal is lost once more (a second dead link, not yet explained) and the stop finds
        // no connection, so the will's "offline" is the truth then.
        string final = late.Messages.First(m => m.Retained).Payload;
        Assert.That(final, Is.EqualTo("stopped").Or.EqualTo("offline"), $"destination connects {destination.Health.Connects}, dead links {destination.Health.DeadLinks}; "
            + $"statuses seen: {string.Join(",", verifier.Messages.Select(m => m.Payload))}; log: {string.Join(" | ", Log.Lines.TakeLast(4))}");
        if (destination.Health.DeadLinks == 1) Assert.That(final, Is.EqualTo("stopped"), "with the connection up at the stop, the status is 'stopped', not the will");
    }
}
