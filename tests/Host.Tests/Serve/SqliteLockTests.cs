using Microsoft.Data.Sqlite;
using Phyr.Host.Service;
using Phyr.Tests.Shared;

namespace Phyr.Host.Tests.Serve;

/// <summary>The SQLite file locked by another process at start-up: one line, no start.</summary>
public class SqliteLockTests() : TempDirectory("phyr-lock")
{
    [Fact]
    public void A_database_another_process_holds_the_write_lock_of_is_named()
    {
        Directory.CreateDirectory(_dir);
        var cs = $"Data Source={Path.Combine(_dir, "phyr.db")}";
        Assert.Null(SqliteLock.Problem(cs, TimeSpan.FromMilliseconds(200)));
        using var holder = new SqliteConnection(cs + ";Pooling=False");
        holder.Open();
        using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }
        var problem = SqliteLock.Problem(cs, TimeSpan.FromMilliseconds(200));
        Assert.NotNull(problem);
        Assert.Contains("is locked by another process", problem);
        // phyr serve says so and does not start.
        var r = CliRunner.Run("serve", "--data", _dir, "--urls", "http://127.0.0.1:0");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("phyr serve: Persistence: ", r.Stderr);
        Assert.Contains("phyr.db is locked by another process", r.Stderr);
    }
}
