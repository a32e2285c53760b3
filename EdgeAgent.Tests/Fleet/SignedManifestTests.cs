using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CloudSync.Fleet;

namespace EdgeAgent.Tests.Fleet;

public class SignedManifestTests
{
    internal static JsonObject Manifest(long version = 2, string file = "appsettings.json", string url = "https://fleet.example/ward7/v2.json", long size = 100) => new()
    {
        ["schema"] = DesiredState.SchemaId, ["version"] = version, ["site"] = "st-marys", ["ward"] = "ward-7", ["issuedAt"] = "2026-11-29T10:00:00Z",
        ["config"] = new JsonObject { ["file"] = file, ["url"] = url, ["sha256"] = new string('a', 64), ["size"] = size },
    };

    private static readonly ECDsa Fleet = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa Stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly Dictionary<string, ECDsa> Trusted = new() { [SignedManifest.KeyIdOf(Fleet)] = Fleet };

    [OneTimeTearDown]
    public void DisposeKeys()
    {
        Fleet.Dispose();
        Stranger.Dispose();
    }

    private static JsonObject Verify(string envelope) => SignedManifest.Verify(Encoding.UTF8.GetBytes(envelope), Trusted, 64 * 1024);

    [Test]
    public void Signed_Verifies_AlsoReindentedWithKeysReordered()
    {
        string signed = SignedManifest.Sign(Manifest(), Fleet);
        Assert.That(Verify(signed)["version"]!.GetValue<long>(), Is.EqualTo(2));
        var doc = JsonNode.Parse(signed)!.AsObject();
        var m = doc["manifest"]!.AsObject();
        var reordered = new JsonObject();
        foreach (var (k, v) in m.Reverse().ToList()) { m.Remove(k); reordered[k] = v; }
        doc["manifest"] = reordered;
        Assert.That(Verify(doc.ToJsonString()), Is.Not.Null, "the canonical form ignores layout and key order");
    }

    [Test]
    public void Tampered_Unsigned_StrangerSigned_Oversized_AllRefusedWithTheReason()
    {
        string signed = SignedManifest.Sign(Manifest(), Fleet);
        string tampered = signed.Replace("\"version\": 2", "\"version\": 3");
        Assert.That(tampered, Is.Not.EqualTo(signed));
        Assert.That(() => Verify(tampered), Throws.TypeOf<FleetRefusal>().With.Message.Contains("does not verify"));
        Assert.That(() => Verify(new JsonObject { ["manifest"] = Manifest() }.ToJsonString()), Throws.TypeOf<FleetRefusal>().With.Message.Contains("unsigned"));
        Assert.That(() => Verify(SignedManifest.Sign(Manifest(), Stranger)), Throws.TypeOf<FleetRefusal>().With.Message.Contains("does not trust"));
        Assert.That(() => SignedManifest.Verify(new byte[70_000], Trusted, 64 * 1024), Throws.TypeOf<FleetRefusal>().With.Message.Contains("more than 65536"));
        Assert.That(() => Verify("{not json"), Throws.TypeOf<FleetRefusal>().With.Message.Contains("not JSON"));
    }

    [TestCase("../../etc/passwd", "https://fleet.example/x", 100, "plain file name")]
    [TestCase("/etc/passwd", "https://fleet.example/x", 100, "plain file name")]
    [TestCase("ok.json", "http://fleet.example/x", 100, "must be an https URL")]
    [TestCase("ok.json", "file:///etc/passwd", 100, "must be an https URL")]
    [TestCase("ok.json", "https://fleet.example/x", 600_000_000, "more than the 536870912 allowed")]
    [TestCase("ok.json", "https://fleet.example/x", 300_000, "more than 262144 for a configuration")]
    public void HostileArtifacts_Refused(string file, string url, long size, string reason)
    {
        Assert.That(() => DesiredState.Parse(Manifest(file: file, url: url, size: size), new FleetPolicy()),
            Throws.TypeOf<FleetRefusal>().With.Message.Contains(reason));
    }

    [Test]
    public void UnknownFields_AndWrongSchema_Refused()
    {
        JsonObject m = Manifest();
        m["exec"] = "rm -rf /";
        Assert.That(() => DesiredState.Parse(m, new FleetPolicy()), Throws.TypeOf<FleetRefusal>().With.Message.Contains("unknown property 'exec'"));
        m = Manifest();
        m["schema"] = "other";
        Assert.That(() => DesiredState.Parse(m, new FleetPolicy()), Throws.TypeOf<FleetRefusal>().With.Message.Contains("schema"));
    }
}
