using Factory.Blueprints;
using Spectre.Console;

namespace Factory.Cli.Commands;

/// <summary>Loads a blueprint file for a verb and prints every problem with its location.</summary>
internal static class BlueprintInput
{
    /// <summary>The valid blueprint, or null after printing its problems to <paramref name="errors"/>.</summary>
    public static BlueprintLoadResult? Load(FileInfo file, IAnsiConsole errors)
    {
        var result = BlueprintLoader.LoadFile(file.FullName);
        if (result.IsValid)
        {
            return result;
        }

        var count = result.Problems.Count;
        errors.MarkupLine($"[red]{Markup.Escape(file.FullName)}: {count} problem{(count == 1 ? "" : "s")}; nothing was started.[/]");
        foreach (var p in result.Problems)
        {
            errors.MarkupLine($"  {Markup.Escape(file.Name)}:{p.Line}:{p.Column}: [yellow]{Markup.Escape(p.Path)}[/]: {Markup.Escape(p.Message)} [grey]{Markup.Escape(p.Code)}[/]");
        }

        return null;
    }
}
