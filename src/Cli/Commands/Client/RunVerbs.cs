using System.CommandLine;
using System.Globalization;
using Factory.Cli.Client;
using Google.Protobuf;
using Spectre.Console;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Commands.Client;

/// <summary>The gateway verbs on one run or the tenant's runs: <c>get</c>, <c>list</c>, <c>cancel</c>, <c>feedback</c>.</summary>
internal static class RunVerbs
{
    /// <summary><c>factory get RUN [--json]</c>: a run's status, tasks, gates and cost.</summary>
    public static Command Get(IAnsiConsole console, IAnsiConsole errors)
    {
        var run = new Argument<string>("run") { Description = "The run id." };
        var json = new Option<bool>("--json") { Description = "Print the run as JSON." };
        var command = new Command("get", "Show a run: status, tasks, gates and cost.") { run, json };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var runId = parse.GetValue(run)!;
            return GatewayConnection.RunAsync(parse, gateway, errors, runId, async connection =>
            {
                var state = await connection.Runs.GetRunAsync(new V1.GetRunRequest { RunId = runId }, cancellationToken: cancellationToken);
                if (parse.GetValue(json))
                {
                    console.Profile.Out.Writer.WriteLine(JsonFormatter.Default.Format(state));
                }
                else
                {
                    ProtoViews.Print(console, state);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    /// <summary><c>factory list [--status S] [--blueprint NAME] [--page-size N] [--page-token T] [--json]</c>: a page of the tenant's runs.</summary>
    public static Command List(IAnsiConsole console, IAnsiConsole errors)
    {
        var status = new Option<string?>("--status") { Description = "Only runs with this status: running, succeeded, failed, blocked or cancelled." };
        var blueprint = new Option<string?>("--blueprint") { Description = "Only runs of this blueprint name." };
        var pageSize = new Option<int>("--page-size") { Description = "At most this many runs (1..500; default 50)." };
        var pageToken = new Option<string?>("--page-token") { Description = "The next-page token a previous list printed." };
        var json = new Option<bool>("--json") { Description = "Print the page as JSON." };
        var command = new Command("list", "List the tenant's runs, newest first.") { status, blueprint, pageSize, pageToken, json };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var request = new V1.ListRunsRequest
            {
                PageSize = parse.GetValue(pageSize),
                PageToken = parse.GetValue(pageToken) ?? "",
                BlueprintName = parse.GetValue(blueprint) ?? "",
            };
            if (parse.GetValue(status) is { Length: > 0 } name)
            {
                if (ProtoViews.ParseStatus(name) is not { } parsed)
                {
                    errors.MarkupLine($"[red]--status '{Markup.Escape(name)}' is not one of running, succeeded, failed, blocked, cancelled.[/]");
                    return Task.FromResult(ExitCodes.InvalidInput);
                }

                request.Status = parsed;
            }

            return GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
            {
                var page = await connection.Runs.ListRunsAsync(request, cancellationToken: cancellationToken);
                if (parse.GetValue(json))
                {
                    console.Profile.Out.Writer.WriteLine(JsonFormatter.Default.Format(page));
                    return ExitCodes.Success;
                }

                var table = new Table().AddColumn("run").AddColumn("blueprint").AddColumn("status").AddColumn("submitted");
                foreach (var entry in page.Runs)
                {
                    table.AddRow(
                        Markup.Escape(entry.RunId),
                        Markup.Escape($"{entry.BlueprintName}@{entry.BlueprintVersion}"),
                        ProtoViews.Name(entry.Status),
                        entry.SubmittedAt?.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) ?? "");
                }

                console.Write(table);
                console.WriteLine(page.NextPageToken.Length > 0 ? $"next page: --page-token {page.NextPageToken}" : $"{page.Runs.Count} run(s)");
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    /// <summary><c>factory cancel RUN [--reason R]</c>: cancels a running run; prints its status (an ended run's as it is).</summary>
    public static Command Cancel(IAnsiConsole console, IAnsiConsole errors)
    {
        var run = new Argument<string>("run") { Description = "The run id." };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the trace)." };
        var command = new Command("cancel", "Cancel a running run; an ended run is reported as it is.") { run, reason };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var runId = parse.GetValue(run)!;
            return GatewayConnection.RunAsync(parse, gateway, errors, runId, async connection =>
            {
                var state = await connection.Runs.CancelRunAsync(
                    new V1.CancelRunRequest { RunId = runId, Reason = parse.GetValue(reason) ?? "" }, cancellationToken: cancellationToken);
                var ended = state.Status is V1.RunStatus.Running or V1.RunStatus.Cancelled ? "" : " (it had already ended)";
                console.WriteLine($"run {state.RunId}: {ProtoViews.Name(state.Status)}{ended}{(state.Reason.Length > 0 ? $": {state.Reason}" : "")}");
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    /// <summary><c>factory feedback RUN --score N [--comment C] [--module M] [--agent A] [--artifact PATH]</c>: records feedback in the run's trace.</summary>
    public static Command Feedback(IAnsiConsole console, IAnsiConsole errors)
    {
        var run = new Argument<string>("run") { Description = "The run id." };
        var score = new Option<int>("--score") { Description = "1 (poor) to 5 (excellent).", Required = true };
        var comment = new Option<string?>("--comment") { Description = "Free text, at most 2,000 characters." };
        var module = new Option<string?>("--module") { Description = "The module it is about." };
        var agent = new Option<string?>("--agent") { Description = "The agent role it is about." };
        var artifact = new Option<string?>("--artifact") { Description = "The artifact path it is about." };
        var command = new Command("feedback", "Record a score and comment on a run, module, agent or artifact.") { run, score, comment, module, agent, artifact };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var runId = parse.GetValue(run)!;
            return GatewayConnection.RunAsync(parse, gateway, errors, runId, async connection =>
            {
                var recorded = await connection.Runs.SubmitFeedbackAsync(new V1.SubmitFeedbackRequest
                {
                    RunId = runId,
                    Score = parse.GetValue(score),
                    Comment = parse.GetValue(comment) ?? "",
                    Module = parse.GetValue(module) ?? "",
                    Agent = parse.GetValue(agent) ?? "",
                    ArtifactPath = parse.GetValue(artifact) ?? "",
                }, cancellationToken: cancellationToken);
                console.WriteLine($"feedback recorded at sequence {recorded.Sequence}");
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }
}
