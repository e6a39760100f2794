using System.Diagnostics;
using Spectre.Console;

namespace Factory.Cli.Tests;

/// <summary>Runs the real <c>factory</c> command in-process with captured, non-interactive consoles.</summary>
public static class CliHarness
{
    public static string Sample(string name) => RepositoryPaths.Sample(name);

    public static async Task<(int Exit, string Out, string Err)> InvokeAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var exit = await CliApp.InvokeAsync(args, Console(output), Console(error), timeout.Token);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs a process to completion (with a timeout) and returns its exit code and output.</summary>
    public static async Task<(int Exit, string Output)> RunProcessAsync(string fileName, string arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {arguments}' did not finish within {timeout}.");
        }

        return (process.ExitCode, await stdout + await stderr);
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
        console.Profile.Width = 500; // no wrapping: assertions read whole lines
        return console;
    }
}
