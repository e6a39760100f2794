using System.Diagnostics;
using System.Text;
using Grpc.Core;

namespace Factory.Gateway.Tests.Llm;

/// <summary>
/// Operations with a <c>behavior</c>: the developer asks the tenant's chat model (on loopback) for the handler's body,
/// the compiler's diagnostics go back until it compiles, the run is traced and priced, and a replay calls nothing.
/// </summary>
[Collection(LlmCollection.Name)]
public sealed class HandlerTests(LlmFixture fixture)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    /// <summary>todo-service's CompleteTodo, keyed by a route id: valid C# for its handler.</summary>
    internal const string GoodBody = """
        Here is the body:
        ```csharp
        if (!Guid.TryParse(id, out var key) || todoItemRepository.Get(key) is not { } item)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(item);
        ```
        """;

    internal const string BadBody = """
        ```csharp
        return TypedResults.Ok(undefinedTodo);
        ```
        """;

    private static Task<string> TodoYamlAsync() => File.ReadAllTextAsync(RepositoryPaths.Sample("todo-service.yaml"));

    [Fact]
    public async Task HandlerBodyThatFailsToCompileIsFixedAfterTheDiagnosticsGoBackAndAReplayCallsNothing()
    {
        var (_, headers) = await fixture.NewTenantAsync("pro");
        var requests = new List<ChatRequest>();
        fixture.Chat.Responder = request =>
        {
            lock (requests)
            {
                requests.Add(request);
            }

            return request.LastUser.Contains("compiler rejected", StringComparison.Ordinal) ? ScriptedAnswer.Text(GoodBody) : ScriptedAnswer.Text(BadBody);
        };
        var before = fixture.Chat.Calls;

        var submitted = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers);
        var events = await WatchAsync(headers, submitted.RunId);

        Assert.Equal("RunSucceeded", events[^1].Type);
        Assert.Equal(2, fixture.Chat.Calls - before);
        Assert.Contains("Mark the item done and publish TodoCompleted", requests[0].LastUser, StringComparison.Ordinal);
        Assert.Contains("IResult CompleteTodo(string id, ITodoItemRepository todoItemRepository)", requests[0].LastUser, StringComparison.Ordinal);
        Assert.Contains("CS0103", requests[1].LastUser, StringComparison.Ordinal); // the compiler's diagnostic went back
        Assert.Contains("undefinedTodo", requests[1].LastUser, StringComparison.Ordinal);

        var calls = events.Where(e => e.Type == LlmTrace.CallCompleted).ToList();
        Assert.Equal(["todos/developer/handler/CompleteTodo/1", "todos/developer/handler/CompleteTodo/2"], calls.Select(e => e.Attributes[LlmTrace.CallKey]));
        Assert.All(calls, e => Assert.Equal(LlmFixture.Model, e.Attributes[LlmTrace.ResponseModel]));
        var rejected = Assert.Single(events, e => e.Type == LlmTrace.AnswerRejected);
        Assert.Contains(rejected.Attributes, a => a.Key.StartsWith("violation.", StringComparison.Ordinal) && a.Value.Contains("CS0103", StringComparison.Ordinal));
        var handlerSkill = Assert.Single(events, e => e.Type == "SkillCompleted" && e.Skill == LlmTrace.HandlerSkill);
        Assert.True(decimal.Parse(handlerSkill.Attributes["costUsd"], System.Globalization.CultureInfo.InvariantCulture) > 0m); // priced tokens

        var endpoints = await ArtifactTextAsync(headers, submitted.RunId, "todos/src/TodoService.Todos.Api/Endpoints/TodosEndpoints.cs");
        Assert.Contains("todoItemRepository.Get(key) is not { } item", endpoints, StringComparison.Ordinal);
        Assert.DoesNotContain("CompleteTodo has no generated behaviour yet", endpoints, StringComparison.Ordinal);
        var tests = await ArtifactTextAsync(headers, submitted.RunId, "todos/tests/TodoService.Todos.Api.Tests/CompleteTodoTests.cs");
        Assert.Contains("CompleteTodo_WithScope_IsImplemented", tests, StringComparison.Ordinal);
        Assert.Contains("\"CompleteTodo\"", await ArtifactTextAsync(headers, submitted.RunId, "todos/llm/handlers.json"), StringComparison.Ordinal);
        var readme = await ArtifactTextAsync(headers, submitted.RunId, "todos/README.md");
        Assert.Contains("Operations whose handler a chat model wrote", readme, StringComparison.Ordinal);
        Assert.DoesNotContain("answer 501 Not Implemented", readme, StringComparison.Ordinal);

        // Replay: the recorded answers, no new call, every hash reproduced.
        var calledBefore = fixture.Chat.Calls;
        var replay = await fixture.Runs.ReplayRunAsync(new V1.ReplayRunRequest { RunId = submitted.RunId }, headers);
        var replayed = await WatchAsync(headers, replay.RunId);
        Assert.Equal("RunSucceeded", replayed[^1].Type);
        Assert.Equal(calledBefore, fixture.Chat.Calls);
        Assert.All(replayed.Where(e => e.Type == LlmTrace.CallCompleted), e => Assert.Equal("true", e.Attributes[LlmTrace.Replayed]));
        var diff = await fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = submitted.RunId, RunB = replay.RunId }, headers);
        Assert.True(diff.Identical, string.Join("; ", diff.ArtifactChanges.Select(a => a.Path)));
        var original = await fixture.Runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = submitted.RunId }, headers);
        var copy = await fixture.Runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = replay.RunId }, headers);
        Assert.Equal(original.Artifacts.Select(a => (a.Path, a.Sha256)), copy.Artifacts.Select(a => (a.Path, a.Sha256)));
    }

    [Fact]
    public async Task FeedbackOnAnEarlierRunOfTheBlueprintGoesIntoTheNextRunsContextAndTheTraceSaysSo()
    {
        var (_, headers) = await fixture.NewTenantAsync("pro");
        var requests = new List<ChatRequest>();
        fixture.Chat.Responder = request =>
        {
            lock (requests)
            {
                requests.Add(request);
            }

            return ScriptedAnswer.Text(GoodBody);
        };

        var first = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers);
        Assert.Equal("RunSucceeded", (await WatchAsync(headers, first.RunId))[^1].Type);
        Assert.DoesNotContain("Feedback on earlier runs", requests.Single().LastUser, StringComparison.Ordinal);
        await fixture.Runs.SubmitFeedbackAsync(new V1.SubmitFeedbackRequest { RunId = first.RunId, Score = 2, Comment = "Completing an item must also set its position to 0." }, headers);

        var second = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers);
        var events = await WatchAsync(headers, second.RunId);

        Assert.Equal("RunSucceeded", events[^1].Type);
        Assert.Contains("Completing an item must also set its position to 0.", requests[^1].LastUser, StringComparison.Ordinal);
        var included = Assert.Single(events, e => e.Type == LlmTrace.FeedbackIncluded);
        Assert.Equal(first.RunId, included.Attributes[LlmTrace.FeedbackRuns]);
        Assert.Equal("1", included.Attributes[LlmTrace.FeedbackCount]);
    }

    [Fact]
    public async Task HandlerThatNeverCompilesBlocksTheRunWithTheDiagnostics()
    {
        var (_, headers) = await fixture.NewTenantAsync("pro");
        fixture.Chat.Responder = _ => ScriptedAnswer.Text(BadBody);
        var before = fixture.Chat.Calls;

        var submitted = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers);
        var events = await WatchAsync(headers, submitted.RunId);

        Assert.Equal("RunBlocked", events[^1].Type);
        Assert.Equal(3, fixture.Chat.Calls - before); // HandlerAttempts
        var run = await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = submitted.RunId }, headers);
        Assert.Contains("compiles", run.Reason, StringComparison.Ordinal);
        Assert.Contains("CS0103", run.Reason, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Type == "GateFailed" && e.Skill == LlmTrace.HandlerSkill);
    }

    [Fact]
    public async Task ARunStopsCallingAtItsMaxCallsPerRunAndFailsSayingSo()
    {
        var (_, headers) = await fixture.NewTenantAsync("pro", LlmFixture.CappedTenant);
        fixture.Chat.Responder = _ => ScriptedAnswer.Text(BadBody);
        var before = fixture.Chat.Calls;

        var submitted = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers);
        var events = await WatchAsync(headers, submitted.RunId);

        Assert.Equal("RunFailed", events[^1].Type);
        Assert.Equal(1, fixture.Chat.Calls - before);
        var run = await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = submitted.RunId }, headers);
        Assert.Contains("the run made its 1 calls (MaxCallsPerRun)", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointDownFailsTheRunWithAClearReasonWithinItsTimeout()
    {
        var (_, headers) = await fixture.NewTenantAsync("pro", LlmFixture.DownRunTenant);
        var clock = Stopwatch.StartNew();

        var submitted = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers);
        var events = await WatchAsync(headers, submitted.RunId);

        Assert.Equal("RunFailed", events[^1].Type);
        var run = await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = submitted.RunId }, headers);
        Assert.Contains("skill developer.handlers of agent developer on module todos failed", run.Reason, StringComparison.Ordinal);
        Assert.Contains("could not be reached", run.Reason, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    private async Task<string> ArtifactTextAsync(Metadata headers, string runId, string path)
    {
        using var call = fixture.Runs.GetArtifact(new V1.GetArtifactRequest { RunId = runId, Path = path }, headers);
        var bytes = new List<byte>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            bytes.AddRange(call.ResponseStream.Current.Data.ToByteArray());
        }

        return Encoding.UTF8.GetString([.. bytes]);
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
