using System.Text;
using System.Text.Json;

namespace Phyr.Host.Output;

/// <summary>The commands' JSON output: written with a Utf8JsonWriter (fixed property order, exact numbers), indented.</summary>
public static class JsonText
{
    public static string Indented(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true })) write(w);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
