using System.Formats.Tar;
using System.IO.Compression;
using CloudSync.Fleet;
using EdgeAgent.Configuration;
using EdgeAgent.Fleet;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.Fleet;

/// <summary>RELIABILITY U2 for agent releases (.tar.gz): escapes, links, devices and bombs refused; nothing written outside.</summary>
public class SafeArchiveTests
{
    private static string Archive(Action<TarWriter> write)
    {
        string path = Path.Combine(TestAssets.NewTempDirectory(), "agent.tar.gz");
        using (var file = System.IO.File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.SmallestSize))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            write(tar);
        return path;
    }

    private static void Entry(TarWriter tar, string name, byte[] content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content), Mode = mode };
        tar.WriteEntry(entry);
    }

    [Test]
    public void AgentRelease_Unpacked_ExecutableBitKept()
    {
        string archive = Archive(t =>
        {
            Entry(t, "edge-agent", "#!/bin/sh\n"u8.ToArray(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Entry(t, "runtimes/linux-arm64/native/libonnxruntime.so", new byte[1000]);
        });
        string target = Path.Combine(TestAssets.NewTempDirectory(), "agent");
        SafeArchive.ExtractTarGz(archive, target);
        if (!OperatingSystem.IsWindows())
            Assert.That(System.IO.File.GetUnixFileMode(Path.Combine(target, "edge-agent")) & UnixFileMode.UserExecute, Is.EqualTo(UnixFileMode.UserExecute));
        Assert.That(System.IO.File.Exists(Path.Combine(target, "runtimes/linux-arm64/native/libonnxruntime.so")), Is.True);
    }

    [TestCase("../../escaped", "points outside")]
    [TestCase("lib/../../escaped", "points outside")]
    [TestCase("/tmp/escaped-absolute", "points outside")]
    public void EscapingPath_RefusedAndNothingWrittenOutside(string name, string reason)
    {
        string archive = Archive(t => { Entry(t, "edge-agent", [1]); Entry(t, name, [2]); });
        string parent = TestAssets.NewTempDirectory(), target = Path.Combine(parent, "releases", "9", "agent");
        Assert.That(() => SafeArchive.ExtractTarGz(archive, target), Throws.TypeOf<FleetRefusal>().With.Message.Contains(reason));
        Assert.That(Directory.GetFiles(parent, "escaped*", SearchOption.AllDirectories), Is.Empty);
        Assert.That(System.IO.File.Exists("/tmp/escaped-absolute"), Is.False);
    }

    [TestCase(TarEntryType.SymbolicLink)]
    [TestCase(TarEntryType.HardLink)]
    [TestCase(TarEntryType.CharacterDevice)]
    [TestCase(TarEntryType.Fifo)]
    public void LinksAndSpecialFiles_Refused(TarEntryType type)
    {
        string archive = Archive(t =>
        {
            var entry = new PaxTarEntry(type, "lib/libc.so.6");
            if (type is TarEntryType.SymbolicLink or TarEntryType.HardLink) entry.LinkName = "/etc/shadow";
            t.WriteEntry(entry);
        });
        Assert.That(() => SafeArchive.ExtractTarGz(archive, Path.Combine(TestAssets.NewTempDirectory(), "agent")),
            Throws.TypeOf<FleetRefusal>().With.Message.Contains("only files and directories are accepted"));
    }

    [Test]
    public void CompressionBomb_Refused()
    {
        string archive = Archive(t => Entry(t, "edge-agent", new byte[64 * 1024 * 1024]));   // 64 MiB of zeros: ~60 KiB compressed
        Assert.That(() => SafeArchive.ExtractTarGz(archive, Path.Combine(TestAssets.NewTempDirectory(), "agent")),
            Throws.TypeOf<FleetRefusal>().With.Message.Contains("times its size"));
    }

    [Test]
    public void LauncherRolledBackANewAgent_TheNextStartReportsIt()
    {
        string dir = TestAssets.NewTempDirectory();
        System.IO.File.WriteAllText(Path.Combine(dir, "fleet.pub"), "x");
        string config = EventServiceTests.Config(dir, $$"""
            ,
              "Sync": { "Destinations": [ { "Name": "bms", "Port": 1 } ] },
              "Fleet": { "Enabled": true, "PublicKeyFile": "{{dir}}/fleet.pub", "Directory": "{{dir}}/fleet" }
            """);
        AgentSettings provisioned = SettingsLoader.Load(config, null, requireCameras: true);
        var store = new FleetStore(provisioned.Fleet.Directory);
        store.Save(new FleetState { Current = 4, LastAccepted = 5, Pending = 5 });
        System.IO.File.WriteAllText(Path.Combine(store.Directory, "agent-rolled-back"), "5");   // what edge-agent-launch leaves
        var (_, trial) = FleetStartup.Resolve(provisioned);
        Assert.That(trial, Is.Null);
        FleetState state = store.Load();
        Assert.That(state.Pending, Is.Null);
        Assert.That(state.FailedVersion, Is.EqualTo(5));
        Assert.That(state.FailedReason, Does.Contain("the new agent stopped 3 times"));
    }
}
