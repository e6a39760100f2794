using System.Net;
using System.Net.Sockets;
using Factory.Cli;
using Npgsql;
using Spectre.Console;

namespace Factory.Storage.Tests;

[Collection(PostgresCollection.Name)]
public sealed class DbInitCommandTests(PostgresServer server)
{
    [Fact]
    public async Task DbInitPrintsTheScriptsItAppliesAndASecondRunAppliesNothing()
    {
        var connection = await server.CreateDatabaseAsync();

        var first = await InvokeAsync("db", "init", "--connection", connection);
        var second = await InvokeAsync("db", "init", "--connection", connection);

        Assert.True(first.Exit == ExitCodes.Success, first.Err);
        Assert.Contains("applied 001_journal.sql", first.Out, StringComparison.Ordinal);
        Assert.Contains("applied 002_artifacts.sql", first.Out, StringComparison.Ordinal);
        Assert.Contains("applied 005_orleans_reminders.sql", first.Out, StringComparison.Ordinal);
        Assert.Contains("applied 006_orleans_streams.sql", first.Out, StringComparison.Ordinal);
        Assert.Contains("applied 007_lz4_compression.sql", first.Out, StringComparison.Ordinal);
        Assert.Contains("7 script(s) applied", first.Out, StringComparison.Ordinal);
        Assert.True(second.Exit == ExitCodes.Success, second.Err);
        Assert.DoesNotContain("applied 0", second.Out, StringComparison.Ordinal);
        Assert.Contains("nothing to apply", second.Out, StringComparison.Ordinal);
        await using var dataSource = NpgsqlDataSource.Create(connection);
        await using var count = dataSource.CreateCommand("select count(*) from factory_schema_version");
        Assert.Equal(7L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task DbInitAgainstAnUnreachableServerExitsOneNamingTheHost()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var result = await InvokeAsync("db", "init", "--connection", $"Host=127.0.0.1;Port={port};Database=factory;Username=factory;Timeout=5");

        Assert.Equal(1, result.Exit);
        Assert.Contains($"127.0.0.1:{port}", result.Err, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task DbInitWithAMalformedConnectionStringExitsOne()
    {
        var result = await InvokeAsync("db", "init", "--connection", "Host=127.0.0.1;NoSuchSetting=1");

        Assert.Equal(1, result.Exit);
        Assert.Contains("connection string is not valid", result.Err, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Out, string Err)> InvokeAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var exit = await CliApp.InvokeAsync(args, Console(output), Console(error), timeout.Token);
        return (exit, output.ToString(), error.ToString());
    }

    private static IAnsiConsole Console(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 500;
        return console;
    }
}
