using CloudSync.Mqtt;
using EdgeAgent.Configuration;
using EdgeAgent.Hosting;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.CloudSync;

/// <summary>The Event Grid profile at start: its defaults, and every configuration it cannot honour refused by key.</summary>
public class BrokerProfileTests
{
    private static TestCertificates? _pki;

    private static TestCertificates Pki => _pki ??= new TestCertificates();

    private static AgentSettings Ward(Action<MqttDestinationOptions>? change = null, int zones = 3)
    {
        var (crt, key) = Pki.NewClient("jetson-ward-7");
        var s = new AgentSettings();
        s.Ward.Site = "st-marys";
        s.Ward.Id = "ward-7";
        s.Capture.Cameras.Add(new global::EdgeAgent.Capture.CameraOptions { Id = "a", Source = "rtsp://127.0.0.1:1/x" });
        for (int i = 0; i < zones; i++)
            s.Zones.Areas.Add(new global::EdgeAgent.Zones.ZoneDefinition { Id = $"bay-{i}", Kind = "bay", Polygon = [[i, 0], [i + 1, 0], [i + 1, 1], [i, 1]] });
        var d = new MqttDestinationOptions
        {
            Name = "azure", Profile = BrokerProfile.EventGrid, Host = "egns-stmarys-edge.westeurope-1.ts.eventgrid.azure.net", Port = 8883, UseTls = true,
            CaFile = Pki.Crt("ca"), ClientCertificateFile = crt, ClientKeyFile = key,
        };
        change?.Invoke(d);
        s.Sync.Destinations.Add(d);
        return s;
    }

    private static IReadOnlyList<string> Problems(AgentSettings s) => SettingsValidator.Validate(s, requireCameras: true);

    [Test]
    public void EventGrid_AGoodWard_Passes_WithTheBrokersLimitsAsDefaults()
    {
        AgentSettings s = Ward();
        Assert.That(Problems(s), Is.Empty);
        BrokerProfile p = BrokerProfile.Resolve(s.Sync.Destinations[0]);
        Assert.That(p.SessionExpiry, Is.EqualTo(TimeSpan.FromHours(8)));
        Assert.That(p.MessagesPerSecond, Is.EqualTo(1000));
        Assert.That(p.BytesPerSecond, Is.EqualTo(1_000_000));
        Assert.That(p.MaxRetainedBytes, Is.EqualTo(64 * 1024));
        Assert.That(p.ClientId(s.Sync.Destinations[0], "whatever"), Is.EqualTo("jetson-ward-7"), "client id = the certificate's subject");
        BrokerProfile generic = BrokerProfile.Resolve(new MqttDestinationOptions());
        Assert.That((generic.SessionExpiry, generic.MessagesPerSecond, generic.BytesPerSecond), Is.EqualTo((TimeSpan.FromDays(1), (double?)null, (double?)null)),
            "a generic broker keeps the defaults it had");
    }

    [TestCase("ProtocolVersion", "3.1.1")]
    [TestCase("SessionExpiry", "1.00:00:00")]
    [TestCase("MaxMessageBytes", "1048576")]
    [TestCase("MessagesPerSecond", "5000")]
    [TestCase("BytesPerSecond", "2000000")]
    [TestCase("KeepAlive", "00:30:00")]
    [TestCase("ClientId", "edge-ward-7")]
    [TestCase("Username", "someone-else")]
    [TestCase("UseTls", "false")]
    [TestCase("MaxRetainedBytes", "100000")]
    public void EventGrid_RefusesWhatTheBrokerCannotHonour_NamingTheKey(string key, string value)
    {
        AgentSettings s = Ward(d =>
        {
            switch (key)
            {
                case "ProtocolVersion": d.ProtocolVersion = value; break;
                case "SessionExpiry": d.SessionExpiry = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "MaxMessageBytes": d.MaxMessageBytes = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "MessagesPerSecond": d.MessagesPerSecond = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "BytesPerSecond": d.BytesPerSecond = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "KeepAlive": d.KeepAlive = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "ClientId": d.ClientId = value; break;
                case "Username": d.Username = value; break;
                case "UseTls": d.UseTls = false; d.CaFile = null; d.ClientCertificateFile = null; d.ClientKeyFile = null; break;
                case "MaxRetainedBytes": d.MaxRetainedBytes = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            }
        });
        IReadOnlyList<string> problems = Problems(s);
        Assert.That(problems, Has.Some.StartsWith($"Sync:Destinations:0:{key}:"), string.Join("\n", problems));
    }

    [Test]
    public void EventGrid_TooManyRetainedTopics_OrTooLongATopic_Refused()
    {
        IReadOnlyList<string> crowded = Problems(Ward(zones: 120));
        Assert.That(crowded, Has.Some.StartsWith("Sync:Destinations:0:MaxRetainedTopics: the ward keeps 125 retained topics"), string.Join("\n", crowded));
        Assert.That(Problems(Ward(d => d.MaxRetainedTopics = 200, zones: 120)), Is.Empty, "raised within the broker's limit, it passes");
        Assert.That(Problems(Ward(d => d.RetainState = false, zones: 120)), Is.Empty, "or with nothing retained");
        IReadOnlyList<string> deep = Problems(Ward(d => d.TopicPrefix = "a/b/c/d"));
        Assert.That(deep, Has.Some.StartsWith("Sync:Destinations:0:TopicPrefix:").And.Some.Contains("levels"), string.Join("\n", deep));
        IReadOnlyList<string> longTopic = Problems(Ward(d => d.TopicPrefix = new string('p', 230)));
        Assert.That(longTopic, Has.Some.Contains("bytes, Event Grid allows 256"), string.Join("\n", longTopic));
    }

    [Test]
    public void EventGrid_WithoutAClientCertificate_Refused()
    {
        IReadOnlyList<string> problems = Problems(Ward(d => { d.ClientCertificateFile = null; d.ClientKeyFile = null; }));
        Assert.That(problems, Has.Some.StartsWith("Sync:Destinations:0:ClientCertificateFile: Event Grid profile authenticates the device by X.509"));
    }

    [Test]
    public void UnknownProfile_Refused()
    {
        IReadOnlyList<string> problems = Problems(Ward(d => d.Profile = "IoTHub"));
        Assert.That(problems, Has.Some.StartsWith("Sync:Destinations:0:Profile: must be \"Generic\" or \"EventGrid\""));
    }

    [Test]
    public void Check_EventGridConfigurationItCannotHonour_Exit3NamingTheKey()
    {
        var (crt, key) = Pki.NewClient("jetson-ward-7");
        string path = Path.Combine(TestAssets.NewTempDirectory(), "ward.json");
        File.WriteAllText(path, $$"""
            { "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] },
              "Ward": { "Site": "st-marys", "Id": "ward-7" },
              "Sync": { "Destinations": [ { "Name": "azure", "Profile": "EventGrid", "Host": "broker.example", "Port": 8883, "UseTls": true,
                "ClientCertificateFile": "{{crt}}", "ClientKeyFile": "{{key}}", "SessionExpiry": "1.00:00:00" } ] } }
            """);
        var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", path);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidConfiguration), stderr);
        Assert.That(stderr, Does.Contain("Sync:Destinations:0:SessionExpiry: Event Grid keeps a session at most 08:00:00"));
    }
}
