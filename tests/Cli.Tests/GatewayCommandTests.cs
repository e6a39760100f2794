using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Factory.Cli.Tests;

/// <summary>The <c>factory</c> client verbs against a real gateway over loopback, in front of a real two-silo cluster.</summary>
public sealed partial class GatewayCommandTests(CliGatewayFixture fixture, ITestOutputHelper output) : IClassFixture<CliGatewayFixture>
{
    [Fact]
    public async Task SubmitWatchOfTodoServiceExitsZeroAndEndsWithRunSucceeded()
    {
        var run = await fixture.TodoRunAsync();
        output.WriteLine(run.Out);
        output.WriteLine(run.Err);

        Assert.True(run.Exit == 0, run.Out + run.Err);
        Assert.Matches(@"(?m)^trace [0-9a-f]{32}$", run.Out);
        var watched = Regex.Matches(run.Out, @"(?m)^\[\s*(\d+)\] (.*)$").Select(m => (Sequence: long.Parse(m.Groups[1].Value), Line: m.Groups[2].Value.Trim())).ToList();
        Assert.NotEmpty(watched);
        Assert.Equal("RunSucceeded", watched[^1].Line);
        Assert.Equal(watched.Select(w => w.Sequence).Order(), watched.Select(w => w.Sequence));
        Assert.Equal(watched.Count, watched.Select(w => w.Sequence).Distinct().Count());
        Assert.Contains(watched, w => w.Line.Contains("/developer done", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetAndListShowTheRun()
    {
        var run = await fixture.TodoRunAsync();

        var get = await fixture.InvokeAsync(run.Key, "get", run.RunId);
        Assert.True(get.Exit == 0, get.Err);
        Assert.Contains(run.RunId, get.Out, StringComparison.Ordinal);
        Assert.Matches(@"status\s+succeeded", get.Out);
        Assert.Matches(@"todo-service@0\.3\.1", get.Out);
        Assert.Contains("auth-scope-required", get.Out, StringComparison.Ordinal);

        var json = await fixture.InvokeAsync(run.Key, "get", run.RunId, "--json");
        Assert.True(json.Exit == 0, json.Err);
        using (var document = JsonDocument.Parse(json.Out))
        {
            Assert.Equal(run.RunId, document.RootElement.GetProperty("runId").GetString());
            Assert.Equal("RUN_STATUS_SUCCEEDED", document.RootElement.GetProperty("status").GetString());
            Assert.True(document.RootElement.GetProperty("tasks").GetArrayLength() > 0);
        }

        var list = await fixture.InvokeAsync(run.Key, "list", "--status", "succeeded", "--blueprint", "todo-service");
        Assert.True(list.Exit == 0, list.Err);
        Assert.Contains(run.RunId, list.Out, StringComparison.Ordinal);

        var none = await fixture.InvokeAsync(run.Key, "list", "--status", "failed");
        Assert.True(none.Exit == 0, none.Err);
        Assert.DoesNotContain(run.RunId, none.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBreaksTheCostDownAndTenantListShowsTheTenantsTotal()
    {
        // A tenant of its own, so that its total is this one run's cost.
        var (tenantId, key, _) = await fixture.NewTenantAsync();
        var submitted = await fixture.InvokeAsync(key, "submit", CliHarness.Sample("todo-service.yaml"), "--watch");
        Assert.True(submitted.Exit == 0, submitted.Out + submitted.Err);
        var run = new FinishedRun(tenantId, key, CliGatewayFixture.RunLine().Match(submitted.Out).Groups[1].Value, submitted.Exit, submitted.Out, submitted.Err);
        var snapshot = await fixture.Cluster.Client.GetGrain<IRunGrain>(run.RunId).GetSnapshotAsync();
        Assert.True(snapshot.CostUsd > 0m);

        var get = await fixture.InvokeAsync(run.Key, "get", run.RunId);
        Assert.True(get.Exit == 0, get.Err);
        var costTable = get.Out[get.Out.LastIndexOf("Cost", StringComparison.Ordinal)..];
        Assert.Matches(@"todos\s.*\(module\)", costTable);
        foreach (var line in snapshot.Costs.Where(l => l.Agent.Length > 0))
        {
            Assert.Matches($@"todos\s.*{line.Agent}\s", costTable);
        }

        var json = await fixture.InvokeAsync(run.Key, "get", run.RunId, "--json");
        using (var document = JsonDocument.Parse(json.Out))
        {
            var costs = document.RootElement.GetProperty("costs").EnumerateArray().ToList();
            Assert.Equal(snapshot.Costs.Length, costs.Count);
            var module = Assert.Single(costs, c => !c.TryGetProperty("agent", out _));
            Assert.Equal((double)snapshot.CostUsd, module.GetProperty("costUsd").GetDouble(), 9);
        }

        var tenants = await fixture.InvokeAsync(CliGatewayFixture.OperatorKey, "tenant", "list");
        Assert.True(tenants.Exit == 0, tenants.Err);
        Assert.Matches($@"{run.TenantId}\s.*\${snapshot.CostUsd.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture).Replace(".", "\\.", StringComparison.Ordinal)}\s", tenants.Out);
    }

    [Fact]
    public async Task ArtifactsDownloadReproducesEverySha256()
    {
        var run = await fixture.TodoRunAsync();
        var folder = Directory.CreateTempSubdirectory("factory-cli-download-").FullName;
        try
        {
            var download = await fixture.InvokeAsync(run.Key, "artifacts", run.RunId, "--download", folder);
            Assert.True(download.Exit == 0, download.Out + download.Err);

            var expected = (await fixture.Cluster.Client.GetGrain<IRunGrain>(run.RunId).GetSnapshotAsync()).Artifacts;
            Assert.NotEmpty(expected);
            var written = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(folder, f).Replace('\\', '/'), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal);
            Assert.Equal(expected.Select(a => a.Path).Order(StringComparer.Ordinal), written.Keys.Order(StringComparer.Ordinal));
            foreach (var artifact in expected)
            {
                Assert.Equal(artifact.Sha256, written[artifact.Path]);
            }

            var list = await fixture.InvokeAsync(run.Key, "artifacts", run.RunId);
            Assert.True(list.Exit == 0, list.Err);
            Assert.Contains($"{expected.Length} artifact(s)", list.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task FeedbackReturnsASequenceAndCancelOfAFinishedRunReportsItsStatus()
    {
        var run = await fixture.TodoRunAsync();

        var feedback = await fixture.InvokeAsync(run.Key, "feedback", run.RunId, "--score", "4", "--comment", "tidy", "--module", "todos");
        Assert.True(feedback.Exit == 0, feedback.Err);
        var sequence = Regex.Match(feedback.Out, @"feedback recorded at sequence (\d+)");
        Assert.True(sequence.Success, feedback.Out);
        Assert.True(long.Parse(sequence.Groups[1].Value) > 0);

        var cancel = await fixture.InvokeAsync(run.Key, "cancel", run.RunId, "--reason", "too late");
        Assert.True(cancel.Exit == 0, cancel.Err);
        Assert.Contains($"run {run.RunId}: succeeded (it had already ended)", cancel.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchReconnectsAfterADroppedStreamAndPrintsNothingTwice()
    {
        var run = await fixture.TodoRunAsync();
        var expected = (await fixture.Cluster.Client.GetGrain<IRunGrain>(run.RunId).GetSnapshotAsync()).EventCount;
        await using var proxy = new DroppingProxy(new Uri(fixture.Url), dropAfterBytes: 12 * 1024);

        var watch = await CliHarness.InvokeAsync("watch", run.RunId, "--json", "--gateway", proxy.Url, "--key", run.Key);
        output.WriteLine(watch.Err);
        output.WriteLine($"{watch.Out.Split('\n').Length} lines, {proxy.Connections} connections");

        Assert.True(watch.Exit == 0, watch.Out + watch.Err);
        Assert.True(proxy.Dropped);
        Assert.True(proxy.Connections >= 2);
        Assert.Contains("reconnecting from sequence", watch.Err, StringComparison.Ordinal);
        var sequences = watch.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line =>
            {
                using var document = JsonDocument.Parse(line);
                return document.RootElement.TryGetProperty("sequence", out var s) ? long.Parse(s.GetString()!) : 0L;
            })
            .ToList();
        Assert.True(sequences.Count >= expected, $"{sequences.Count} events printed, {expected} journaled");
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task WatchFromASequenceStartsThere()
    {
        var run = await fixture.TodoRunAsync();

        var watch = await fixture.InvokeAsync(run.Key, "watch", run.RunId, "--from", "5");

        Assert.True(watch.Exit == 0, watch.Err);
        var first = watch.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.StartsWith("[   5] ", first, StringComparison.Ordinal);
        Assert.Contains("RunSucceeded", watch.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherTenantsRunIsNotFoundNamingTheRun()
    {
        var run = await fixture.TodoRunAsync();
        var (_, otherKey, _) = await fixture.NewTenantAsync();

        foreach (var verb in new[] { "get", "watch", "artifacts", "cancel" })
        {
            var result = await fixture.InvokeAsync(otherKey, verb, run.RunId);
            Assert.True(result.Exit == 2, $"{verb}: {result.Exit} {result.Out} {result.Err}");
            Assert.Contains($"Run '{run.RunId}' was not found", result.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("todo-service", result.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InvalidBlueprintExitsTwoPrintingEachViolationPath()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var file = Path.Combine(Directory.CreateTempSubdirectory("factory-cli-invalid-").FullName, "todo.yaml");
        var yaml = (await File.ReadAllTextAsync(CliHarness.Sample("todo-service.yaml")))
            .Replace("path: /todos/{id}/complete", "path: todos-complete", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, yaml);

        foreach (var args in new[] { new[] { "submit", file }, ["blueprint", "register", file] })
        {
            var result = await fixture.InvokeAsync(key, args);
            Assert.True(result.Exit == 2, $"{result.Exit} {result.Out} {result.Err}");
            Assert.Matches(@"(?m)^\s+modules\[0\]\.operations\[4\]\.path: \d+:\d+: ", result.Err);
        }
    }

    [Fact]
    public async Task SubmitWithAPromptForATenantWithoutAChatModelExitsTwoNamingTheSetting()
    {
        var (tenantId, key, _) = await fixture.NewTenantAsync();

        var result = await fixture.InvokeAsync(key, "submit", "--prompt", "A notes service.");

        Assert.True(result.Exit == 2, $"{result.Exit} {result.Out} {result.Err}");
        var error = result.Err.Replace(Environment.NewLine, "", StringComparison.Ordinal);
        Assert.Contains($"No LLM endpoint is configured for tenant '{tenantId}'", error, StringComparison.Ordinal);
        Assert.Contains($"Factory:Llm:Tenants:{tenantId}:Endpoint", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlueprintRegistryVerbsRegisterListAndGet()
    {
        var (_, key, _) = await fixture.NewTenantAsync();

        var registered = await fixture.InvokeAsync(key, "blueprint", "register", CliHarness.Sample("todo-service.yaml"));
        Assert.True(registered.Exit == 0, registered.Err);
        Assert.Matches(@"registered todo-service@0\.3\.1 sha256 [0-9a-f]{64}", registered.Out);

        var list = await fixture.InvokeAsync(key, "blueprint", "list");
        Assert.True(list.Exit == 0, list.Err);
        Assert.Contains("todo-service", list.Out, StringComparison.Ordinal);

        var get = await fixture.InvokeAsync(key, "blueprint", "get", "todo-service@0.3.1");
        Assert.True(get.Exit == 0, get.Err);
        Assert.Contains("\"name\":\"todo-service\"", get.Out, StringComparison.Ordinal);

        var missing = await fixture.InvokeAsync(key, "blueprint", "get", "todo-service@9.9.9");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("not registered", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuotaRefusalExitsOnePrintingTheQuotaFailure()
    {
        var (tenantId, key, _) = await fixture.NewTenantAsync(CliGatewayFixture.TinyEdition);

        var result = await fixture.InvokeAsync(key, "submit", CliHarness.Sample("todo-service.yaml"));

        Assert.True(result.Exit == 1, $"{result.Exit} {result.Out} {result.Err}");
        Assert.Contains("Quota exceeded", result.Err, StringComparison.Ordinal);
        Assert.Contains($"tenant:{tenantId}: quota blueprint-bytes: the limit is 64", result.Err, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^run ", result.Out);
    }

    [Fact]
    public async Task SubmitOfARegisteredBlueprintWithAnIdempotencyKeyRunsOnce()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var registered = await fixture.InvokeAsync(key, "blueprint", "register", CliHarness.Sample("todo-service.yaml"));
        Assert.True(registered.Exit == 0, registered.Err);

        var first = await fixture.InvokeAsync(key, "submit", "--registered", "todo-service@0.3.1", "--idempotency-key", "once");
        var second = await fixture.InvokeAsync(key, "submit", "--registered", "todo-service@0.3.1", "--idempotency-key", "once");

        Assert.True(first.Exit == 0 && second.Exit == 0, first.Err + second.Err);
        var runId = CliGatewayFixture.RunLine().Match(first.Out).Groups[1].Value;
        Assert.Equal(runId, CliGatewayFixture.RunLine().Match(second.Out).Groups[1].Value);
        Assert.Contains("(an earlier run with this idempotency key)", second.Out, StringComparison.Ordinal);
        var watch = await fixture.InvokeAsync(key, "watch", runId);
        Assert.True(watch.Exit == 0, watch.Out + watch.Err);
        Assert.Matches(@"(?m)^\[\s*\d+\] RunSucceeded$", watch.Out);
    }

    [Fact]
    public async Task TenantAdministrationNeedsTheOperatorKey()
    {
        var (tenantId, key, keyId) = await fixture.NewTenantAsync("free");

        var edition = await fixture.InvokeAsync(CliGatewayFixture.OperatorKey, "tenant", "edition", tenantId, "pro");
        Assert.True(edition.Exit == 0, edition.Err);
        var tenants = await fixture.InvokeAsync(CliGatewayFixture.OperatorKey, "tenant", "list");
        Assert.Matches($@"{tenantId}\s.*pro", tenants.Out);

        var denied = await fixture.InvokeAsync(key, "tenant", "list");
        Assert.Equal(2, denied.Exit);
        Assert.Contains("Permission denied", denied.Err, StringComparison.Ordinal);

        var revoked = await fixture.InvokeAsync(CliGatewayFixture.OperatorKey, "tenant", "key", "revoke", tenantId, keyId);
        Assert.True(revoked.Exit == 0, revoked.Err);
        var refused = await fixture.InvokeAsync(key, "list");
        Assert.Equal(2, refused.Exit);
        Assert.Contains("Not authenticated", refused.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(key, refused.Out + refused.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingKeyExitsTwo()
    {
        var result = await CliHarness.InvokeAsync("list", "--gateway", fixture.Url);

        Assert.Equal(2, result.Exit);
        Assert.Contains("No API key: pass --key or set FACTORY_API_KEY", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GatewayThatIsNotAnHttpUrlExitsTwo()
    {
        var result = await CliHarness.InvokeAsync("list", "--gateway", "127.0.0.1:5000", "--key", "fk_whatever");

        Assert.Equal(2, result.Exit);
        Assert.Contains("--gateway '127.0.0.1:5000' is not an http:// or https:// URL", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableGatewayExitsOneSayingSo()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var result = await CliHarness.InvokeAsync("get", "some-run", "--gateway", $"http://127.0.0.1:{port}", "--key", "fk_whatever");

        Assert.Equal(1, result.Exit);
        Assert.Contains($"Gateway not reachable at http://127.0.0.1:{port}/", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("fk_whatever", result.Out + result.Err, StringComparison.Ordinal);
    }
}
