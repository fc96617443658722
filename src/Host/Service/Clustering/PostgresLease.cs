using System.Diagnostics;
using Akka.Actor;
using Akka.Coordination;
using Akka.Event;
using Npgsql;

namespace Phyr.Host.Service.Clustering;

/// <summary>
/// An Akka.Coordination lease kept in the cluster's shared PostgreSQL database — the one place every node reaches
/// and none is partitioned from but by its own failure — so that the split-brain resolver's lease-majority
/// strategy can decide between two halves of equal size (a two-node cluster losing one node): the half that holds
/// the lease stays, the other downs itself. A row per lease (<c>phyr_lease</c>: name, owner, expiry by the
/// database's clock); the holder renews it every heartbeat-interval; a holder that dies loses it after
/// heartbeat-timeout. Acquiring a lease held by another waits, once, until its expiry: a dead holder's lapses and
/// the lease is taken; a live one renews it, and the acquire fails.
/// </summary>
public sealed class PostgresLease : Lease, IDisposable
{
    /// <summary>The HOCON path of this lease's settings (lease-class, connection-string, timeouts).</summary>
    public const string ConfigPath = "phyr.postgres-lease";

    private readonly string _connection;
    private readonly ILoggingAdapter _log;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _operation;
    // When the holder last sent a statement that took or renewed the lease (before it was sent: the database's
    // expiry counts from when it ran the statement, which is no earlier).
    private long _renewedAt;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Timer? _heartbeat;
    private Action<Exception>? _lost;
    private volatile bool _held;
    private int _tableMade;

    public PostgresLease(LeaseSettings settings, ActorSystem system) : base(settings)
    {
        _connection = settings.LeaseConfig.GetString("connection-string", "");
        if (_connection.Length == 0) throw new ArgumentException($"{ConfigPath}.connection-string must be set");
        _ttl = settings.TimeoutSettings.HeartbeatTimeout;
        _operation = settings.TimeoutSettings.OperationTimeout;
        _log = Logging.GetLogger(system, typeof(PostgresLease));
        // Akka never disposes a lease: stop renewing when the system ends (the process may live on, as in tests).
        system.WhenTerminated.ContinueWith(_ => Dispose(), TaskScheduler.Default);
    }

    public override Task<bool> Acquire() => Acquire(_ => { });

    public override async Task<bool> Acquire(Action<Exception> leaseLostCallback)
    {
        _lost = leaseLostCallback;
        var sent = Stopwatch.GetTimestamp();
        if (await TryTake().ConfigureAwait(false) is not { } remaining) return Held(sent);
        // Held by another: wait for its expiry once. A live holder will have renewed it by then.
        if (remaining > _ttl) return false;
        _log.Info("Lease {0} is held by another owner for {1:F1} s more: waiting once", Settings.LeaseName, remaining.TotalSeconds);
        await Task.Delay(remaining + TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
        sent = Stopwatch.GetTimestamp();
        return await TryTake().ConfigureAwait(false) is null && Held(sent);
    }

    public override async Task<bool> Release()
    {
        StopHeartbeat();
        _held = false;
        await using var db = await Open().ConfigureAwait(false);
        await using var delete = Command(db, "DELETE FROM phyr_lease WHERE name = @name AND owner = @owner");
        await delete.ExecuteNonQueryAsync().ConfigureAwait(false);
        return true;
    }

    public override bool CheckLease() => _held && Stopwatch.GetElapsedTime(Interlocked.Read(ref _renewedAt)) < _ttl;

    public void Dispose()
    {
        StopHeartbeat();
        _gate.Dispose();
    }

    private bool Held(long sent)
    {
        _held = true;
        Interlocked.Exchange(ref _renewedAt, sent);
        var every = Settings.TimeoutSettings.HeartbeatInterval;
        _heartbeat ??= new Timer(_ => _ = Renew(), null, every, every);
        return true;
    }

    /// <summary>Takes the lease if it is free, expired or ours: null when taken, else how long the other holder still has it.</summary>
    private async Task<TimeSpan?> TryTake()
    {
        await using var db = await Open().ConfigureAwait(false);
        await using var take = Command(db, """
            INSERT INTO phyr_lease (name, owner, expires_at) VALUES (@name, @owner, now() + @ttl)
            ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
              WHERE phyr_lease.owner = EXCLUDED.owner OR phyr_lease.expires_at < now()
            RETURNING owner
            """);
        if (await take.ExecuteScalarAsync().ConfigureAwait(false) is not null) return null;
        await using var left = Command(db, "SELECT GREATEST(0, EXTRACT(EPOCH FROM expires_at - now()))::float8 FROM phyr_lease WHERE name = @name");
        return await left.ExecuteScalarAsync().ConfigureAwait(false) is double s ? TimeSpan.FromSeconds(s) : TimeSpan.Zero;
    }

    private async Task Renew()
    {
        if (!_held || !await _gate.WaitAsync(0).ConfigureAwait(false)) return;
        try
        {
            var sent = Stopwatch.GetTimestamp();
            await using var db = await Open().ConfigureAwait(false);
            await using var renew = Command(db, "UPDATE phyr_lease SET expires_at = now() + @ttl WHERE name = @name AND owner = @owner");
            if (await renew.ExecuteNonQueryAsync().ConfigureAwait(false) == 1) Interlocked.Exchange(ref _renewedAt, sent);
            else Lose(new LeaseException($"lease {Settings.LeaseName} was taken by another owner"));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // Not reachable now: still held until the ttl runs out since the last renewal.
            if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _renewedAt)) >= _ttl) Lose(new LeaseException($"lease {Settings.LeaseName} could not be renewed: {e.Message}"));
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Lose(Exception why)
    {
        if (!_held) return;
        _held = false;
        StopHeartbeat();
        _log.Warning("Lost lease {0}: {1}", Settings.LeaseName, why.Message);
        _lost?.Invoke(why);
    }

    private void StopHeartbeat()
    {
        _heartbeat?.Dispose();
        _heartbeat = null;
    }

    private async Task<NpgsqlConnection> Open()
    {
        var db = new NpgsqlConnection(_connection);
        try
        {
            using var timeout = new CancellationTokenSource(_operation);
            await db.OpenAsync(timeout.Token).ConfigureAwait(false);
            if (Volatile.Read(ref _tableMade) == 0)
            {
                await using var create = new NpgsqlCommand(
                    "CREATE TABLE IF NOT EXISTS phyr_lease (name text PRIMARY KEY, owner text NOT NULL, expires_at timestamptz NOT NULL)", db);
                try
                {
                    await create.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
                {
                    // Another node made it at the same moment (IF NOT EXISTS is not atomic in PostgreSQL).
                }
                Volatile.Write(ref _tableMade, 1); // only once it exists: a failed attempt is tried again next time
            }
            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private NpgsqlCommand Command(NpgsqlConnection db, string sql)
    {
        var c = new NpgsqlCommand(sql, db) { CommandTimeout = Math.Max(1, (int)Math.Ceiling(_operation.TotalSeconds)) };
        c.Parameters.AddWithValue("name", Settings.LeaseName);
        if (sql.Contains("@owner", StringComparison.Ordinal)) c.Parameters.AddWithValue("owner", Settings.OwnerName);
        if (sql.Contains("@ttl", StringComparison.Ordinal)) c.Parameters.AddWithValue("ttl", _ttl);
        return c;
    }
}
