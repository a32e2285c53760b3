using System.Text.Json;
using CloudSync.Access;
using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent broker-acl --clients FILE [--out FILE]</c>: a mosquitto <c>acl_file</c> enforcing the hospital's topic-space
/// model (the one infra/main.bicep deploys to Event Grid) on the hospital's own broker. The clients file has the
/// deployment's parameters: <c>{"site": …, "topicPrefix": …, "devices": [{"id", "ward"}], "bmsReaders": [{"id"}],
/// "fleetOperators": [{"id"}]}</c>. Use it with <c>require_certificate true</c> and <c>use_identity_as_username true</c>.
/// </summary>
public static class BrokerAclCommand
{
    public static int Run(CliArgs args)
    {
        string file = args.Get("clients") ?? throw new CliException("--clients FILE is required (site, devices, bmsReaders, fleetOperators)");
        JsonElement root;
        try { root = JsonDocument.Parse(File.ReadAllText(file)).RootElement; }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { throw new CliException($"{file}: {e.Message}"); }
        string site = Text(root, "site", file) ?? throw new CliException($"{file}: \"site\" is required");
        string prefix = Text(root, "topicPrefix", file) ?? "edgetracking";
        var clients = new List<BrokerClient>();
        clients.AddRange(Entries(root, "devices", file).Select(e => new BrokerClient(Text(e, "id", file) ?? throw new CliException($"{file}: a device has no \"id\""), "ward-device",
            Text(e, "ward", file) ?? throw new CliException($"{file}: device {Text(e, "id", file)} has no \"ward\""))));
        clients.AddRange(Entries(root, "bmsReaders", file).Select(e => new BrokerClient(Text(e, "id", file) ?? throw new CliException($"{file}: a BMS reader has no \"id\""), "bms")));
        clients.AddRange(Entries(root, "fleetOperators", file).Select(e => new BrokerClient(Text(e, "id", file) ?? throw new CliException($"{file}: an operator has no \"id\""), "fleet-operator")));
        string acl;
        try { acl = MosquittoAcl.Generate(TopicSpaceModel.Default, prefix, site, clients); }
        catch (ArgumentException e) { throw new CliException($"{file}: {e.Message}"); }
        if (args.Get("out") is { } output) File.WriteAllText(output, acl);
        else Console.Write(acl);
        return ExitCodes.Ok;
    }

    private static IEnumerable<JsonElement> Entries(JsonElement root, string name, string file) =>
        !root.TryGetProperty(name, out JsonElement list) ? []
        : list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : throw new CliException($"{file}: \"{name}\" must be an array");

    private static string? Text(JsonElement e, string name, string file) =>
        !e.TryGetProperty(name, out JsonElement v) ? null
        : v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s && !s.Contains('/') && !s.Contains('+') && !s.Contains('#') && !s.Any(char.IsWhiteSpace) ? s
        : throw new CliException($"{file}: \"{name}\" must be a non-empty name without '/', '+', '#' or spaces");
}
