using System.Security.Cryptography;
using Factory.Bundles;
using Grpc.Core;

namespace Factory.Gateway.Tests;

/// <summary>Trace bundles, replay and diff of runs through the gRPC API.</summary>
[Collection(GatewayCollection.Name)]
public sealed class BundleTests(GatewayFixture fixture)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private static Task<string> TodoYamlAsync() => File.ReadAllTextAsync(RepositoryPaths.Sample("todo-service.yaml"));

    /// <summary>todo-service 0.4.0: a tenth field on TodoItem.</summary>
    private static async Task<string> TodoV2YamlAsync()
    {
        var yaml = await TodoYamlAsync();
        var v2 = yaml
            .Replace("  version: 0.3.1\n", "  version: 0.4.0\n", StringComparison.Ordinal)
            .Replace("          pii: true\n  events:\n", "          pii: true\n        - name: tag\n          type: string\n          maxLength: 40\n  events:\n", StringComparison.Ordinal);
        Assert.NotEqual(yaml, v2);
        Assert.Contains("name: tag", v2, StringComparison.Ordinal);
        Assert.Contains("version: 0.4.0", v2, StringComparison.Ordinal);
        return v2;
    }

    [Fact]
    public async Task BundleChunksReassembleToABundleWhoseArtifactsAreTheRunsArtifacts()
    {
        var (tenantId, key, _) = await fixture.NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        // The largest sample: its bundle spans several chunks.
        var yaml = await File.ReadAllTextAsync(RepositoryPaths.Sample("marketplace.yaml"));
        var runId = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = yaml }, headers)).RunId;
        await WatchToEndAsync(headers, runId);

        using var zip = new MemoryStream();
        long size = -1;
        var sha256 = "";
        using (var call = fixture.Runs.GetBundle(new V1.GetBundleRequest { RunId = runId }, headers))
        {
            await foreach (var chunk in call.ResponseStream.ReadAllAsync())
            {
                Assert.Equal(zip.Length, chunk.Offset);
                Assert.InRange(chunk.Data.Length, 1, 64 * 1024);
                if (zip.Length == 0)
                {
                    size = chunk.Size;
                    sha256 = chunk.Sha256;
                }
                else
                {
                    Assert.Equal(0, chunk.Size);
                    Assert.Empty(chunk.Sha256);
                }

                chunk.Data.WriteTo(zip);
            }
        }

        Assert.True(zip.Length > 64 * 1024, $"a bundle of {zip.Length} bytes tests no chunking");
        Assert.Equal(size, zip.Length);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(zip.ToArray())));

        var bundle = await ReadBundleAsync(runId, zip.ToArray());
        var run = await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = runId }, headers);
        var listed = (await fixture.Runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = runId }, headers)).Artifacts;

        Assert.Equal(runId, bundle.Manifest.RunId);
        Assert.Equal(tenantId, bundle.Manifest.TenantId);
        Assert.Equal(run.Status.ToString(), bundle.Manifest.Status.ToString());
        Assert.Equal(run.BlueprintSha256, bundle.Manifest.Blueprint.Sha256);
        Assert.Equal(run.EventCount, bundle.Events.Length);
        Assert.NotEmpty(listed);
        Assert.Equal(
            listed.Select(a => (a.Path, a.Sha256)).OrderBy(a => a.Path, StringComparer.Ordinal),
            bundle.Manifest.Artifacts.Select(a => (a.Path, a.Sha256)));
        Assert.Equal(listed.Count, bundle.Artifacts.Count);
    }

    [Fact]
    public async Task ReplayReproducesEveryArtifactHashAndDiffsIdentical()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        var original = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers)).RunId;
        await WatchToEndAsync(headers, original);

        var replay = await fixture.Runs.ReplayRunAsync(new V1.ReplayRunRequest { RunId = original }, headers);
        Assert.NotEqual(original, replay.RunId);
        Assert.Equal(original, replay.ReplayOf);
        Assert.False(replay.Existing);
        var events = await WatchToEndAsync(headers, replay.RunId);
        Assert.Equal("RunSucceeded", events[^1].Type);

        var before = (await fixture.Runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = original }, headers)).Artifacts;
        var after = (await fixture.Runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = replay.RunId }, headers)).Artifacts;
        Assert.NotEmpty(before);
        Assert.Equal(
            before.Select(a => (a.Path, a.Sha256)).OrderBy(a => a.Path, StringComparer.Ordinal),
            after.Select(a => (a.Path, a.Sha256)).OrderBy(a => a.Path, StringComparer.Ordinal));

        var diff = await fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = original, RunB = replay.RunId }, headers);
        Assert.True(diff.Identical, diff.ToString());
        Assert.Equal(original, diff.RunA);
        Assert.Equal(replay.RunId, diff.RunB);
        Assert.Empty(diff.RunChanges);
        Assert.Empty(diff.BlueprintChanges);
        Assert.Empty(diff.ArtifactChanges);
        Assert.Empty(diff.GateChanges);
    }

    [Fact]
    public async Task DiffOfTwoVersionsListsTheBlueprintPathsAndTheChangedArtifacts()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        var v1 = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers)).RunId;
        await WatchToEndAsync(headers, v1);
        await fixture.Blueprints.RegisterBlueprintAsync(new V1.RegisterBlueprintRequest { Yaml = await TodoV2YamlAsync() }, headers);
        var v2 = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Registered = "todo-service@0.4.0" }, headers)).RunId;
        await WatchToEndAsync(headers, v2);

        var diff = await fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = v1, RunB = v2 }, headers);

        Assert.False(diff.Identical);
        var version = Assert.Single(diff.BlueprintChanges, c => c.Path == "metadata.version");
        Assert.Equal(V1.ChangeKind.Changed, version.Kind);
        Assert.Equal("\"0.3.1\"", version.Old);
        Assert.Equal("\"0.4.0\"", version.New);
        var field = Assert.Single(diff.BlueprintChanges, c => c.Path == "domain.entities[0].fields[9]");
        Assert.Equal(V1.ChangeKind.Added, field.Kind);
        Assert.False(field.HasOld);
        Assert.Contains("\"tag\"", field.New, StringComparison.Ordinal);

        Assert.NotEmpty(diff.ArtifactChanges);
        var before = (await fixture.Runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = v1 }, headers)).Artifacts.ToDictionary(a => a.Path, a => a.Sha256);
        var after = (await fixture.Runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = v2 }, headers)).Artifacts.ToDictionary(a => a.Path, a => a.Sha256);
        var expected = before.Keys.Union(after.Keys)
            .Where(p => before.GetValueOrDefault(p) != after.GetValueOrDefault(p))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, diff.ArtifactChanges.Select(c => c.Path));
        var changed = diff.ArtifactChanges.Where(c => c.Kind == V1.ChangeKind.Changed).ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, c =>
        {
            Assert.Equal(before[c.Path], c.OldSha256);
            Assert.Equal(after[c.Path], c.NewSha256);
        });
        Assert.Contains(changed, c => c.HasUnifiedDiff && c.UnifiedDiff.Contains($"+++ b/{c.Path}", StringComparison.Ordinal)
            && c.UnifiedDiff.Split('\n').Any(l => l.StartsWith('+') && l.Contains("tag", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task ReplayComparesWithTheRecordedBaselineNotTheNowPromotedVersion()
    {
        var (tenantId, key, _) = await fixture.NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        var v1 = await fixture.Blueprints.RegisterBlueprintAsync(new V1.RegisterBlueprintRequest { Yaml = await TodoYamlAsync() }, headers);
        var v2 = await fixture.Blueprints.RegisterBlueprintAsync(new V1.RegisterBlueprintRequest { Yaml = await TodoV2YamlAsync() }, headers);

        // A run of v2 that its breaking-change gate compared with v1; once it succeeds, v2 is the promoted version.
        var recorded = await fixture.Cluster.Client.GetGrain<ITenantGrain>(tenantId).SubmitRunAsync(new RunRequest
        {
            BlueprintJson = v2.CanonicalJson,
            BaselineBlueprintJson = v1.CanonicalJson,
        });
        Assert.Equal("RunSucceeded", (await WatchToEndAsync(headers, recorded.RunId))[^1].Type);

        var replay = await fixture.Runs.ReplayRunAsync(new V1.ReplayRunRequest { RunId = recorded.RunId, IdempotencyKey = "replay-v2" }, headers);
        var again = await fixture.Runs.ReplayRunAsync(new V1.ReplayRunRequest { RunId = recorded.RunId, IdempotencyKey = "replay-v2" }, headers);
        Assert.Equal(replay.RunId, again.RunId);
        Assert.True(again.Existing);
        await WatchToEndAsync(headers, replay.RunId);

        var original = (await GetBundleAsync(headers, recorded.RunId)).Manifest;
        var replayed = await GetBundleAsync(headers, replay.RunId);
        Assert.Equal(v1.Sha256, original.BaselineSha256);
        Assert.Equal(v1.Sha256, replayed.Manifest.BaselineSha256);
        Assert.Equal(v1.CanonicalJson, replayed.BaselineJson);
        Assert.Equal(v2.Sha256, replayed.Manifest.Blueprint.Sha256);
    }

    [Fact]
    public async Task AnotherTenantsRunAnswersNotFoundLikeAMissingOne()
    {
        var (_, ownerKey, _) = await fixture.NewTenantAsync();
        var (_, strangerKey, _) = await fixture.NewTenantAsync();
        var owner = GatewayFixture.Bearer(ownerKey);
        var stranger = GatewayFixture.Bearer(strangerKey);
        var runId = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, owner)).RunId;
        await WatchToEndAsync(owner, runId);
        var own = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, stranger)).RunId;
        await WatchToEndAsync(stranger, own);

        foreach (var id in new[] { runId, Guid.NewGuid().ToString("N") })
        {
            var answers = new List<RpcException>
            {
                await Assert.ThrowsAsync<RpcException>(() => FirstAsync(fixture.Runs.GetBundle(new V1.GetBundleRequest { RunId = id }, stranger))),
                await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.ReplayRunAsync(new V1.ReplayRunRequest { RunId = id }, stranger).ResponseAsync),
                await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = own, RunB = id }, stranger).ResponseAsync),
                await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = id, RunB = own }, stranger).ResponseAsync),
            };
            Assert.All(answers, ex =>
            {
                Assert.Equal(StatusCode.NotFound, ex.StatusCode);
                Assert.Equal($"Run '{id}' was not found.", ex.Status.Detail);
            });
        }

        // The owner still has it.
        var diff = await fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = runId, RunB = runId }, owner);
        Assert.True(diff.Identical);
    }

    [Fact]
    public async Task RunningRunIsFailedPreconditionForBundleAndDiff()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        var ended = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers)).RunId;
        await WatchToEndAsync(headers, ended);
        var running = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = await TodoYamlAsync() }, headers)).RunId;

        var answers = new List<RpcException>
        {
            await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = ended, RunB = running }, headers).ResponseAsync),
            await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = running, RunB = ended }, headers).ResponseAsync),
            await Assert.ThrowsAsync<RpcException>(() => FirstAsync(fixture.Runs.GetBundle(new V1.GetBundleRequest { RunId = running }, headers))),
        };
        Assert.All(answers, ex =>
        {
            Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
            Assert.Contains($"Run '{running}' has not ended", ex.Status.Detail, StringComparison.Ordinal);
        });

        await WatchToEndAsync(headers, running);
        var diff = await fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = ended, RunB = running }, headers);
        Assert.True(diff.Identical, diff.ToString());
    }

    [Fact]
    public async Task DiffWithoutBothRunIdsIsInvalidArgument()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = "r1" }, GatewayFixture.Bearer(key)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    private async Task<TraceBundle> GetBundleAsync(Metadata headers, string runId) =>
        await ReadBundleAsync(runId, await RunCalls.BundleAsync(fixture.Runs, headers, runId));

    /// <summary>Reads <paramref name="zip"/> as the <c>factory</c> command does, from a file that is gone afterwards.</summary>
    private static async Task<TraceBundle> ReadBundleAsync(string runId, byte[] zip)
    {
        var folder = Directory.CreateTempSubdirectory("factory-gateway-bundle-");
        try
        {
            var path = Path.Combine(folder.FullName, runId + ".zip");
            await File.WriteAllBytesAsync(path, zip);
            return await TraceBundleFile.ReadAsync(path, CancellationToken.None);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private Task<List<V1.TraceEvent>> WatchToEndAsync(Metadata headers, string runId) =>
        RunCalls.WatchToEndAsync(fixture.Runs, headers, runId, RunTimeout);

    private static async Task FirstAsync<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            await call.ResponseStream.MoveNext(CancellationToken.None);
        }
    }
}
