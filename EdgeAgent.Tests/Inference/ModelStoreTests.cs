using EdgeAgent.Inference;

namespace EdgeAgent.Tests.Inference;

public class ModelStoreTests
{
    private const string Sha = "1450966de24902b18aada1a78913d7efd8fc8dcd51bd4d0d5591476bd4a38821";

    private static ModelManifest Manifest() => ModelManifest.Load(Path.Combine(TestAssets.RepoRoot, "models", "manifest.json"));

    [Test]
    public void Resolve_MissingFile_NamesFileAndExpectedHash()
    {
        var store = new ModelStore(Manifest(), TestAssets.NewTempDirectory());
        var e = Assert.Throws<ModelException>(() => store.Resolve("yolox-nano-person-humanart"));
        Assert.That(e!.Message, Does.Contain("yolox_nano_8xb8-300e_humanart-40f6f0d0.onnx").And.Contain(Sha).And.Contain("models pull"));
    }

    [Test]
    public void Resolve_TamperedFile_IsRefusedWithBothHashes()
    {
        string dir = TestAssets.NewTempDirectory();
        File.WriteAllBytes(Path.Combine(dir, "yolox_nano_8xb8-300e_humanart-40f6f0d0.onnx"), [1, 2, 3]);
        var e = Assert.Throws<ModelException>(() => new ModelStore(Manifest(), dir).Resolve("yolox-nano-person-humanart"));
        Assert.That(e!.Message, Does.Contain(Sha).And.Contain("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"));
    }

    [Test]
    public void Resolve_UnknownModel_ListsKnownOnes()
    {
        var e = Assert.Throws<ModelException>(() => new ModelStore(Manifest(), "models").Resolve("yolo-v99"));
        Assert.That(e!.Message, Does.Contain("yolo-v99").And.Contain("yolox-nano-coco"));
    }

    [Test]
    public async Task Pull_FromFolder_InstallsVerifiedFilesAndRefusesMismatches()
    {
        string source = TestAssets.NewTempDirectory(), target = TestAssets.NewTempDirectory();
        Directory.CreateDirectory(Path.Combine(source, "yolox-nano-person-humanart"));
        File.Copy(Path.Combine(TestAssets.ModelsDirectory, "yolox_nano_8xb8-300e_humanart-40f6f0d0.onnx"),
                  Path.Combine(source, "yolox-nano-person-humanart", "yolox_nano_8xb8-300e_humanart-40f6f0d0.onnx"));
        File.WriteAllText(Path.Combine(source, "yolox_nano.onnx"), "not a model");
        var store = new ModelStore(Manifest(), target);

        var results = await store.PullAsync(source, null, ["yolox-nano-person-humanart", "yolox-nano-coco"], CancellationToken.None);

        Assert.That(results.Single(r => r.Model == "yolox-nano-person-humanart").Outcome, Is.EqualTo(PullOutcome.Installed));
        var coco = results.Single(r => r.Model == "yolox-nano-coco");
        Assert.That(coco.Outcome, Is.EqualTo(PullOutcome.HashMismatch));
        Assert.That(coco.Detail, Does.Contain("695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14"));
        Assert.That(File.Exists(Path.Combine(target, "yolox_nano.onnx")), Is.False, "a mismatching file is never installed");
        Assert.That(Directory.GetFiles(target).Where(f => f.EndsWith(".part", StringComparison.Ordinal)), Is.Empty);
        Assert.That(store.Resolve("yolox-nano-person-humanart"), Does.StartWith(target));
    }

    [Test]
    public void Manifest_EveryEntryHasHashFamilyAndInput()
    {
        foreach (ModelEntry m in Manifest().Models)
        {
            Assert.That(m.Sha256, Does.Match("^[0-9a-f]{64}$"), m.Name);
            Assert.That(m.Family, Is.Not.Empty, m.Name);
            Assert.That(m.Source, Does.StartWith("https://"), m.Name);
        }
    }
}
