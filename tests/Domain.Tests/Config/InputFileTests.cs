using System.Text;
using Phyr.Domain.Config;

namespace Phyr.Domain.Tests.Config;

/// <summary>The bounded reader every user-named file goes through.</summary>
public sealed class InputFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("phyr-input-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    private static InputException Error(string problem) => new(problem);

    [Fact]
    public void Lines_come_numbered_without_their_ends_and_a_byte_order_mark_is_dropped()
    {
        var path = File("a.conf", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("one\r\ntwo\n\nfour")]);
        Assert.Equal([(1, "one"), (2, "two"), (3, ""), (4, "four")], InputFile.ReadLines(path, "test", 1024, 80, Error));
        Assert.Equal("one\ntwo\n\nfour", InputFile.ReadText(path, "test", 1024, Error));
    }

    [Fact]
    public void Each_bound_is_one_line_naming_the_file()
    {
        var big = File("big.conf", Encoding.UTF8.GetBytes(new string('x', 2000)));
        Assert.Equal($"{big}: larger than 1 KiB: too large for a test file",
            Assert.Throws<InputException>(() => InputFile.ReadText(big, "test", 1024, Error)).Message);
        var nul = File("nul.conf", Encoding.UTF8.GetBytes("a\nb\0c\n"));
        Assert.Equal($"{nul}:2: holds a NUL byte: not a text test file",
            Assert.Throws<InputException>(() => InputFile.ReadText(nul, "test", 1024, Error)).Message);
        var wide = File("wide.conf", Encoding.UTF8.GetBytes("ok\n" + new string('y', 100) + "\n"));
        Assert.Equal($"{wide}:2: a line longer than 80 characters: not a test file",
            Assert.Throws<InputException>(() => InputFile.ReadLines(wide, "test", 1024, 80, Error).ToList()).Message);
        Assert.Equal($"{_dir}: is a directory, not a test file", Assert.Throws<InputException>(() => InputFile.ReadText(_dir, "test", 1024, Error)).Message);
        var missing = Path.Combine(_dir, "missing.conf");
        Assert.Equal($"{missing}: no such test file", Assert.Throws<InputException>(() => InputFile.ReadText(missing, "test", 1024, Error)).Message);
    }

    [Fact]
    public void A_device_without_an_end_is_read_only_to_its_bound()
    {
        if (!System.IO.File.Exists("/dev/zero")) return; // not on this OS
        Assert.Contains("holds a NUL byte", Assert.Throws<InputException>(() => InputFile.ReadText("/dev/zero", "test", 1 << 20, Error)).Message);
    }
}
