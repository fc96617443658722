namespace Phyr.Tests.Shared;

/// <summary>Paths inside the repository, found from the test binary's folder (linked into every test project).</summary>
internal static class RepoPaths
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Phyr.sln"))) return dir.FullName;
            throw new InvalidOperationException("Phyr.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A real layout shipped in data/layouts/.</summary>
    public static string Layout(string name) => Path.Combine(Root, "data", "layouts", name);
}
