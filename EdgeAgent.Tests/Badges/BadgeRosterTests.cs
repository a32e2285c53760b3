using EdgeAgent.Badges;

namespace EdgeAgent.Tests.Badges;

public class BadgeRosterTests
{
    private static readonly string[] Csv =
    [
        "badge,name,role,department",
        "0100BC614E,Jane Doe,nurse,ward-7",
        "2a00ff0011,John Roe,doctor,",
        "bad id,Somebody,nurse,ward-7",
        "0100BC614E,Jane Doe,nurse,ward-7",
    ];

    [Test]
    public void Build_FromCsv_StoresOnlySaltedHashesAndRoles()
    {
        var (file, problems) = BadgeRoster.Build(Csv);
        string json = BadgeRoster.ToJson(file);
        Assert.That(problems, Is.EqualTo(new[] { "line 4: the badge id must be letters, digits or '-'", "line 5: the same badge is listed twice" }));
        Assert.That(file.Entries, Has.Count.EqualTo(2));
        Assert.That(json, Does.Not.Contain("0100BC614E").IgnoreCase.And.Not.Contain("Jane").And.Not.Contain("John").And.Not.Contain("2a00ff0011").IgnoreCase);
        string path = Path.Combine(TestAssets.NewTempDirectory(), "roster.json");
        File.WriteAllText(path, json);
        BadgeRoster roster = BadgeRoster.Load(path);
        Assert.That(roster.Find("0100bc614e"), Is.EqualTo(new BadgeRoster.Entry("nurse", "ward-7")), "ids compare case-insensitively");
        Assert.That(roster.Find("2A00FF0011")?.Role, Is.EqualTo("doctor"));
        Assert.That(roster.Find("FFFFFFFFFF"), Is.Null);
    }

    [Test]
    public void Build_SameCsvTwice_DifferentSaltsSoHashesCannotBeComparedAcrossRosters()
    {
        var (a, _) = BadgeRoster.Build(Csv);
        var (b, _) = BadgeRoster.Build(Csv);
        Assert.That(a.Entries.Keys, Is.Not.EquivalentTo(b.Entries.Keys));
    }

    [Test]
    public void Load_NotARoster_SaysWhichFile()
    {
        string path = Path.Combine(TestAssets.NewTempDirectory(), "roster.json");
        File.WriteAllText(path, "{ not json");
        Assert.That(() => BadgeRoster.Load(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(path));
    }
}
