using System.Text.Json;
using Factory.Bundles;
using Grpc.Core;
using Grpc.Net.Client;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Tests;

/// <summary><c>bundle</c>, <c>replay</c> and <c>diff</c> with <c>--gateway</c>: the gateway's runs instead of the run library.</summary>
public sealed partial class GatewayCommandTests
{
    [Fact]
    public async Task RemoteBundleOfAFinishedRunIsAValidBundleWhoseArtifactsAreTheListedOnes()
    {
        var run = await fixture.TodoRunAsync();
        var folder = Directory.CreateTempSubdirectory("factory-cli-remote-bundle-").FullName;
        try
        {
            var file = Path.Combine(folder, "todo.zip");
            var result = await fixture.InvokeAsync(run.Key, "bundle", run.RunId, "--out", file);
            Assert.True(result.Exit == 0, result.Out + result.Err);
            Assert.Contains($"Run {run.RunId} of todo-service@0.3.1 (Succeeded, ", result.Out, StringComparison.Ordinal);
            Assert.Equal([file], Directory.EnumerateFiles(folder));

            var bundle = await TraceBundleFile.ReadAsync(file, CancellationToken.None);
            Assert.Equal(run.RunId, bundle.Manifest.RunId);
            Assert.Equal(run.TenantId, bundle.Manifest.TenantId);
            var listed = await ListArtifactsAsync(run.Key, run.RunId);
            Assert.NotEmpty(listed);
            Assert.Equal(
                listed.Select(a => (a.Path, a.Sha256, a.Size)).OrderBy(a => a.Path, StringComparer.Ordinal),
                bundle.Manifest.Artifacts.Select(a => (a.Path, a.Sha256, a.Size)).OrderBy(a => a.Path, StringComparer.Ordinal));
            Assert.Equal(listed.Select(a => a.Path).Order(StringComparer.Ordinal), bundle.Artifacts.Keys.Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task RemoteReplayWatchOfTodoServiceIsIdenticalToTheOriginal()
    {
        var run = await fixture.TodoRunAsync();

        var replay = await fixture.InvokeAsync(run.Key, "replay", run.RunId, "--watch");
        output.WriteLine(replay.Out);
        output.WriteLine(replay.Err);

        Assert.True(replay.Exit == 0, replay.Out + replay.Err);
        var replayId = CliGatewayFixture.RunLine().Match(replay.Out).Groups[1].Value;
        Assert.NotEqual(run.RunId, replayId);
        Assert.Contains($"replay of {run.RunId}", replay.Out, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\[\s*\d+\] ", replay.Out);
        Assert.Contains($"a: run {run.RunId} todo-service@0.3.1 ", replay.Out, StringComparison.Ordinal);
        Assert.Contains($"b: run {replayId} todo-service@0.3.1 ", replay.Out, StringComparison.Ordinal);
        Assert.Matches("(?m)^no differences$", replay.Out);
    }

    [Fact]
    public async Task RemoteDiffOfTwoBlueprintVersionsExitsOneListingTheBlueprintPaths()
    {
        var run = await fixture.TodoRunAsync();
        var folder = Directory.CreateTempSubdirectory("factory-cli-remote-diff-").FullName;
        try
        {
            var modified = Path.Combine(folder, "todo-service-0.4.0.yaml");
            var yaml = await File.ReadAllTextAsync(CliHarness.Sample("todo-service.yaml"));
            var edited = yaml
                .Replace("version: 0.3.1", "version: 0.4.0", StringComparison.Ordinal)
                .Replace("          pii: true\n  events:", "          pii: true\n        - name: tags\n          type: string\n          maxLength: 500\n  events:", StringComparison.Ordinal);
            Assert.NotEqual(yaml, edited.Replace("0.4.0", "0.3.1", StringComparison.Ordinal));
            await File.WriteAllTextAsync(modified, edited);
            var submitted = await fixture.InvokeAsync(run.Key, "submit", modified, "--watch");
            Assert.True(submitted.Exit == 0, submitted.Out + submitted.Err);
            var newRun = CliGatewayFixture.RunLine().Match(submitted.Out).Groups[1].Value;

            var diff = await fixture.InvokeAsync(run.Key, "diff", run.RunId, newRun);
            output.WriteLine(diff.Out);
            Assert.True(diff.Exit == 1, diff.Out + diff.Err);
            Assert.StartsWith($"a: run {run.RunId} todo-service@0.3.1 (blueprint ", diff.Out, StringComparison.Ordinal);
            Assert.Contains($"b: run {newRun} todo-service@0.4.0 ", diff.Out, StringComparison.Ordinal);
            Assert.Contains("blueprint: 2 path(s) changed", diff.Out, StringComparison.Ordinal);
            Assert.Contains("  ~ metadata.version: \"0.3.1\" -> \"0.4.0\"", diff.Out, StringComparison.Ordinal);
            Assert.Contains("  + domain.entities[0].fields[9]: {\"name\":\"tags\",\"type\":\"string\"", diff.Out, StringComparison.Ordinal);
            Assert.Contains("  M todos/src/TodoService.Todos.Api/Entities/TodoItem.cs", diff.Out, StringComparison.Ordinal);
            Assert.Contains("--- a/todos/src/TodoService.Todos.Api/Entities/TodoItem.cs", diff.Out, StringComparison.Ordinal);

            var stat = await fixture.InvokeAsync(run.Key, "diff", run.RunId, newRun, "--stat");
            Assert.Equal(1, stat.Exit);
            Assert.Contains("  ~ metadata.version\n", stat.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("@@", stat.Out, StringComparison.Ordinal);

            var json = await fixture.InvokeAsync(run.Key, "diff", run.RunId, newRun, "--json");
            Assert.Equal(1, json.Exit);
            using var document = JsonDocument.Parse(json.Out);
            Assert.False(document.RootElement.GetProperty("identical").GetBoolean());
            Assert.Equal(newRun, document.RootElement.GetProperty("b").GetProperty("runId").GetString());
            Assert.Equal(
                ["changed metadata.version", "added domain.entities[0].fields[9]"],
                document.RootElement.GetProperty("blueprint").EnumerateArray().Select(c => c.GetProperty("change").GetString() + " " + c.GetProperty("path").GetString()));

            var same = await fixture.InvokeAsync(run.Key, "diff", run.RunId, run.RunId);
            Assert.True(same.Exit == 0, same.Out + same.Err);
            Assert.Contains("no differences", same.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task RemoteBundleReplayAndDiffOfAnotherTenantsRunExitTwo()
    {
        var run = await fixture.TodoRunAsync();
        var (_, otherKey, _) = await fixture.NewTenantAsync();
        var folder = Directory.CreateTempSubdirectory("factory-cli-remote-other-").FullName;
        try
        {
            foreach (var args in new[] { new[] { "bundle", run.RunId, "--out", Path.Combine(folder, "x.zip") }, ["replay", run.RunId, "--watch"], ["diff", run.RunId, run.RunId] })
            {
                var result = await fixture.InvokeAsync(otherKey, args);
                Assert.True(result.Exit == 2, $"{args[0]}: {result.Exit} {result.Out} {result.Err}");
                Assert.Contains($"Run '{run.RunId}'", result.Err, StringComparison.Ordinal);
                Assert.Contains("not found", result.Err, StringComparison.Ordinal);
                Assert.DoesNotContain("todo-service", result.Out, StringComparison.Ordinal);
            }

            Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task EmbeddedOnlyOptionsAreRefusedWithAGateway()
    {
        var run = await fixture.TodoRunAsync();

        var replay = await fixture.InvokeAsync(run.Key, "replay", run.RunId, "--store", "somewhere");
        Assert.Equal(2, replay.Exit);
        Assert.Contains("--store applies to the embedded mode only", replay.Err, StringComparison.Ordinal);

        var bundle = await fixture.InvokeAsync(run.Key, "bundle", "../elsewhere");
        Assert.Equal(2, bundle.Exit);
        Assert.Contains("give --out FILE", bundle.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.GetFullPath("../elsewhere.zip.part")));

        var watch = await CliHarness.InvokeAsync("replay", "no-such-bundle.zip", "--watch");
        Assert.Equal(2, watch.Exit);
        Assert.Contains("--watch applies to a replay on a gateway only", watch.Err, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<V1.Artifact>> ListArtifactsAsync(string key, string runId)
    {
        using var channel = GrpcChannel.ForAddress(fixture.Url);
        var runs = new V1.Runs.RunsClient(channel);
        var listed = await runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = runId }, new Metadata { { "authorization", $"Bearer {key}" } });
        return listed.Artifacts;
    }
}
