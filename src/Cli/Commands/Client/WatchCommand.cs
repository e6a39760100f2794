using System.CommandLine;
using Factory.Cli.Client;
using Google.Protobuf;
using Spectre.Console;

namespace Factory.Cli.Commands.Client;

/// <summary>
/// <c>factory watch RUN [--from N] [--json]</c>: streams a run's trace to its end, one line per event (or one JSON
/// object per line), reconnecting from the last sequence + 1 when the stream drops.
/// </summary>
internal static class WatchCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var run = new Argument<string>("run") { Description = "The run id." };
        var from = new Option<long>("--from") { Description = "The first sequence number to show (default 0)." };
        var json = new Option<bool>("--json") { Description = "Print each event as a JSON object, one per line." };
        var command = new Command("watch", "Stream a run's trace to its end; exits as the run ended (0, 1, 3).") { run, from, json };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var runId = parse.GetValue(run)!;
            var start = parse.GetValue(from);
            if (start < 0)
            {
                errors.MarkupLine("[red]--from must be 0 or more.[/]");
                return ExitCodes.InvalidInput;
            }

            var asJson = parse.GetValue(json);
            return await GatewayConnection.RunAsync(parse, gateway, errors, runId, async connection =>
            {
                var terminal = await RunWatch.FollowAsync(connection.Runs, runId, start, e =>
                {
                    console.Profile.Out.Writer.WriteLine(asJson ? JsonFormatter.Default.Format(e) : ProtoViews.Line(e));
                    return Task.CompletedTask;
                }, errors, cancellationToken);
                if (terminal is not null)
                {
                    return RunWatch.ExitCode(terminal.Type);
                }

                // Started past the terminal event: the run's status says how it ended.
                var state = await connection.Runs.GetRunAsync(new Gateway.V1.GetRunRequest { RunId = runId }, cancellationToken: cancellationToken);
                return ProtoViews.ExitCode(state.Status);
            }, cancellationToken);
        });
        return command;
    }
}
