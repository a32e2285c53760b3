using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeAgent.Zones;

/// <summary>
/// Keeps the zone engine's open presences and alerts, and the last event sequence number, in a small JSON file that
/// is replaced atomically (write, fsync, rename), so a crash leaves either the old or the new state, never half.
/// </summary>
public sealed class ZoneStateStore(string path)
{
    public sealed class Saved
    {
        public long LastSequence { get; set; }
        public ZoneState State { get; set; } = new();
    }

    public string Path { get; } = path;

    /// <summary>The saved state, or null on first start. A file that cannot be read is an error naming it.</summary>
    public Saved? Load()
    {
        if (!File.Exists(Path)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(Path), ZoneStateJsonContext.Default.Saved);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"zone state file '{Path}' is damaged ({e.Message}); move it away to start without closing old presences", e);
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
}

[JsonSerializable(typeof(ZoneStateStore.Saved))]
internal sealed partial class ZoneStateJsonContext : JsonSerializerContext;
