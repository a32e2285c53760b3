using System.Diagnostics;
using System.Text;
using EdgeAgent.Badges;

namespace EdgeAgent.Tests.Badges;

/// <summary>The badge reader on real ptys (socat): RELIABILITY rows S1 (reader unplugged) and S2 (garbage on the line).</summary>
[Category("Integration")]
[NonParallelizable]
public class BadgeReaderTests
{
    private const string NurseBadge = "0100BC614E", UnknownBadge = "0F0F0F0F0F";

    private static string Roster()
    {
        var (file, _) = BadgeRoster.Build(["badge,name,role,department", $"{NurseBadge},Jane Doe,nurse,ward-7", "A1B2C3,John Roe,porter,estates"]);
        string path = Path.Combine(TestAssets.NewTempDirectory(), "roster.json");
        File.WriteAllText(path, BadgeRoster.ToJson(file));
        return path;
    }

    private static (BadgeReader Reader, List<BadgeRead> Reads, ListLogger Log) Start(SerialPair pair, BadgeProtocol protocol = BadgeProtocol.Rdm6300, int baud = 9600)
    {
        var options = new BadgeOptions
        {
            Roster = Roster(), RepeatSuppression = TimeSpan.FromMilliseconds(300),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(100), ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
        };
        var reads = new List<BadgeRead>();
        var log = new ListLogger();
        var reader = new BadgeReader(new BadgeReaderOptions { Id = "door-a", Port = pair.AgentEnd, Protocol = protocol, BaudRate = baud, Door = "bay3-door" },
            options, BadgeRoster.Load(options.Roster), r => { lock (reads) reads.Add(r); }, log, TimeProvider.System);
        reader.Start();
        WaitUntil(() => reader.Health.Connected, "the reader opens the pty");
        return (reader, reads, log);
    }

    private static void WaitUntil(Func<bool> condition, string what, double seconds = 10)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed.TotalSeconds > seconds) Assert.Fail($"timed out waiting until {what}");
            Thread.Sleep(20);
        }
    }

    [Test]
    public void Reader_FramesSplitAcrossReadsAmongNoise_RolesDeliveredBadOnesCountedNoIdLogged()
    {
        using var pair = new SerialPair();
        var (reader, reads, log) = Start(pair);
        using (reader)
        {
            byte[] line = [0x55, 0xAA, .. Rdm6300Parser.Encode(NurseBadge), 0x00, .. Rdm6300Parser.Encode(NurseBadge, corruptChecksum: true),
                .. Rdm6300Parser.Encode(UnknownBadge), 0x13, 0x37];
            pair.Write(line, chunk: 3);
            WaitUntil(() => reader.Health.Unknown == 1 && reader.Health.BadChecksum == 1, "every frame is counted");
            Assert.That(reads, Is.EqualTo(new[] { new BadgeRead("door-a", "bay3-door", "nurse", "ward-7") }));
            Assert.That(reader.Health.GarbageBytes, Is.EqualTo(5));
            Assert.That(log.Lines, Has.None.Contains(NurseBadge).And.None.Contains(UnknownBadge), "badge ids are never logged");
        }
    }

    [Test]
    public void Reader_UnpluggedAndReplugged_ReopensWithBackoffWithoutLeakingDescriptorsAndReadsResume()
    {
        using var pair = new SerialPair();
        var (reader, reads, _) = Start(pair);
        using (reader)
        {
            pair.Write(Rdm6300Parser.Encode(NurseBadge));
            WaitUntil(() => reads.Count == 1, "the first read");
            int descriptorsBefore = Directory.GetFiles("/proc/self/fd").Length;
            for (int cycle = 1; cycle <= 3; cycle++)
            {
                pair.Unplug();
                WaitUntil(() => !reader.Health.Connected, "the reader notices the device is gone");
                Thread.Sleep(600);   // a few failed reopen attempts while it is away
                pair.Plug();
                WaitUntil(() => reader.Health.Connected && reader.Health.Reconnects == cycle, "the reader reopens the port");
                Thread.Sleep(300);   // repeat suppression
                pair.Write(Rdm6300Parser.Encode(NurseBadge));
                WaitUntil(() => reads.Count == cycle + 1, "reads resume after replugging");
            }
            int descriptorsAfter = Directory.GetFiles("/proc/self/fd").Length;
            Assert.That(descriptorsAfter, Is.LessThanOrEqualTo(descriptorsBefore + 2), "no descriptor leaked per reconnect");
        }
    }

    [Test]
    public void Reader_GarbageAt115200_NeverStopsCountsMalformedAndStillReadsTheNextBadge()
    {
        using var pair = new SerialPair();
        var (reader, reads, _) = Start(pair, BadgeProtocol.Line, baud: 115200);
        using (reader)
        {
            var r = new Random(7);
            var garbage = new byte[64 * 1024];
            r.NextBytes(garbage);
            pair.Write(garbage);
            pair.Write(Encoding.ASCII.GetBytes("\n" + new string('7', 10_000) + "\n"));   // overlong line
            pair.Write([0xC3, 0x28, 0xFF, (byte)'\n']);                                    // invalid UTF-8
            pair.Write(Encoding.ASCII.GetBytes("\nA1B2C3\n"));
            WaitUntil(() => reads.Count >= 1, "the valid badge after the garbage");
            Assert.That(reads.Last().Role, Is.EqualTo("porter"));
            Assert.That(reader.Health.Malformed, Is.GreaterThanOrEqualTo(2));
            Assert.That(reader.Health.GarbageBytes, Is.GreaterThan(10_000));
            Assert.That(reader.Health.Connected, Is.True);
        }
    }
}
