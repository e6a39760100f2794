using System.Diagnostics;
using Grpc.Core;

namespace Factory.Gateway.Tests.Llm;

/// <summary>SubmitRun with a prompt: planned by the tenant's chat model (on loopback), validated, retried, registered, traced.</summary>
[Collection(LlmCollection.Name)]
public sealed class PromptPlanningTests(LlmFixture fixture)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    internal const string NotesJson = """
        {"apiVersion":"factory/v1","metadata":{"name":"notes-service","version":"1.0.0","description":"Personal notes."},
         "domain":{"entities":[{"name":"Note","fields":[{"name":"id","type":"uuid","required":true},{"name":"title","type":"string","required":true,"maxLength":200}]}]},
         "modules":[{"name":"notes","entities":["Note"],"operations":[
           {"name":"CreateNote","method":"post","path":"/notes","scope":"notes.write","input":"Note","output":"Note"},
           {"name":"GetNote","method":"get","path":"/notes/{id}","scope":"notes.read","output":"Note"}]}]}
        """;

    [Fact]
    public async Task PromptIsPlannedIntoABlueprintAfterTheValidatorsProblemsGoBackToTheModel()
    {
        var (_, headers) = await fixture.NewTenantAsync("pro");
        var before = fixture.Chat.Calls;
        fixture.Chat.Enqueue(
            ScriptedAnswer.Text("Here it is:\n```json\n" + NotesJson.Replace("\"notes-service\"", "\"Notes Service\"", StringComparison.Ordinal) + "\n```"),
            ScriptedAnswer.Text(NotesJson));

        var submitted = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Prompt = "A service to keep personal notes with a title.", IdempotencyKey = "notes" }, headers);
        var again = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Prompt = "A service to keep personal notes with a title.", IdempotencyKey = "notes" }, headers);
        Assert.Equal(submitted.RunId, again.RunId); // the repeated key returns the run without planning again
        Assert.True(again.Existing);

        Assert.Equal(2, fixture.Chat.Calls - before);
        var requests = fixture.Chat.Requests.Skip(before).ToList();
        Assert.Contains("\"$schema\"", requests[0].System, StringComparison.Ordinal); // the blueprint's JSON Schema goes with the prompt
        Assert.Contains("personal notes with a title", requests[0].LastUser, StringComparison.Ordinal);
        Assert.Contains("metadata.name", requests[1].LastUser, StringComparison.Ordinal); // the validator's problem, sent back
        Assert.Contains("lower-kebab-case", requests[1].LastUser, StringComparison.Ordinal);
        Assert.Equal(LlmFixture.Model, requests[1].Model);

        var events = await WatchAsync(headers, submitted.RunId);
        Assert.Equal("RunSucceeded", events[^1].Type);
        var calls = events.Where(e => e.Type == LlmTrace.CallCompleted).ToList();
        Assert.Equal(["planner/1", "planner/2"], calls.Select(e => e.Attributes[LlmTrace.CallKey]));
        Assert.All(calls, e => Assert.True(int.Parse(e.Attributes[LlmTrace.InputTokens], System.Globalization.CultureInfo.InvariantCulture) > 0));
        Assert.Contains("Notes Service", calls[0].Attributes[LlmTrace.Response], StringComparison.Ordinal);
        var planned = Assert.Single(events, e => e.Type == LlmTrace.BlueprintPlanned);
        Assert.Equal("A service to keep personal notes with a title.", planned.Attributes[LlmTrace.Prompt]);
        Assert.Equal("2", planned.Attributes[LlmTrace.Attempts]);

        var run = await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = submitted.RunId }, headers);
        Assert.Equal("notes-service", run.BlueprintName);
        var tokenCost = calls.Sum(e => decimal.Parse(e.Attributes[LlmTrace.CostUsd], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(tokenCost > 0m);
        Assert.True((decimal)run.CostUsd >= tokenCost, $"run cost {run.CostUsd} includes the model's {tokenCost}");
        var registered = await fixture.Blueprints.ListBlueprintsAsync(new V1.ListBlueprintsRequest(), headers);
        Assert.Contains(registered.Blueprints, b => b.Name == "notes-service" && b.Version == "1.0.0" && b.Sha256 == run.BlueprintSha256);

        // A replay runs the recorded blueprint: no new call, every hash reproduced.
        var calledBefore = fixture.Chat.Calls;
        var replay = await fixture.Runs.ReplayRunAsync(new V1.ReplayRunRequest { RunId = submitted.RunId }, headers);
        Assert.Equal("RunSucceeded", (await WatchAsync(headers, replay.RunId))[^1].Type);
        Assert.Equal(calledBefore, fixture.Chat.Calls);
        var diff = await fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = submitted.RunId, RunB = replay.RunId }, headers);
        Assert.True(diff.Identical);
    }

    [Fact]
    public async Task PlannerGivesUpAfterItsAttemptsWithTheLastAnswersProblems()
    {
        var (_, headers) = await fixture.NewTenantAsync("pro");
        var before = fixture.Chat.Calls;
        fixture.Chat.Enqueue(ScriptedAnswer.Text("not a blueprint"), ScriptedAnswer.Text("still: no"), ScriptedAnswer.Text("apiVersion: factory/v1"));

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Prompt = "anything" }, headers).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("planner's 3 answers were not a valid blueprint", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(3, fixture.Chat.Calls - before);
    }

    [Fact]
    public async Task PromptWithoutAConfiguredModelFailsNamingTheSettingAndCallsNothing()
    {
        var (tenantId, headers) = await fixture.NewTenantAsync("free");
        var before = fixture.Chat.Calls;

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Prompt = "A notes service." }, headers).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains($"Factory:Llm:Tenants:{tenantId}:Endpoint", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Factory:Llm:Editions:free:Endpoint", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Chat.Calls);

        // Blueprint-driven runs of the same tenant work offline as before.
        var offline = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = NotesJson }, headers);
        Assert.Equal("RunSucceeded", (await WatchAsync(headers, offline.RunId))[^1].Type);
        Assert.Equal(before, fixture.Chat.Calls);
    }

    [Fact]
    public async Task EndpointDownFailsTheRequestWithAClearReasonWithinItsTimeout()
    {
        var (_, headers) = await fixture.NewTenantAsync("pro", LlmFixture.DownTenant);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Prompt = "A notes service." }, headers).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("could not be reached", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("3 attempts", error.Status.Detail, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task SlowEndpointTimesOutAfterItsRetriesWithAClearReason()
    {
        var (_, headers) = await fixture.NewTenantAsync("pro", LlmFixture.SlowTenant);
        var before = fixture.SlowChat.Calls;
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Prompt = "A notes service." }, headers).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains($"no answer within its timeout of {LlmFixture.SlowTimeout}", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2, fixture.SlowChat.Calls - before); // one try and one retry, each cut at the timeout
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
    }

    private async Task<List<V1.TraceEvent>> WatchAsync(Metadata headers, string runId)
    {
        using var timeout = new CancellationTokenSource(RunTimeout);
        using var call = fixture.Runs.WatchRun(new V1.WatchRunRequest { RunId = runId }, headers, cancellationToken: timeout.Token);
        var events = new List<V1.TraceEvent>();
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            events.Add(call.ResponseStream.Current);
        }

        return events;
    }
}
