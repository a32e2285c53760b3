using System.Text.RegularExpressions;

namespace EdgeAgent.Tests.Architecture;

/// <summary>
/// The rooms of <c>EdgeAgent/</c> and the direction of their dependencies (docs/architecture.md), read from the sources:
/// a room uses another when a file names its namespace (<c>using EdgeAgent.X</c>, <c>EdgeAgent.X.Type</c> or <c>X.Type</c>).
/// </summary>
public partial class DependencyTests
{
    private static readonly string Source = Path.Combine(TestAssets.RepoRoot, "EdgeAgent");

    private static readonly string[] DataPath =
        ["Pipeline", "Capture", "Inference", "Reid", "Tracking", "Roles", "Badges", "Frames", "Ward", "Zones", "Events", "Health", "Evaluation"];

    private static IReadOnlyList<string> Rooms() =>
        Directory.GetDirectories(Source).Select(Path.GetFileName).OfType<string>().Where(d => d is not ("bin" or "obj")).Where(d => Directory.GetFiles(Path.Combine(Source, d), "*.cs").Length > 0).ToList();

    private static Dictionary<string, HashSet<string>> Graph()
    {
        IReadOnlyList<string> rooms = Rooms();
        var graph = rooms.ToDictionary(r => r, _ => new HashSet<string>(StringComparer.Ordinal));
        foreach (string room in rooms)
            foreach (string file in Directory.GetFiles(Path.Combine(Source, room), "*.cs", SearchOption.AllDirectories))
            {
                string code = LineComment().Replace(File.ReadAllText(file), "");
                foreach (Match m in Qualified().Matches(code)) graph[room].Add(m.Groups[1].Value);
                foreach (Match m in Relative().Matches(code))
                    if (rooms.Contains(m.Groups[1].Value)) graph[room].Add(m.Groups[1].Value);
                graph[room].Remove(room);
                graph[room].IntersectWith(rooms);
            }
        return graph;
    }

    [Test]
    public void TheRoomsAreThoseTheArchitecturePageDescribes()
    {
        Assert.That(Rooms(), Is.SupersetOf(DataPath.Concat(["Hosting", "Web", "Cli", "Fleet", "Configuration"])));
        string page = File.ReadAllText(Path.Combine(TestAssets.RepoRoot, "docs", "architecture.md"));
        foreach (string room in Rooms()) Assert.That(page, Does.Contain(room), $"docs/architecture.md names the room {room}");
        Assert.That(page, Does.Not.Contain("../shared"), "the page links nothing outside the repository");
    }

    [Test]
    public void TheDataPath_UsesNeitherWebNorCliNorHostingNorFleet()
    {
        var graph = Graph();
        foreach (string room in DataPath)
            Assert.That(graph[room], Has.None.AnyOf("Web", "Cli", "Hosting", "Fleet"), $"{room} uses {string.Join(", ", graph[room])}");
    }

    [Test]
    public void OnlyCliUsesHosting_WebAndFleetUseNeitherHostingNorCli()
    {
        var graph = Graph();
        Assert.That(graph.Where(kv => kv.Value.Contains("Hosting")).Select(kv => kv.Key), Is.EquivalentTo(new[] { "Cli" }));
        Assert.That(graph["Web"], Has.None.AnyOf("Hosting", "Cli"));
        Assert.That(graph["Fleet"], Has.None.AnyOf("Hosting", "Cli", "Web"));
        Assert.That(graph["Hosting"], Does.Not.Contain("Cli"));
    }

    [Test]
    public void NoTwoRoomsUseEachOther_ButConfigurationNamingTheWebOptions()
    {
        var graph = Graph();
        var pairs = graph.SelectMany(kv => kv.Value.Where(b => graph[b].Contains(kv.Key)).Select(b => string.CompareOrdinal(kv.Key, b) < 0 ? $"{kv.Key}<->{b}" : $"{b}<->{kv.Key}"))
            .Distinct().ToList();
        Assert.That(pairs, Is.EquivalentTo(new[] { "Configuration<->Web" }));
        // Configuration names the Web options type and nothing else of Web: the section validates itself.
        foreach (string file in Directory.GetFiles(Path.Combine(Source, "Configuration"), "*.cs"))
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"(?<![\w.])Web\.(\w+)"))
                Assert.That(m.Groups[1].Value, Is.EqualTo("WebOptions"), $"{Path.GetFileName(file)} uses Web.{m.Groups[1].Value}");
    }

    [Test]
    public void ProgramOnlyDispatches()
    {
        string program = File.ReadAllText(Path.Combine(Source, "Program.cs"));
        Assert.That(program.Split('\n').Length, Is.LessThan(50), "a line per command, nothing else");
        Assert.That(program, Does.Not.Contain("static ").And.Not.Contain("EdgeAgent.Web").And.Not.Contain("EdgeAgent.Pipeline"), "no helper, no composition");
    }

    [GeneratedRegex(@"//.*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"EdgeAgent\.(\w+)")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"(?<![\w.])(\w+)\.[A-Z]\w*")]
    private static partial Regex Relative();
}
