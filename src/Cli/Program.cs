using Factory.Cli;
using Spectre.Console;

return await CliApp.InvokeAsync(args, AnsiConsole.Console, CliApp.StandardError());
