using System.CommandLine;
using System.Globalization;
using Factory.Cli.Client;
using Spectre.Console;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Commands.Client;

/// <summary>
/// <c>factory tenant create ID --edition E | edition ID E | key issue ID | key revoke ID KEYID | list</c>: tenant
/// administration, with the operator's key.
/// </summary>
internal static class TenantCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors) =>
        new("tenant", "Tenant administration on the gateway (the operator's key).")
        {
            CreateTenant(console, errors),
            Edition(console, errors),
            new Command("key", "A tenant's API keys.") { IssueKey(console, errors), RevokeKey(console, errors) },
            List(console, errors),
        };

    private static Command CreateTenant(IAnsiConsole console, IAnsiConsole errors)
    {
        var id = new Argument<string>("id") { Description = "The tenant id: 1-63 lower-case letters, digits and '-', starting with a letter." };
        var edition = new Option<string>("--edition") { Description = "Its edition (e.g. free, pro, enterprise).", Required = true };
        var command = new Command("create", "Create a tenant with an edition.") { id, edition };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) => GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
        {
            var tenant = await connection.Operators.CreateTenantAsync(
                new V1.CreateTenantRequest { TenantId = parse.GetValue(id)!, Edition = parse.GetValue(edition)! }, cancellationToken: cancellationToken);
            console.WriteLine($"tenant {tenant.TenantId} created, edition {tenant.Edition}");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command Edition(IAnsiConsole console, IAnsiConsole errors)
    {
        var id = new Argument<string>("id") { Description = "The tenant id." };
        var edition = new Argument<string>("edition") { Description = "The new edition." };
        var command = new Command("edition", "Move a tenant to another edition.") { id, edition };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) => GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
        {
            var tenant = await connection.Operators.SetEditionAsync(
                new V1.SetEditionRequest { TenantId = parse.GetValue(id)!, Edition = parse.GetValue(edition)! }, cancellationToken: cancellationToken);
            console.WriteLine($"tenant {tenant.TenantId}: edition {tenant.Edition}");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command IssueKey(IAnsiConsole console, IAnsiConsole errors)
    {
        var id = new Argument<string>("id") { Description = "The tenant id." };
        var command = new Command("issue", "Issue an API key bound to a tenant; its secret is shown this once.") { id };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) => GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
        {
            var issued = await connection.Operators.IssueApiKeyAsync(new V1.IssueApiKeyRequest { TenantId = parse.GetValue(id)! }, cancellationToken: cancellationToken);
            console.WriteLine($"key id {issued.KeyId}");
            console.WriteLine($"secret {issued.Secret}");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command RevokeKey(IAnsiConsole console, IAnsiConsole errors)
    {
        var id = new Argument<string>("id") { Description = "The tenant id." };
        var keyId = new Argument<string>("key-id") { Description = "The key's id." };
        var command = new Command("revoke", "Revoke a tenant's API key.") { id, keyId };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) => GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
        {
            await connection.Operators.RevokeApiKeyAsync(
                new V1.RevokeApiKeyRequest { TenantId = parse.GetValue(id)!, KeyId = parse.GetValue(keyId)! }, cancellationToken: cancellationToken);
            console.WriteLine($"key {parse.GetValue(keyId)} of tenant {parse.GetValue(id)} revoked");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command List(IAnsiConsole console, IAnsiConsole errors)
    {
        var command = new Command("list", "List the tenants, with what their runs cost in total.");
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) => GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
        {
            var listed = await connection.Operators.ListTenantsAsync(new V1.ListTenantsRequest(), cancellationToken: cancellationToken);
            var table = new Table().AddColumn("tenant").AddColumn("edition").AddColumn("keys").AddColumn("in flight").AddColumn("runs").AddColumn("cost").AddColumn("created");
            foreach (var tenant in listed.Tenants)
            {
                table.AddRow(
                    Markup.Escape(tenant.TenantId),
                    Markup.Escape(tenant.Edition),
                    tenant.ActiveKeys.ToString(CultureInfo.InvariantCulture),
                    tenant.RunsInFlight.ToString(CultureInfo.InvariantCulture),
                    tenant.RunsTotal.ToString(CultureInfo.InvariantCulture),
                    string.Create(CultureInfo.InvariantCulture, $"${tenant.CostUsd:0.######}"),
                    tenant.CreatedAt?.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) ?? "");
            }

            console.Write(table);
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
