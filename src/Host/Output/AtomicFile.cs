namespace Phyr.Host.Output;

/// <summary>Files written whole, then renamed into place: a reader (or a crash) never sees half a file.</summary>
public static class AtomicFile
{
    public static void Write(string path, string text) => Write(path, tmp => File.WriteAllText(tmp, text));

    public static void Write(string path, byte[] bytes) => Write(path, tmp => File.WriteAllBytes(tmp, bytes));

    public static void WriteLines(string path, IEnumerable<string> lines) => Write(path, tmp => File.WriteAllLines(tmp, lines));

    /// <summary>Has <paramref name="write"/> write a temporary file beside <paramref name="path"/> (keeping its extension), then renames it.</summary>
    public static void Write(string path, Action<string> write)
    {
        var tmp = Path.ChangeExtension(path, ".tmp" + Path.GetExtension(path));
        write(tmp);
        File.Move(tmp, path, overwrite: true);
    }
}
