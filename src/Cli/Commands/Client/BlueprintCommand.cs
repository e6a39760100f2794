using System.CommandLine;
using System.Globalization;
using Factory.Cli.Client;
using Spectre.Console;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Commands.Client;

/// <summary><c>factory blueprint register FILE | list | get NAME@VERSION</c>: the tenant's blueprint registry.</summary>
internal static class BlueprintCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors) =>
        new("blueprint", "The tenant's blueprint registry on the gateway.")
        {
            Register(console, errors),
            List(console, errors),
            Get(console, errors),
        };

    private static Command Register(IAnsiConsole console, IAnsiConsole errors)
    {
        var file = new Argument<FileInfo>("file") { Description = "The blueprint YAML file." };
        var command = new Command("register", "Register a blueprint under its name and version (immutable once registered).") { file };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                errors.MarkupLine($"[red]{Markup.Escape(path.FullName)}: no such file.[/]");
                return ExitCodes.InvalidInput;
            }

            var yaml = await File.ReadAllTextAsync(path.FullName, cancellationToken);
            return await GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
            {
                var info = await connection.Blueprints.RegisterBlueprintAsync(new V1.RegisterBlueprintRequest { Yaml = yaml }, cancellationToken: cancellationToken);
                console.WriteLine($"registered {info.Name}@{info.Version} sha256 {info.Sha256}");
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command List(IAnsiConsole console, IAnsiConsole errors)
    {
        var command = new Command("list", "List the registered blueprints.");
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) => GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
        {
            var listed = await connection.Blueprints.ListBlueprintsAsync(new V1.ListBlueprintsRequest(), cancellationToken: cancellationToken);
            var table = new Table().AddColumn("name").AddColumn("version").AddColumn("sha256").AddColumn("registered");
            foreach (var info in listed.Blueprints)
            {
                table.AddRow(Markup.Escape(info.Name), Markup.Escape(info.Version), info.Sha256, Registered(info));
            }

            console.Write(table);
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command Get(IAnsiConsole console, IAnsiConsole errors)
    {
        var reference = new Argument<string>("name@version") { Description = "The registered blueprint, e.g. todo-service@1.0.0." };
        var command = new Command("get", "Show a registered blueprint and its canonical JSON.") { reference };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var text = parse.GetValue(reference)!;
            var at = text.LastIndexOf('@');
            if (at <= 0 || at == text.Length - 1)
            {
                errors.MarkupLine($"[red]'{Markup.Escape(text)}' is not name@version.[/]");
                return Task.FromResult(ExitCodes.InvalidInput);
            }

            return GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
            {
                var info = await connection.Blueprints.GetBlueprintAsync(
                    new V1.GetBlueprintRequest { Name = text[..at], Version = text[(at + 1)..] }, cancellationToken: cancellationToken);
                console.WriteLine($"{info.Name}@{info.Version} sha256 {info.Sha256} registered {Registered(info)}");
                console.Profile.Out.Writer.WriteLine(info.CanonicalJson);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static string Registered(V1.BlueprintInfo info) =>
        info.RegisteredAt?.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) ?? "";
}
