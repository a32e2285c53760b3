using System.Text;
using System.Text.Json;
using CloudSync.Access;
using CloudSync.Mqtt;
using CloudSync.Outbox;
using EdgeAgent.Tests.Capture;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Tests.CloudSync;

/// <summary>
/// The Event Grid profile against a mosquitto set up like Event Grid's MQTT broker: mutual TLS with the certificate's
/// subject as the user (Event Grid's authentication name), the ACL generated from the same topic-space model main.bicep
/// deploys, 512 KiB packets, QoS ≤ 1, keep-alive ≤ 1160 s, a Receive Maximum of 10. A backlog drains at the profile's rate, in order, none lost;
/// a device configured for another ward is refused and keeps its events; readers only read, operators only steer.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class EventGridProfileTests
{
    private const string Site = "st-marys";

    private TestCertificates _pki = null!;
    private Mosquitto _broker = null!;
    private int _plainPort;

    [OneTimeSetUp]
    public void StartBroker()
    {
        _pki = new TestCertificates();
        foreach (string subject in new[] { "jetson-ward-7", "bms-st-marys", "fleet-ops" }) _pki.NewClient(subject);
        string acl = Path.Combine(TestAssets.NewTempDirectory(), "acl");
        File.WriteAllText(acl, MosquittoAcl.Generate(TopicSpaceModel.Default, "edgetracking", Site,
        [
            new BrokerClient("jetson-ward-7", "ward-device", "ward-7"), new BrokerClient("jetson-ward-8", "ward-device", "ward-8"),
            new BrokerClient("bms-st-marys", "bms"), new BrokerClient("fleet-ops", "fleet-operator"),
        ], anonymous: ["topic readwrite #"]));   // the test's own verifier, on the plain listener
        _plainPort = RtspServer.FreePort();
        _broker = new Mosquitto($"""
            cafile {_pki.Crt("ca")}
            certfile {_pki.Crt("server")}
            keyfile {_pki.Key("server")}
            require_certificate true
            use_identity_as_username true
            max_packet_size 524288
            max_qos 1
            max_keepalive 1160
            max_inflight_messages 10
            retain_available true
            acl_file {acl}
            listener {_plainPort} 127.0.0.1
            """);
    }

    [OneTimeTearDown]
    public void StopBroker() => _broker.Dispose();

    private MqttDestinationOptions Device(string subject) => new()
    {
        Name = "azure", Profile = BrokerProfile.EventGrid, Port = _broker.Port, UseTls = true, CaFile = _pki.Crt("ca"), TlsTargetHost = "localhost",
        ClientCertificateFile = _pki.Crt(subject), ClientKeyFile = _pki.Key(subject), PublishTimeout = TimeSpan.FromSeconds(5),
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(200), ReconnectMaxDelay = TimeSpan.FromSeconds(1), RefusedRetryInterval = TimeSpan.FromSeconds(1),
    };

    private static Outbox Backlog(int n)
    {
        var outbox = Outbox.Open(new OutboxOptions { Directory = TestAssets.NewTempDirectory(), QuotaBytes = long.MaxValue }, ["azure"], TimeProvider.System);
        for (int done = 0; done < n; done += 1000)
            outbox.Append(Enumerable.Range(0, Math.Min(1000, n - done)).Select(_ => ("zone.entered", (Func<long, byte[]>)(seq => Encoding.UTF8.GetBytes(
                $$$"""{"seq":{{{seq}}},"type":"zone.entered","payload":{"zone":"bay-{{{seq % 4}}}","person":"p{{{seq % 17}}}"}}""")))).ToList());
        return outbox;
    }

    [Test]
    public async Task Backlog_DrainsAtTheProfilesRate_InOrder_NoneLost_AndTheReportForecastsIt()
    {
        int n = 10_000;
        using Outbox outbox = Backlog(n);
        await using var verifier = new Verifier(_plainPort);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        var destination = new MqttDestination(Device("jetson-ward-7"), outbox, new TopicScheme("edgetracking", Site, "ward-7"), "ignored", NullLogger.Instance);
        Assert.That(destination.ClientId, Is.EqualTo("jetson-ward-7"), "client id = the certificate's subject");
        using var stop = new CancellationTokenSource();
        Task run = Task.Run(() => destination.RunAsync(stop.Token));
        try
        {
            await verifier.WaitUntilAsync(v => v.EventArrivals.Count >= n, TimeSpan.FromSeconds(40), "the whole backlog arrives",
                () => $"{verifier.EventArrivals.Count} arrived; alarm {destination.Health.Alarm}");
            long first = verifier.EventArrivals.Values.Min(), last = verifier.EventArrivals.Values.Max();
            double rate = (n - 1) / ((last - first) / 1000.0);
            Assert.That(rate, Is.InRange(900, 1100), $"Event Grid's 1,000 messages/s per session, ±10 %: {rate:0}/s");
            Assert.That(verifier.EventSeqs(), Is.EqualTo(Enumerable.Range(1, n).Select(i => (long)i)), "in order, each once, none lost");
            await Task.Delay(300);
            Assert.That(outbox.Cursor("azure"), Is.EqualTo(n));
            JsonElement report = JsonDocument.Parse(verifier.Messages.First(m => m.Topic.EndsWith("/status/outbox", StringComparison.Ordinal)).Payload).RootElement;
            Assert.That(report.GetProperty("pending").GetInt64(), Is.EqualTo(n), "the first report, at connect, before anything went");
            Assert.That(report.GetProperty("drainSeconds").GetDouble(), Is.InRange(9.5, 10.5), "10,000 at 1,000/s");
            Assert.That(report.GetProperty("messagesPerSecondLimit").GetDouble(), Is.EqualTo(1000));
            Assert.That(report.GetProperty("inFlightWindow").GetInt32(), Is.EqualTo(10), "the window kept within the broker's Receive Maximum");
            Assert.That(destination.Health.ExpectedDrainTime(0), Is.EqualTo(TimeSpan.Zero));
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    [Test]
    public async Task DeviceConfiguredForAnotherWard_IsRefused_KeepsItsEvents_RaisesItsAlarm()
    {
        using Outbox outbox = Backlog(20);
        await using var verifier = new Verifier(_plainPort);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        // Ward 7's certificate, ward 8's topics: what a copied configuration file does.
        var destination = new MqttDestination(Device("jetson-ward-7"), outbox, new TopicScheme("edgetracking", Site, "ward-8"), "ignored", NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        Task run = Task.Run(() => destination.RunAsync(stop.Token));
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (destination.Health.Alarm is null && clock.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(50);
            await Task.Delay(2000);
            Assert.That(destination.Health.Alarm, Does.Contain("refuse"), "the device raises its alarm");
            TestContext.Out.WriteLine($"alarm: {destination.Health.Alarm}");
            Assert.That(outbox.Cursor("azure"), Is.Zero, "nothing acknowledged");
            Assert.That(outbox.Stats().Pending["azure"], Is.EqualTo(20), "every event kept");
            Assert.That(verifier.Messages.Where(m => m.Topic.Contains("/ward-8/", StringComparison.Ordinal)), Is.Empty, "nothing reached ward 8's topics");
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    [Test]
    public async Task BmsReader_ReadsWardState_ButPublishesNothing_OperatorPublishesDesiredStateOnly()
    {
        await using var verifier = new Verifier(_plainPort);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        async Task<IMqttClient> Connect(string subject)
        {
            IMqttClient c = new MqttClientFactory().CreateMqttClient();
            await c.ConnectAsync(MqttDestination.OperatorOptions(Device(subject), subject));
            return c;
        }
        using IMqttClient bms = await Connect("bms-st-marys");
        using IMqttClient ops = await Connect("fleet-ops");
        async Task<MqttClientPublishReasonCode> Publish(IMqttClient c, string topic) => (await c.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithPayload("{}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode;
        string ward7 = $"edgetracking/{Site}/ward-7";
        Assert.That(await Publish(bms, $"{ward7}/events/zone.entered"), Is.EqualTo(MqttClientPublishReasonCode.NotAuthorized), "a reader publishes no event");
        Assert.That(await Publish(bms, $"{ward7}/fleet/desired"), Is.EqualTo(MqttClientPublishReasonCode.NotAuthorized), "nor a desired state");
        Assert.That(await Publish(ops, $"{ward7}/fleet/desired"), Is.AnyOf(MqttClientPublishReasonCode.Success, MqttClientPublishReasonCode.NoMatchingSubscribers),
            "the operator steers the ward");
        Assert.That(await Publish(ops, $"{ward7}/events/zone.entered"), Is.EqualTo(MqttClientPublishReasonCode.NotAuthorized), "but publishes no event");
        Assert.That(await Publish(ops, $"{ward7}/commands"), Is.EqualTo(MqttClientPublishReasonCode.NotAuthorized), "nor a command");

        // The reader sees what a ward publishes.
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        bms.ApplicationMessageReceivedAsync += e => { received.Enqueue(e.ApplicationMessage.Topic); return Task.CompletedTask; };
        await bms.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"edgetracking/{Site}/+/events/+", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        using Outbox outbox = Backlog(5);
        var destination = new MqttDestination(Device("jetson-ward-7"), outbox, new TopicScheme("edgetracking", Site, "ward-7"), "ignored", NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        Task run = Task.Run(() => destination.RunAsync(stop.Token));
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (received.Count < 5 && clock.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(50);
            Assert.That(received, Has.Count.EqualTo(5).And.All.StartWith($"{ward7}/events/"), "the ward's device publishes its own ward; the reader reads it");
            Assert.That(destination.Health.Alarm, Is.Null);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }
}
