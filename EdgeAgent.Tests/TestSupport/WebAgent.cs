using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeAgent.Evaluation;
using EdgeAgent.Tests.Capture;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// The real agent on the sample video (looping, in real time) with its pages bound beyond localhost, so a token is
/// required — the configuration the browser tests run against.
/// </summary>
public sealed class WebAgent : IDisposable
{
    public const string Token = "ward-7-dashboard-token-0123";

    private readonly AgentProcess _agent;

    public WebAgent()
    {
        Directory = TestAssets.NewTempDirectory();
        Port = RtspServer.FreePort();
        ConfigPath = WriteConfig(Directory, $"http://0.0.0.0:{Port}", Token);
        _agent = new AgentProcess("run", "--config", ConfigPath);
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            try
            {
                if (Http.GetAsync("/healthz").Result.IsSuccessStatusCode && Events().Count > 0) return;
            }
            catch (AggregateException) { }
            Thread.Sleep(250);
        }
        Assert.Fail($"the agent's pages did not come up within 90 s; stderr: {_agent.Stderr}");
    }

    public string Directory { get; }
    public string ConfigPath { get; }
    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public HttpClient Http { get; }
    public string Stderr => _agent.Stderr;

    /// <summary>The zones of the bundled configuration (three bays across the plaza), a door and a rule that alerts.</summary>
    public static string WriteConfig(string dir, string urls, string token, string extraWeb = "")
    {
        var cal = WardReplay.CalibrationFromGroundTruth(MotFile.Read(TestAssets.GroundTruth, true), 0, 768, columns: 3, rows: 2);
        string image = JsonSerializer.Serialize(cal.ImagePoints), floor = JsonSerializer.Serialize(cal.FloorPoints);
        string path = Path.Combine(dir, "cfg.json");
        File.WriteAllText(path, $$"""
            {
              "Capture": { "Cameras": [ { "Id": "plaza", "Source": "{{TestAssets.Video}}", "Loop": true, "Realtime": true,
                                          "Calibration": { "ImagePoints": {{image}}, "FloorPoints": {{floor}} } } ] },
              "Detection": { "ModelsDirectory": "{{TestAssets.ModelsDirectory}}", "ExecutionProviders": [ "CPU" ] },
              "Ward": { "Id": "ward-7", "Site": "st-marys", "DeviceId": "jetson-7" },
              "Zones": {
                "Areas": [
                  { "Id": "west", "Kind": "bay", "Polygon": [ [-22, -18], [-11, -18], [-11, 9], [-22, 9] ] },
                  { "Id": "centre", "Kind": "corridor", "Polygon": [ [-11, -18], [-4, -18], [-4, 9], [-11, 9] ] },
                  { "Id": "east", "Kind": "bay", "Polygon": [ [-4, -18], [9, -18], [9, 9], [-4, 9] ] }
                ],
                "Doors": [ { "Id": "centre-east", "Line": [ [-4, -8], [-4, -4] ], "Inside": "Left", "Zone": "centre" } ],
                "Availability": [ { "Id": "west-staffed", "Zone": "west", "Roles": [], "MinimumCount": 3, "After": "00:00:05" } ]
              },
              "Sync": { "EmbeddedBrokerPort": 0 },
              "Web": { "Urls": "{{urls}}", "Token": "{{token}}", "LiveFrameInterval": "00:00:00.300"{{extraWeb}} },
              "Output": { "Directory": "{{dir}}", "StateDirectory": "{{dir}}/state", "StatusInterval": "00:00:05" }
            }
            """);
        return path;
    }

    /// <summary>The events written so far (a line still being written is left for the next read).</summary>
    public List<JsonElement> Events() => ReadEvents(Directory);

    /// <summary>The events a running agent has written to <c>events.jsonl</c> in <paramref name="dir"/> so far.</summary>
    public static List<JsonElement> ReadEvents(string dir)
    {
        string file = Path.Combine(dir, "events.jsonl");
        var list = new List<JsonElement>();
        if (!File.Exists(file)) return list;
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            try { list.Add(JsonDocument.Parse(line).RootElement.Clone()); }
            catch (JsonException) { break; }
        }
        return list;
    }

    public void Dispose()
    {
        Http.Dispose();
        _agent.Dispose();
    }
}
