using System.CommandLine;
using Factory.Cli.Commands;
using Factory.Cli.Commands.Client;
using Spectre.Console;

namespace Factory.Cli;

/// <summary>The <c>factory</c> command line: its verbs and how they are invoked.</summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/> and runs the verb; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">Where results and the live display go.</param>
    /// <param name="errors">Where problems go.</param>
    /// <param name="cancellationToken">Stops the verb.</param>
    public static async Task<int> InvokeAsync(string[] args, IAnsiConsole console, IAnsiConsole errors, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("Factory: turns a blueprint into a validated, traceable software delivery.")
        {
            RunCommand.Create(console, errors),
            ValidateCommand.Create(console, errors),
            BundleCommand.Create(console, errors),
            ReplayCommand.Create(console, errors),
            DiffCommand.Create(console, errors),
            SubmitCommand.Create(console, errors),
            WatchCommand.Create(console, errors),
            RunVerbs.Get(console, errors),
            RunVerbs.List(console, errors),
            RunVerbs.Cancel(console, errors),
            ArtifactsCommand.Create(console, errors),
            RunVerbs.Feedback(console, errors),
            BlueprintCommand.Create(console, errors),
            TenantCommand.Create(console, errors),
            DbCommand.Create(console, errors),
        };

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        if (output.GetStringBuilder().Length > 0)
        {
            console.Write(new Text(output.ToString()));
        }

        if (error.GetStringBuilder().Length > 0)
        {
            errors.Write(new Text(error.ToString()));
            return exit == 0 ? ExitCodes.InvalidInput : exit;
        }

        return exit;
    }

    /// <summary>A console on standard error, for problems and logs.</summary>
    public static IAnsiConsole StandardError() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
}
