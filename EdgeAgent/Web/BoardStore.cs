using System.Text.Json;

namespace EdgeAgent.Web;

/// <summary>
/// Keeps the dashboard's memory (<see cref="BoardMemory"/>) in <c>Output:StateDirectory/board.json</c>, replaced
/// atomically. Nothing in it identifies anyone: counts per zone, per bucket and per floor cell. A file that cannot be
/// read is ignored (the dashboard starts empty) — it is a convenience, not a record; the events are the record.
/// </summary>
public sealed class BoardStore(string path)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public BoardMemory? Load()
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<BoardMemory>(File.ReadAllText(path), Json) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            return null;
        }
    }

    public void Save(BoardMemory memory)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string staged = path + ".tmp";
        File.WriteAllText(staged, JsonSerializer.Serialize(memory, Json));
        File.Move(staged, path, overwrite: true);
    }
}
