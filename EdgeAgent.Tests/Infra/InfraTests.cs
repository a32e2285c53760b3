using System.Diagnostics;
using System.Text.Json;
using CloudSync.Access;
using CloudSync.Mqtt;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.Infra;

/// <summary>
/// infra/ compiled and linted with the Bicep CLI (NuGet Azure.Bicep.CommandLine.linux-x64, downloaded by this test
/// project's restore), the example parameters compiled, and the topic-space model checked against the topics the agent
/// really uses — so the Event Grid permission model cannot drift from the code.
/// </summary>
[Category("Integration")]
public class InfraTests
{
    private static readonly string InfraDir = Path.Combine(TestAssets.RepoRoot, "infra");

    private static string Bicep()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string? exe = Directory.Exists(Path.Combine(packages, "azure.bicep.commandline.linux-x64"))
            ? Directory.GetDirectories(Path.Combine(packages, "azure.bicep.commandline.linux-x64")).Order(StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "tools", "bicep")).LastOrDefault(File.Exists)
            : null;
        Assert.That(exe, Is.Not.Null, $"the Bicep CLI is restored with the test project (PackageDownload) under {packages}");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(exe!, File.GetUnixFileMode(exe!) | UnixFileMode.UserExecute);
        return exe!;
    }

    private static (int Code, string Output) Run(string exe, IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = InfraDir };
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    [Test]
    public void Bicep_BuildsAndLints_WithoutAWarning()
    {
        string bicep = Bicep();
        string outDir = TestAssets.NewTempDirectory();
        var (code, output) = Run(bicep, null, "build", "main.bicep", "--outdir", outDir);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Not.Contain("Warning").And.Not.Contain("Error"), output);
        var (lintCode, lint) = Run(bicep, null, "lint", "main.bicep");
        Assert.That(lintCode, Is.Zero, lint);
        Assert.That(lint.Trim(), Is.Empty, "no linter finding");

        // What the compiled template holds: the permission model from topic-spaces.json with the client's own site and
        // ward, X.509 clients whose subject is their name, routing to Event Hubs, the frames' lifecycle rule.
        string arm = File.ReadAllText(Path.Combine(outDir, "main.json"));
        Assert.That(arm, Does.Contain("topic-spaces").Or.Contain("ward-state"));
        Assert.That(arm, Does.Contain("${client.attributes.ward}").And.Contain("${client.attributes.site}"));
        Assert.That(arm, Does.Contain("SubjectMatchesAuthenticationName"));
        Assert.That(arm, Does.Contain("maximumSessionExpiryInHours"));
        Assert.That(arm, Does.Contain("EventHub").And.Contain("routeTopicResourceId"));
        Assert.That(arm, Does.Contain("daysAfterCreationGreaterThan").And.Contain("frameRetentionDays"));
    }

    [Test]
    public void ExampleParameters_Compile_WithTheCaFromTheEnvironment()
    {
        string bicep = Bicep();
        var pki = new TestCertificates();
        var (code, output) = Run(bicep, new Dictionary<string, string> { ["EDGE_CLIENT_CA_PEM"] = File.ReadAllText(pki.Crt("ca")) },
            "build-params", "examples/st-marys.bicepparam", "--stdout");
        Assert.That(code, Is.Zero, output);
        using JsonDocument doc = JsonDocument.Parse(output);
        using JsonDocument parameters = JsonDocument.Parse(doc.RootElement.GetProperty("parametersJson").GetString()!);
        JsonElement p = parameters.RootElement.GetProperty("parameters");
        Assert.That(p.GetProperty("frameRetentionDays").GetProperty("value").GetInt32(), Is.LessThanOrEqualTo(3), "frames ≤ 72 h");
        Assert.That(p.GetProperty("clientCaCertificatePem").GetProperty("value").GetString(), Does.StartWith("-----BEGIN CERTIFICATE-----"));
        var (lintCode, lint) = Run(bicep, new Dictionary<string, string> { ["EDGE_CLIENT_CA_PEM"] = "x" }, "lint", "examples/st-marys.bicepparam");
        Assert.That(lintCode, Is.Zero, lint);
    }

    [Test]
    public void TopicSpaceModel_CoversExactlyTheTopicsTheAgentUses()
    {
        TopicSpaceModel model = TopicSpaceModel.Default;
        using (FileStream file = File.OpenRead(Path.Combine(InfraDir, "topic-spaces.json")))
            Assert.That(JsonSerializer.Serialize(TopicSpaceModel.Load(file)), Is.EqualTo(JsonSerializer.Serialize(model)), "the embedded model is infra's file");
        // Channels as MQTT filters: {type}, {zone}, … are one level each.
        var used = TopicScheme.Channels.Select(c => System.Text.RegularExpressions.Regex.Replace(c, "\\{[a-z]+\\}", "+")).ToHashSet(StringComparer.Ordinal);
        string Tail(string t) => t["{prefix}/{site}/{ward}/".Length..];
        var published = model.TopicSpaces.Single(s => s.Name == "ward-state").Templates.Select(Tail).ToHashSet(StringComparer.Ordinal);
        var subscribed = model.TopicSpaces.Single(s => s.Name == "ward-control").Templates.Select(Tail).ToHashSet(StringComparer.Ordinal);
        Assert.That(published.Union(subscribed), Is.EquivalentTo(used), "every channel of the agent in one device space, none more");
        Assert.That(subscribed, Is.EquivalentTo(new[] { "commands", "fleet/desired" }), "a device subscribes only to its own commands and desired state");
        Assert.That(model.TopicSpaces.Where(s => s.Name.StartsWith("site-", StringComparison.Ordinal)).SelectMany(s => s.Templates),
            Has.None.Contains("{ward}").And.None.Contains("/commands"), "hospital-wide spaces carry no command");
        Assert.That(model.TopicSpaces.SelectMany(s => s.Templates), Has.All.StartWith("{prefix}/{site}/"), "never another hospital");
        Assert.That(model.TopicSpaces, Has.All.Matches<TopicSpace>(s => s.Templates.Count <= 10), "Event Grid: at most 10 templates per topic space");
    }

    [Test]
    public void BrokerAclCommand_WritesTheModelForEachClient_AndRefusesABadClientsFile()
    {
        string dir = TestAssets.NewTempDirectory();
        string clients = Path.Combine(dir, "clients.json"), acl = Path.Combine(dir, "acl");
        File.WriteAllText(clients, """{ "site": "st-marys", "devices": [ { "id": "jetson-ward-7", "ward": "ward-7" } ], "bmsReaders": [ { "id": "bms" } ] }""");
        var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "broker-acl", "--clients", clients, "--out", acl);
        Assert.That(code, Is.Zero, stderr);
        string text = File.ReadAllText(acl);
        Assert.That(text, Does.Contain("user jetson-ward-7\ntopic write edgetracking/st-marys/ward-7/events/+\n"));
        Assert.That(text, Does.Contain("topic read edgetracking/st-marys/ward-7/commands\n"));
        Assert.That(text, Does.Contain("user bms\ntopic read edgetracking/st-marys/+/events/+\n"));
        Assert.That(text.Split("user bms")[1], Does.Not.Contain("topic write"), "a reader writes nothing");
        File.WriteAllText(clients, """{ "site": "st-marys", "devices": [ { "id": "jetson/7", "ward": "ward-7" } ] }""");
        var (bad, _, error) = AgentProcess.Run(TimeSpan.FromSeconds(60), "broker-acl", "--clients", clients);
        Assert.That(bad, Is.Not.Zero);
        Assert.That(error, Does.Contain("\"id\" must be a non-empty name without '/'"));
    }
}
