using System.Net.Sockets;
using Factory.Storage.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Factory.Silo;

/// <summary>
/// PostgreSQL mode's first start-up step, run before any hosted service starts (the silo included): connects,
/// applies the schema scripts not yet applied, and stops the host with a message naming the setting and
/// host:port when the server cannot be reached or the schema cannot be applied.
/// </summary>
internal sealed partial class PostgresSchemaStartup(NpgsqlDataSource dataSource, ILogger<PostgresSchemaStartup> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        var server = $"{settings.Host}:{settings.Port}";
        IReadOnlyList<string> applied;
        try
        {
            applied = await FactorySchema.ApplyAsync(dataSource, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"{FactoryHostOptions.Section}:Postgres:ConnectionString: cannot use the PostgreSQL server at {server} (database '{settings.Database}'): {ex.Message}", ex);
        }

        if (applied.Count == 0)
        {
            LogSchemaCurrent(server, settings.Database);
        }
        else
        {
            LogSchemaApplied(server, settings.Database, string.Join(", ", applied));
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
