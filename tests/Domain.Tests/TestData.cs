namespace Phyr.Domain.Tests;

internal static class TestData
{
    /// <summary>The repository root (where Phyr.sln is), found from the test binary's folder.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Phyr.sln"))) return dir.FullName;
            throw new InvalidOperationException("Phyr.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Layout(string name) => Path.Combine(RepoRoot, "data", "layouts", name);
}
