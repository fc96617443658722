using Microsoft.Data.Sqlite;

namespace Phyr.Host.Service;

/// <summary>
/// Whether another process holds the SQLite database's write lock at start-up (a tool with a transaction open, a
/// backup): the host would start and then fail every write, so `phyr serve` refuses to start with one line instead.
/// </summary>
public static class SqliteLock
{
    /// <summary>The problem with <paramref name="connectionString"/>'s database, or null when it can be written.</summary>
    public static string? Problem(string connectionString, TimeSpan wait)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        try
        {
            // Microsoft.Data.Sqlite retries a busy database for the command timeout: the wait is that timeout, in seconds.
            var probe = new SqliteConnectionStringBuilder(connectionString) { Pooling = false, DefaultTimeout = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) };
            using var c = new SqliteConnection(probe.ConnectionString);
            c.Open();
            using var write = c.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the write lock, or SQLITE_BUSY
            write.Rollback();
            return null;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            return $"{file} is locked by another process (another phyr serve on this data directory, or a tool holding a transaction)";
        }
        catch (SqliteException e)
        {
            return $"{file}: cannot be opened: {e.Message}";
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }
}
