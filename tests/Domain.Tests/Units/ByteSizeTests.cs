using Phyr.Domain.Units;

namespace Phyr.Domain.Tests.Units;

public class ByteSizeTests
{
    [Theory]
    [InlineData("4096", 4096UL)]
    [InlineData("0x1000", 4096UL)]
    [InlineData("4K", 4096UL)]
    [InlineData("4k", 4096UL)]
    [InlineData("4KiB", 4096UL)]
    [InlineData("2M", 2UL << 20)]
    [InlineData("1G", 1UL << 30)]
    [InlineData("1T", 1UL << 40)]
    [InlineData("0", 0UL)]
    public void Parses(string text, ulong expected)
    {
        Assert.True(ByteSize.TryParse(text, out var v));
        Assert.Equal(expected, v);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5K")]
    [InlineData("99999999999T")]
    [InlineData("0x")]
    public void Refuses(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Theory]
    [InlineData(65536UL, "64 KiB")]
    [InlineData(5000UL, "5000 B")]
    [InlineData(8UL << 30, "8 GiB")]
    public void Formats(ulong bytes, string expected) => Assert.Equal(expected, ByteSize.Format(bytes));
}
