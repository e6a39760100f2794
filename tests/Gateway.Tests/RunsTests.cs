using System.Security.Cryptography;
using Grpc.Core;

namespace Factory.Gateway.Tests;

/// <summary>Runs through the gRPC API: submit, watch, resume, artifacts, and tenant isolation.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RunsTests(GatewayFixture fixture)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private static Task<string> TodoYamlAsync() => File.ReadAllTextAsync(RepositoryPaths.Sample("todo-service.yaml"));

    [Fact]
    public async Task SubmittedRunIsWatchedToItsEndWithoutGaps()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        var submitted = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync(), IdempotencyKey = "once" }, headers);
        var again = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync(), IdempotencyKey = "once" }, headers);
        Assert.Equal(submitted.RunId, again.RunId);
        Assert.True(again.Existing);

        var events = await WatchAsync(headers, submitted.RunId, 0);

        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal("RunStarted", events[0].Type);
        Assert.Equal("RunSucceeded", events[^1].Type);
        Assert.All(events, e => Assert.Equal(submitted.RunId, e.RunId));
        var run = await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = submitted.RunId }, headers);
        Assert.Equal(V1.RunStatus.Succeeded, run.Status);
        Assert.Equal(events.Count, run.EventCount);
        Assert.Equal(submitted.TraceId, run.TraceId);
        Assert.NotNull(run.EndedAt);

        var list = await fixture.Runs.ListRunsAsync(new V1.ListRunsRequest { Status = V1.RunStatus.Succeeded }, headers);
        Assert.Contains(list.Runs, r => r.RunId == submitted.RunId && r.Status == V1.RunStatus.Succeeded && r.BlueprintName == "todo-service");
    }

    [Fact]
    public async Task WatchResumesFromTheLastSequencePlusOneExactly()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        var submitted = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers);

        var firstPart = new List<V1.TraceEvent>();
        using (var cancel = new CancellationTokenSource())
        {
            using var call = fixture.Runs.WatchRun(new V1.WatchRunRequest { RunId = submitted.RunId }, headers, cancellationToken: cancel.Token);
            while (firstPart.Count < 5 && await call.ResponseStream.MoveNext(cancel.Token))
            {
                firstPart.Add(call.ResponseStream.Current);
            }

            await cancel.CancelAsync(); // hang up mid-run
        }

        Assert.Equal(5, firstPart.Count);
        var rest = await WatchAsync(headers, submitted.RunId, firstPart[^1].Sequence + 1);
        var union = firstPart.Concat(rest).ToList();

        var journal = await WatchAsync(headers, submitted.RunId, 0);
        Assert.Equal(journal.Select(e => (e.Sequence, e.EventId)), union.Select(e => (e.Sequence, e.EventId)));
        Assert.True(journal[^1].Type is "RunSucceeded" or "RunFailed" or "RunBlocked" or "RunCancelled");
    }

    [Fact]
    public async Task AnotherTenantsRunAnswersNotFoundOnEveryRunCallLikeAMissingOne()
    {
        var (_, ownerKey, _) = await fixture.NewTenantAsync();
        var (_, strangerKey, _) = await fixture.NewTenantAsync();
        var submitted = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, GatewayFixture.Bearer(ownerKey));
        var stranger = GatewayFixture.Bearer(strangerKey);
        var missing = Guid.NewGuid().ToString("N");

        foreach (var runId in new[] { submitted.RunId, missing })
        {
            var answers = new List<RpcException>
            {
                await Refused(fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = runId }, stranger).ResponseAsync),
                await Refused(fixture.Runs.CancelRunAsync(new V1.CancelRunRequest { RunId = runId }, stranger).ResponseAsync),
                await Refused(fixture.Runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = runId }, stranger).ResponseAsync),
                await Refused(fixture.Runs.SubmitFeedbackAsync(new V1.SubmitFeedbackRequest { RunId = runId, Score = 5 }, stranger).ResponseAsync),
                await Refused(FirstAsync(fixture.Runs.WatchRun(new V1.WatchRunRequest { RunId = runId }, stranger))),
                await Refused(FirstAsync(fixture.Runs.GetArtifact(new V1.GetArtifactRequest { RunId = runId, Path = "todos/README.md" }, stranger))),
            };
            Assert.All(answers, ex =>
            {
                Assert.Equal(StatusCode.NotFound, ex.StatusCode);
                Assert.Equal($"Run '{runId}' was not found.", ex.Status.Detail);
            });
        }

        // The owner still sees it.
        var run = await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = submitted.RunId }, GatewayFixture.Bearer(ownerKey));
        Assert.Equal(submitted.RunId, run.RunId);
    }

    [Fact]
    public async Task InvalidBlueprintIsInvalidArgumentWithViolationsNamingPaths()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var yaml = (await TodoYamlAsync()).Replace("path: /todos/{id}/complete", "path: todos-complete", StringComparison.Ordinal);

        foreach (var call in new Func<Task>[]
        {
            () => fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = yaml }, GatewayFixture.Bearer(key)).ResponseAsync,
            () => fixture.Blueprints.RegisterBlueprintAsync(new V1.RegisterBlueprintRequest { Yaml = yaml }, GatewayFixture.Bearer(key)).ResponseAsync,
        })
        {
            var ex = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            var badRequest = ex.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>();
            Assert.NotNull(badRequest);
            var violation = Assert.Single(badRequest.FieldViolations);
            Assert.Equal("modules[0].operations[4].path", violation.Field);
            Assert.Matches("^[0-9]+:[0-9]+: ", violation.Description);
        }
    }

    [Fact]
    public async Task ArtifactChunksReassembleToTheArtifactsHash()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        var submitted = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers);
        await WatchAsync(headers, submitted.RunId, 0);

        var artifacts = (await fixture.Runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = submitted.RunId }, headers)).Artifacts;
        Assert.NotEmpty(artifacts);
        foreach (var artifact in artifacts.OrderByDescending(a => a.Size).Take(3))
        {
            using var call = fixture.Runs.GetArtifact(new V1.GetArtifactRequest { RunId = submitted.RunId, Path = artifact.Path }, headers);
            using var content = new MemoryStream();
            var chunks = 0;
            await foreach (var chunk in call.ResponseStream.ReadAllAsync())
            {
                Assert.Equal(content.Length, chunk.Offset);
                Assert.InRange(chunk.Data.Length, 0, 64 * 1024);
                Assert.Equal(chunks == 0, chunk.Artifact is not null);
                chunk.Data.WriteTo(content);
                chunks++;
            }

            Assert.Equal(artifact.Size, content.Length);
            Assert.Equal(artifact.Sha256, Convert.ToHexStringLower(SHA256.HashData(content.ToArray())));
        }

        var absent = await Assert.ThrowsAsync<RpcException>(() =>
            FirstAsync(fixture.Runs.GetArtifact(new V1.GetArtifactRequest { RunId = submitted.RunId, Path = "no/such/file" }, headers)));
        Assert.Equal(StatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task TenantWatchSeesItsRunEndAndNothingOfOthers()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var (_, otherKey, _) = await fixture.NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        using var cancel = new CancellationTokenSource(RunTimeout);
        using var watch = fixture.Runs.WatchTenant(new V1.WatchTenantRequest(), headers, cancellationToken: cancel.Token);
        await watch.ResponseHeadersAsync; // subscribed

        var other = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, GatewayFixture.Bearer(otherKey));
        var mine = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers);
        var seen = new List<V1.RunSummary>();
        while (await watch.ResponseStream.MoveNext(cancel.Token))
        {
            seen.Add(watch.ResponseStream.Current);
            if (seen[^1].RunId == mine.RunId && seen[^1].Status != V1.RunStatus.Running)
            {
                break;
            }
        }

        Assert.Equal(V1.RunStatus.Succeeded, seen[^1].Status);
        Assert.DoesNotContain(seen, s => s.RunId == other.RunId);
    }

    [Fact]
    public async Task RegisteredBlueprintRunsByNameAndVersion()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        var yaml = await TodoYamlAsync();
        var registered = await fixture.Blueprints.RegisterBlueprintAsync(new V1.RegisterBlueprintRequest { Yaml = yaml }, headers);
        Assert.Equal("todo-service", registered.Name);
        Assert.Equal("0.3.1", registered.Version);

        var conflict = await Assert.ThrowsAsync<RpcException>(() => fixture.Blueprints.RegisterBlueprintAsync(
            new V1.RegisterBlueprintRequest { Yaml = yaml.Replace("Sort order within", "Position within", StringComparison.Ordinal) }, headers).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        var fetched = await fixture.Blueprints.GetBlueprintAsync(new V1.GetBlueprintRequest { Name = "todo-service", Version = "0.3.1" }, headers);
        Assert.Equal(registered.Sha256, fetched.Sha256);
        Assert.NotEmpty(fetched.CanonicalJson);

        var submitted = await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Registered = "todo-service@0.3.1" }, headers);
        var run = await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = submitted.RunId }, headers);
        Assert.Equal(registered.Sha256, run.BlueprintSha256);

        var unknown = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Registered = "todo-service@9.9.9" }, headers).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    private async Task<List<V1.TraceEvent>> WatchAsync(Metadata headers, string runId, long from)
    {
        using var cancel = new CancellationTokenSource(RunTimeout);
        using var call = fixture.Runs.WatchRun(new V1.WatchRunRequest { RunId = runId, FromSequence = from }, headers, cancellationToken: cancel.Token);
        var events = new List<V1.TraceEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancel.Token))
        {
            events.Add(e);
        }

        return events;
    }

    private static async Task FirstAsync<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            await call.ResponseStream.MoveNext(CancellationToken.None);
        }
    }

    private static async Task<RpcException> Refused(Task call) => await Assert.ThrowsAsync<RpcException>(() => call);
}
