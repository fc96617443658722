using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Npgsql;
using Phyr.Host.Service.Clustering;

namespace Phyr.Host.Tests.Serve;

/// <summary>The split-brain resolver's lease in the shared database: one owner at a time; a dead owner's lease lapses; a live one's does not.</summary>
public sealed class PostgresLeaseTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("lease-test");

    public void Dispose() => _system.Dispose();

    private PostgresLease Lease(string connection, string owner, int ttlSeconds = 2) =>
        new(new LeaseSettings("phyr-test-sbr", owner, new TimeoutSettings(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(ttlSeconds), TimeSpan.FromSeconds(5)),
            ConfigurationFactory.ParseString($"connection-string = {System.Text.Json.JsonSerializer.Serialize(connection)}")), _system);

    [PostgresFact]
    public async Task One_owner_at_a_time_and_a_live_owner_keeps_it()
    {
        await using var database = Databases.NewPostgres();
        var connection = database.ConnectionString;
        using var a = Lease(connection, "127.0.0.1:4201");
        using var b = Lease(connection, "127.0.0.1:4202");
        Assert.True(await a.Acquire());
        Assert.True(a.CheckLease());
        Assert.True(await a.Acquire()); // its own: taken again
        // b waits once for the expiry, but a renews it meanwhile (every 200 ms): b does not get it.
        Assert.False(await b.Acquire());
        Assert.False(b.CheckLease());
        Assert.True(a.CheckLease());
        Assert.True(await a.Release());
        Assert.False(a.CheckLease());
        Assert.True(await b.Acquire());
        Assert.False(await a.Acquire());
    }

    [PostgresFact]
    public async Task A_dead_owners_lease_lapses_and_the_other_takes_it()
    {
        await using var database = Databases.NewPostgres();
        var connection = database.ConnectionString;
        using var b = Lease(connection, "127.0.0.1:4202");
        Assert.True(await b.Acquire()); // makes the table
        Assert.True(await b.Release());
        // a took it and died (SIGKILL: no release, no renewal): its row says 1.5 s more.
        await using (var db = new NpgsqlConnection(connection))
        {
            await db.OpenAsync();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO phyr_lease (name, owner, expires_at) VALUES ('phyr-test-sbr', '127.0.0.1:4201', now() + interval '1.5 seconds')", db);
            await insert.ExecuteNonQueryAsync();
        }
        var lost = false;
        Assert.True(await b.Acquire(_ => lost = true));
        Assert.True(b.CheckLease());
        // Someone else overwrote it (never by this class, which only takes expired or own rows): b hears it lost.
        await using (var db = new NpgsqlConnection(connection))
        {
            await db.OpenAsync();
            await using var steal = new NpgsqlCommand("UPDATE phyr_lease SET owner = 'thief' WHERE name = 'phyr-test-sbr'", db);
            await steal.ExecuteNonQueryAsync();
        }
        for (var i = 0; i < 50 && !lost; i++) await Task.Delay(100);
        Assert.True(lost);
        Assert.False(b.CheckLease());
    }
}
