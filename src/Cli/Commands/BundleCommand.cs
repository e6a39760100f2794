using System.CommandLine;
using Factory.Bundles;
using Factory.Cli.Bundles;
using Spectre.Console;

namespace Factory.Cli.Commands;

/// <summary><c>factory bundle RUN [--out FILE]</c>: exports a saved run's trace bundle from the run library.</summary>
internal static class BundleCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var run = new Argument<string>("run") { Description = "A saved run's id, or a prefix that names exactly one." };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Where to write the bundle (default: {runId}.zip in the current folder)." };
        var runs = new Option<DirectoryInfo?>("--runs") { Description = "Run library folder (default: factory/runs under the user's local data folder)." };
        var command = new Command("bundle", "Export a saved run's trace bundle: manifest, canonical blueprint, ordered events and artifacts.")
        {
            run, output, runs,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var library = RunLibrary.For(parse.GetValue(runs)?.FullName, null);
            var reference = parse.GetValue(run)!;
            string source;
            try
            {
                source = library.Find(reference);
            }
            catch (RunNotInLibraryException ex)
            {
                errors.MarkupLine($"[red]{Markup.Escape(ex.Message)}.[/]");
                return ExitCodes.InvalidInput;
            }

            if (await BundleInput.OpenAsync(source, null, errors, cancellationToken) is not { } bundle)
            {
                return ExitCodes.InvalidInput;
            }

            var target = parse.GetValue(output)?.FullName ?? Path.GetFullPath(bundle.Manifest.RunId + RunLibrary.Extension);
            await TraceBundleFile.WriteAsync(target, bundle, cancellationToken);
            var m = bundle.Manifest;
            console.MarkupLine($"Run [bold]{m.RunId}[/] of {Markup.Escape(m.Blueprint.Name)}@{Markup.Escape(m.Blueprint.Version)} ({m.Status}, {m.Artifacts.Count} artifacts, {m.EventCount} events) written to {Markup.Escape(target)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
