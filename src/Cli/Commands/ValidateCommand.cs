using System.CommandLine;
using Spectre.Console;

namespace Factory.Cli.Commands;

/// <summary><c>factory validate BLUEPRINT</c>: checks a blueprint and prints its canonical hash or every problem.</summary>
internal static class ValidateCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var blueprint = new Argument<FileInfo>("blueprint") { Description = "The blueprint YAML file." };
        var command = new Command("validate", "Check a blueprint and print its canonical hash, or every problem with its location.") { blueprint };
        command.SetAction(parse =>
        {
            var loaded = BlueprintInput.Load(parse.GetValue(blueprint)!, errors);
            if (loaded?.Blueprint is not { } valid)
            {
                return ExitCodes.InvalidInput;
            }

            console.MarkupLine($"[green]valid[/] {Markup.Escape(valid.Metadata.Name)}@{Markup.Escape(valid.Metadata.Version)}: {valid.Modules.Count} module(s), sha256 {loaded.Hash}");
            return ExitCodes.Success;
        });
        return command;
    }
}
