namespace Phyr.Host.Tests.Serve;

/// <summary>The experiments the service tests submit.</summary>
internal static class TestExperiments
{
    /// <summary>Four points of 4 MiB: seconds.</summary>
    internal const string Small = """
        name = small
        scenario = gup-phyrs-1g-4k-b16
        base { region = 4M }
        axes {
          gup.batch = "16, 512"
          cpus = "1, 2"
        }
        """;

    /// <summary>40 points of 64 MiB: several seconds, long enough to be killed in the middle.</summary>
    internal const string Long = """
        name = long
        scenario = gup-phyrs-1g-4k-b16
        base { region = 64M }
        axes {
          cpus = "1, 2, 3, 4, 5, 6, 7, 8"
          gup.batch = "16, 32, 64, 128, 256"
        }
        """;
}
