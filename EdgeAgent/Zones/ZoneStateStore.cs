using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeAgent.Zones;

/// <summary>
/// The zone engine's open presences and alerts between runs. With an outbox they travel inside it, in the same
/// transaction as the events that changed them (<see cref="Encode"/>/<see cref="Decode"/>), so a crash can neither
/// repeat nor lose an exit. Without one (events to the local file only) they live in a small JSON file replaced
/// atomically (write, fsync, rename). A file that cannot be read is moved aside and the agent starts without it.
/// </summary>
public sealed class ZoneStateStore(string path)
{
    public sealed class Saved
    {
        public long LastSequence { get; set; }
        public ZoneState State { get; set; } = new();
    }

    public string Path { get; } = path;

    /// <summary>Set by <see cref="Load"/> when the file was damaged: what was wrong and where it was moved.</summary>
    public string? Damaged { get; private set; }

    /// <summary>The saved state, or null on first start — or when the file is damaged (then moved aside, see <see cref="Damaged"/>).</summary>
    public Saved? Load()
    {
        if (!File.Exists(Path)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(Path), ZoneStateJsonContext.Default.Saved)
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            string aside = $"{Path}.damaged-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
            File.Move(Path, aside, overwrite: true);
            Damaged = $"zone state file '{Path}' is damaged ({e.Message.Split('\n')[0]}); moved aside to '{aside}'. Started without it: presences open before cannot be closed";
            return null;
        }
    }

    public void Save(ZoneState state, long lastSequence)
    {
        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        Directory.CreateDirectory(dir);
        string tmp = Path + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, new Saved { LastSequence = lastSequence, State = state }, ZoneStateJsonContext.Default.Saved);
            stream.Flush(flushToDisk: true);
        }
        File.Move(tmp, Path, overwrite: true);
    }

    /// <summary>The state as the outbox keeps it beside its events.</summary>
    public static byte[] Encode(ZoneState state) => JsonSerializer.SerializeToUtf8Bytes(state, ZoneStateJsonContext.Default.ZoneState);

    /// <summary>The state the outbox kept, or null when it kept none.</summary>
    public static ZoneState? Decode(byte[]? bytes) => bytes is null ? null : JsonSerializer.Deserialize(bytes, ZoneStateJsonContext.Default.ZoneState);
}

[JsonSerializable(typeof(ZoneStateStore.Saved))]
[JsonSerializable(typeof(ZoneState))]
internal sealed partial class ZoneStateJsonContext : JsonSerializerContext;
