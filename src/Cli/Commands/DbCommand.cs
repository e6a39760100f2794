using System.CommandLine;
using System.Net.Sockets;
using Factory.Storage.Postgres;
using Npgsql;
using Spectre.Console;

namespace Factory.Cli.Commands;

/// <summary><c>factory db init --connection CONNSTRING</c>: applies Factory's PostgreSQL schema scripts not yet applied.</summary>
internal static class DbCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors) =>
        new("db", "Factory's PostgreSQL database.") { Init(console, errors) };

    private static Command Init(IAnsiConsole console, IAnsiConsole errors)
    {
        var connection = new Option<string>("--connection")
        {
            Description = "The Npgsql connection string, e.g. \"Host=db;Port=5432;Database=factory;Username=factory;Password=...\".",
            Required = true,
        };
        var command = new Command("init", "Apply the schema scripts not yet applied (idempotent) and print their names.") { connection };
        command.SetAction(async (parse, cancellationToken) =>
        {
            NpgsqlConnectionStringBuilder settings;
            try
            {
                settings = new NpgsqlConnectionStringBuilder(parse.GetValue(connection)!);
            }
            catch (ArgumentException e)
            {
                errors.WriteLine($"error: the connection string is not valid: {e.Message}");
                return ExitCodes.RunFailed;
            }

            var server = string.IsNullOrEmpty(settings.Host) ? "(no host)" : $"{settings.Host}:{settings.Port}";
            try
            {
                await using var dataSource = NpgsqlDataSource.Create(settings);
                var applied = await FactorySchema.ApplyAsync(dataSource, cancellationToken);
                foreach (var name in applied)
                {
                    console.WriteLine($"applied {name}");
                }

                console.WriteLine(applied.Count == 0
                    ? $"schema of {settings.Database} on {server} is current: nothing to apply"
                    : $"schema of {settings.Database} on {server}: {applied.Count} script(s) applied");
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or ArgumentException or InvalidOperationException)
            {
                errors.WriteLine($"error: cannot initialize the database on PostgreSQL server {server}: {Root(e).Message}");
                return ExitCodes.RunFailed;
            }
        });
        return command;
    }

    private static Exception Root(Exception e) => e is NpgsqlException { InnerException: { } inner } and not PostgresException ? inner : e;
}
