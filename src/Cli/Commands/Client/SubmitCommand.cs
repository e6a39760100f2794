using System.CommandLine;
using Factory.Cli.Client;
using Spectre.Console;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Commands.Client;

/// <summary>
/// <c>factory submit BLUEPRINT.yaml | --registered NAME@VERSION | --prompt TEXT [--idempotency-key K] [--watch]</c>: submits a run
/// to the gateway and prints its run id and trace id; with <c>--watch</c>, follows it to its end and exits as
/// <c>factory run</c> does.
/// </summary>
internal static class SubmitCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var blueprint = new Argument<FileInfo?>("blueprint") { Description = "The blueprint YAML file.", Arity = ArgumentArity.ZeroOrOne };
        var registered = new Option<string?>("--registered") { Description = "Run a registered blueprint, name@version, instead of a file." };
        var prompt = new Option<string?>("--prompt") { Description = "Describe the service instead: the tenant's chat model plans the blueprint (needs an LLM endpoint configured for the tenant)." };
        var idempotencyKey = new Option<string?>("--idempotency-key") { Description = "The same key from the same tenant returns the same run." };
        var watch = new Option<bool>("--watch", "-w") { Description = "Follow the run to its end; exit 0 (succeeded), 1 (failed), 3 (blocked)." };
        var command = new Command("submit", "Submit a run to the gateway.") { blueprint, registered, prompt, idempotencyKey, watch };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(blueprint);
            var name = parse.GetValue(registered);
            var text = parse.GetValue(prompt);
            if ((file is null ? 0 : 1) + (string.IsNullOrEmpty(name) ? 0 : 1) + (string.IsNullOrEmpty(text) ? 0 : 1) != 1)
            {
                errors.MarkupLine("[red]Give one of: a blueprint file, --registered name@version, or --prompt \"text\".[/]");
                return ExitCodes.InvalidInput;
            }

            var request = new V1.SubmitRunRequest { IdempotencyKey = parse.GetValue(idempotencyKey) ?? "" };
            if (file is not null)
            {
                if (!file.Exists)
                {
                    errors.MarkupLine($"[red]{Markup.Escape(file.FullName)}: no such file.[/]");
                    return ExitCodes.InvalidInput;
                }

                request.Yaml = await File.ReadAllTextAsync(file.FullName, cancellationToken);
            }
            else if (!string.IsNullOrEmpty(name))
            {
                request.Registered = name;
            }
            else
            {
                request.Prompt = text;
            }

            return await GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
            {
                var submitted = await connection.Runs.SubmitRunAsync(request, cancellationToken: cancellationToken);
                console.WriteLine($"run {submitted.RunId}");
                console.WriteLine($"trace {submitted.TraceId}");
                if (submitted.Existing)
                {
                    console.WriteLine("(an earlier run with this idempotency key)");
                }

                if (!parse.GetValue(watch))
                {
                    return ExitCodes.Success;
                }

                var run = await WatchToEndAsync(connection, submitted.RunId, console, errors, cancellationToken);
                return run.Status == V1.RunStatus.Running ? ExitCodes.RunFailed : ProtoViews.ExitCode(run.Status);
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// Follows a run as <c>factory run</c> shows it (the live grid when interactive, one line per step otherwise),
    /// then prints its state and returns it (still running when the watch ended without the run's end).
    /// </summary>
    internal static async Task<V1.Run> WatchToEndAsync(GatewayConnection connection, string runId, IAnsiConsole console, IAnsiConsole errors, CancellationToken cancellationToken)
    {
        var runs = connection.Runs;
        var view = new RunProgressView(ProtoViews.ToTasks(await runs.GetRunAsync(new V1.GetRunRequest { RunId = runId }, cancellationToken: cancellationToken)));
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Live(view.Render()).AutoClear(false).StartAsync(async live =>
                await RunWatch.FollowAsync(runs, runId, 0, e =>
                {
                    view.Apply(ProtoViews.ToEvent(e));
                    live.UpdateTarget(view.Render());
                    return Task.CompletedTask;
                }, errors, cancellationToken));
        }
        else
        {
            await RunWatch.FollowAsync(runs, runId, 0, e =>
            {
                if (view.Apply(ProtoViews.ToEvent(e)) is { } line)
                {
                    console.WriteLine($"[{e.Sequence,4}] {line}");
                }

                return Task.CompletedTask;
            }, errors, cancellationToken);
        }

        var run = await runs.GetRunAsync(new V1.GetRunRequest { RunId = runId }, cancellationToken: cancellationToken);
        ProtoViews.Print(console, run);
        return run;
    }
}
