namespace Phyr.Host.Tests.Serve;

/// <summary>A test class with its own temporary folder (a data directory), removed afterwards.</summary>
public abstract class TempDirectory(string prefix) : IDisposable
{
    protected readonly string _dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Not there (a test that wrote nothing), or a SQLite file still held for a moment by a pooled connection.
        }
        GC.SuppressFinalize(this);
    }
}
