using Factory.Bundles;
using Factory.Cli.Bundles;
using Spectre.Console;

namespace Factory.Cli.Commands;

/// <summary>Opens the bundle a verb names: a bundle file, or a run id (or unique prefix) in the run library.</summary>
internal static class BundleInput
{
    /// <summary>The bundle, or null after printing why it cannot be opened.</summary>
    /// <param name="reference">A bundle file path, or a run id or unique prefix of one.</param>
    /// <param name="library">The run library to look run ids up in, or null to accept files only.</param>
    /// <param name="errors">Where problems go.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    public static async Task<TraceBundle?> OpenAsync(string reference, RunLibrary? library, IAnsiConsole errors, CancellationToken cancellationToken)
    {
        try
        {
            var path = File.Exists(reference) || library is null ? reference : library.Find(reference);
            return await TraceBundleFile.ReadAsync(path, cancellationToken);
        }
        catch (RunNotInLibraryException ex)
        {
            errors.MarkupLine($"[red]{Markup.Escape(ex.Message)}; '{Markup.Escape(reference)}' is neither a bundle file nor a saved run.[/]");
        }
        catch (BundleFormatException ex)
        {
            errors.MarkupLine($"[red]Not a valid trace bundle: {Markup.Escape(ex.Message)}[/]");
        }
        catch (IOException ex)
        {
            errors.MarkupLine($"[red]Cannot read '{Markup.Escape(reference)}': {Markup.Escape(ex.Message)}[/]");
        }
        catch (UnauthorizedAccessException ex)
        {
            errors.MarkupLine($"[red]Cannot read '{Markup.Escape(reference)}': {Markup.Escape(ex.Message)}[/]");
        }

        return null;
    }
}
