using System.Security.Cryptography;
using System.Text.Json;

namespace Factory.Cli.Tests;

/// <summary>The README's first command, end to end: an embedded silo, a real run, files on disk, a build of the output.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("factory-cli-");

    private string Out => Path.Combine(_work.FullName, "out");

    private string Store => Path.Combine(_work.FullName, "store");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task RunWritesEveryArtifactTheTraceAndASummaryAndTheGeneratedServiceBuilds()
    {
        // "--out DIR/", with the trailing separator, as the README writes it.
        var (exit, output, errors) = await CliHarness.InvokeAsync("run", CliHarness.Sample("clinic-appointments.yaml"), "--out", Out + Path.DirectorySeparatorChar, "--store", Store);

        Assert.True(exit == ExitCodes.Success, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{errors}");
        Assert.Contains("Succeeded", output, StringComparison.Ordinal);
        Assert.Contains("18/18 done", output, StringComparison.Ordinal);

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Out, "run.json")));
        var root = summary.RootElement;
        Assert.Equal("succeeded", root.GetProperty("status").GetString());
        var runId = root.GetProperty("runId").GetString();
        Assert.Contains(runId!, output, StringComparison.Ordinal);
        Assert.Contains(root.GetProperty("traceId").GetString()!, output, StringComparison.Ordinal);

        // Every artifact is on disk with the content its hash names.
        var artifacts = root.GetProperty("artifacts").EnumerateArray().ToList();
        Assert.NotEmpty(artifacts);
        foreach (var artifact in artifacts)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(Out, artifact.GetProperty("path").GetString()!));
            Assert.Equal(artifact.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }

        // The trace: one JSON object per journaled event, in sequence order, ending with the terminal event.
        var lines = await File.ReadAllLinesAsync(Path.Combine(Out, "trace.jsonl"));
        Assert.Equal(root.GetProperty("eventCount").GetInt64(), lines.Length);
        var events = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Enumerable.Range(0, lines.Length).Select(i => (long)i), events.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.All(events, e => Assert.Equal(runId, e.GetProperty("runId").GetString()));
        Assert.Equal("RunSucceeded", events[^1].GetProperty("type").GetString());

        // No machine path or timestamp of this run leaks into generated files.
        foreach (var artifact in artifacts)
        {
            var text = await File.ReadAllTextAsync(Path.Combine(Out, artifact.GetProperty("path").GetString()!));
            Assert.DoesNotContain(_work.FullName, text, StringComparison.Ordinal);
            Assert.DoesNotContain(runId!, text, StringComparison.Ordinal);
        }

        // The generated service builds, warnings as errors, with the SDK and the package feed.
        var (buildExit, buildOutput) = await CliHarness.RunProcessAsync("dotnet", "build --nologo", Path.Combine(Out, "appointments"), TimeSpan.FromMinutes(5));
        Assert.True(buildExit == 0, buildOutput);
        Assert.Contains("0 Warning(s)", buildOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOfAnInvalidBlueprintPrintsEveryProblemWithItsLocationAndStartsNothing()
    {
        var blueprint = Path.Combine(_work.FullName, "broken.yaml");
        await File.WriteAllTextAsync(blueprint, """
            apiVersion: factory/v1
            metadata:
              name: Broken_Name
              version: one
            modules:
              - name: orders
                dependsOn: [missing]
                operations:
                  - name: GetOrder
                    method: FETCH
                    path: /orders/../secrets
                    scope: orders.read
            """);

        var (exit, output, errors) = await CliHarness.InvokeAsync("run", blueprint, "--out", Out, "--store", Store);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("nothing was started", errors, StringComparison.Ordinal);
        Assert.Contains("broken.yaml:3:9: metadata.name", errors, StringComparison.Ordinal);
        Assert.Contains("broken.yaml:4:12: metadata.version", errors, StringComparison.Ordinal);
        Assert.Contains("modules[0].dependsOn[0]", errors, StringComparison.Ordinal);
        Assert.Contains("modules[0].operations[0].method", errors, StringComparison.Ordinal);
        Assert.Contains("modules[0].operations[0].path", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Run ", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task RunBlockedByAGateExitsThreeAndPrintsEachViolation()
    {
        var blueprint = Path.Combine(_work.FullName, "todo-unscoped.yaml");
        var yaml = (await File.ReadAllTextAsync(CliHarness.Sample("todo-service.yaml"))).ReplaceLineEndings("\n")
            .Replace("        scope: todos.read\n        output: TodoItem[]\n", "        output: TodoItem[]\n", StringComparison.Ordinal);
        await File.WriteAllTextAsync(blueprint, yaml);

        var (exit, output, errors) = await CliHarness.InvokeAsync("run", blueprint, "--out", Out, "--store", Store);

        Assert.True(exit == ExitCodes.RunBlocked, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{errors}");
        Assert.Contains("Blocked", output, StringComparison.Ordinal);
        Assert.Contains("auth-scope-required", output, StringComparison.Ordinal);
        Assert.Contains("modules[0].operations[2].scope", output, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Out, "run.json")));
        var failed = summary.RootElement.GetProperty("gates").EnumerateArray().Where(g => !g.GetProperty("passed").GetBoolean()).ToList();
        Assert.Equal("auth-scope-required", Assert.Single(failed).GetProperty("rule").GetString());
        Assert.False(File.Exists(Path.Combine(Out, "todos", "release", "manifest.json")));
    }

    [Fact]
    public async Task ValidatePrintsTheCanonicalHashOfAValidBlueprint()
    {
        var (exit, output, _) = await CliHarness.InvokeAsync("validate", CliHarness.Sample("todo-service.yaml"));
        var expected = Blueprints.BlueprintLoader.LoadFile(CliHarness.Sample("todo-service.yaml")).Hash;

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains($"sha256 {expected}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOfAMissingFileSaysWhichFile()
    {
        var missing = Path.Combine(_work.FullName, "nope.yaml");
        var (exit, _, errors) = await CliHarness.InvokeAsync("run", missing, "--out", Out);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("nope.yaml", errors, StringComparison.Ordinal);
    }
}
