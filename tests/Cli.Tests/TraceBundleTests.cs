using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Factory.Bundles;

namespace Factory.Cli.Tests;

/// <summary>One run of todo-service, bundled and kept in a run library, shared by the tests of a class.</summary>
public sealed class TodoRunFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("factory-bundles-");

    public string Work => _work.FullName;

    public string Store => Path.Combine(Work, "store");

    /// <summary>The run library a run with <c>--store {Store}</c> saves to by default.</summary>
    public string Runs => Path.Combine(Work, "runs");

    public string Bundle => Path.Combine(Work, "todo.zip");

    public string RunId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var (exit, output, errors) = await CliHarness.InvokeAsync(
            "run", CliHarness.Sample("todo-service.yaml"), "--out", Path.Combine(Work, "out"), "--store", Store, "--bundle", Bundle);
        Assert.True(exit == ExitCodes.Success, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{errors}");
        RunId = (await TraceBundleFile.ReadAsync(Bundle, CancellationToken.None)).Manifest.RunId;
    }

    public Task DisposeAsync()
    {
        _work.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>Trace bundles: what <c>run</c> keeps, and the <c>bundle</c>, <c>replay</c> and <c>diff</c> verbs.</summary>
public sealed class TraceBundleTests(TodoRunFixture todo) : IClassFixture<TodoRunFixture>, IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("factory-bundle-test-");

    public void Dispose() => _work.Delete(recursive: true);

    private string InWork(string name) => Path.Combine(_work.FullName, name);

    [Theory]
    [InlineData("todo-service.yaml")]
    [InlineData("clinic-appointments.yaml")]
    [InlineData("marketplace.yaml")]
    public async Task EachSampleIsBundledAndItsReplayReproducesEveryArtifactHash(string sample)
    {
        var store = InWork("store");
        var bundle = InWork("run.zip");
        var (exit, output, errors) = await CliHarness.InvokeAsync("run", CliHarness.Sample(sample), "--out", InWork("out"), "--store", store, "--bundle", bundle);
        Assert.True(exit == ExitCodes.Success, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{errors}");

        var read = await TraceBundleFile.ReadAsync(bundle, CancellationToken.None);
        var manifest = read.Manifest;
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal("default", manifest.TenantId);
        Assert.NotEmpty(manifest.Artifacts);
        Assert.Equal(manifest.Artifacts.Select(a => a.Path), read.Artifacts.Keys);
        Assert.Equal(Blueprints.BlueprintLoader.LoadFile(CliHarness.Sample(sample)).CanonicalJson, read.BlueprintJson);
        Assert.Equal(await File.ReadAllLinesAsync(Path.Combine(InWork("out"), "trace.jsonl")), read.Events);
        Assert.Equal(manifest.Artifacts.Select(a => (a.Skill, a.SkillVersion)).Distinct().Order(), manifest.Skills.Select(s => (s.Id, s.Version)).Order());
        Assert.NotNull(manifest.Timings.EndedAt);

        // The run library beside the store holds the same bytes.
        var saved = Path.Combine(_work.FullName, "runs", manifest.RunId + ".zip");
        Assert.Equal(await File.ReadAllBytesAsync(bundle), await File.ReadAllBytesAsync(saved));

        var (replayExit, replayOutput, replayErrors) = await CliHarness.InvokeAsync("replay", bundle, "--store", InWork("replay-store"));
        Assert.True(replayExit == ExitCodes.Success, $"exit {replayExit}{Environment.NewLine}{replayOutput}{Environment.NewLine}{replayErrors}");
        Assert.Contains($"{manifest.Artifacts.Count} of {manifest.Artifacts.Count} artifact hashes match", replayOutput, StringComparison.Ordinal);
        Assert.Equal(manifest.Artifacts.Count, replayOutput.Split('\n').Count(l => l.TrimStart().StartsWith("match ", StringComparison.Ordinal)));
        Assert.DoesNotContain("MISMATCH", replayOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheReaderNamesATamperedArtifactEntryAndReplayRefusesIt()
    {
        const string entry = "artifacts/todos/Dockerfile";
        var sameSize = Copy("same-size.zip");
        Rewrite(sameSize, entry, bytes => { bytes[0] ^= 0x20; return bytes; });
        var longer = Copy("longer.zip");
        Rewrite(longer, entry, bytes => [.. bytes, .. "RUN echo injected\n"u8]);

        var hash = await Assert.ThrowsAsync<BundleFormatException>(() => TraceBundleFile.ReadAsync(sameSize, CancellationToken.None));
        Assert.Equal(entry, hash.Entry);
        Assert.Contains("hashes to", hash.Message, StringComparison.Ordinal);
        var size = await Assert.ThrowsAsync<BundleFormatException>(() => TraceBundleFile.ReadAsync(longer, CancellationToken.None));
        Assert.Equal(entry, size.Entry);

        var (exit, _, errors) = await CliHarness.InvokeAsync("replay", sameSize, "--store", InWork("store"));
        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains($"entry '{entry}'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheReaderNamesAMissingEntryAnUnlistedEntryAndAnUnknownFormatVersion()
    {
        var missing = Copy("missing.zip");
        Rewrite(missing, TraceBundle.EventsEntry, null);
        var error = await Assert.ThrowsAsync<BundleFormatException>(() => TraceBundleFile.ReadAsync(missing, CancellationToken.None));
        Assert.Equal(TraceBundle.EventsEntry, error.Entry);
        Assert.Contains("is missing", error.Message, StringComparison.Ordinal);

        var future = Copy("future.zip");
        Rewrite(future, TraceBundle.ManifestEntry, bytes =>
        {
            var manifest = JsonNode.Parse(bytes)!.AsObject();
            manifest["formatVersion"] = 99;
            return Encoding.UTF8.GetBytes(manifest.ToJsonString());
        });
        error = await Assert.ThrowsAsync<BundleFormatException>(() => TraceBundleFile.ReadAsync(future, CancellationToken.None));
        Assert.Equal(TraceBundle.ManifestEntry, error.Entry);
        Assert.Contains("format version 99", error.Message, StringComparison.Ordinal);

        var extra = Copy("extra.zip");
        using (var zip = ZipFile.Open(extra, ZipArchiveMode.Update))
        {
            using var stream = zip.CreateEntry("artifacts/todos/extra.txt").Open();
            stream.Write("not in the manifest"u8);
        }

        error = await Assert.ThrowsAsync<BundleFormatException>(() => TraceBundleFile.ReadAsync(extra, CancellationToken.None));
        Assert.Equal("artifacts/todos/extra.txt", error.Entry);

        var blueprint = Copy("blueprint.zip");
        Rewrite(blueprint, TraceBundle.BlueprintEntry, bytes => [.. bytes, (byte)' ']);
        error = await Assert.ThrowsAsync<BundleFormatException>(() => TraceBundleFile.ReadAsync(blueprint, CancellationToken.None));
        Assert.Equal(TraceBundle.BlueprintEntry, error.Entry);
    }

    [Fact]
    public async Task WritingABundleIsDeterministic()
    {
        var bundle = await TraceBundleFile.ReadAsync(todo.Bundle, CancellationToken.None);
        using var first = new MemoryStream();
        using var second = new MemoryStream();
        await TraceBundleFile.WriteAsync(first, bundle, CancellationToken.None);
        await TraceBundleFile.WriteAsync(second, bundle, CancellationToken.None);

        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.Equal(await File.ReadAllBytesAsync(todo.Bundle), first.ToArray());
        using var zip = new ZipArchive(new MemoryStream(first.ToArray()), ZipArchiveMode.Read);
        Assert.Equal(
            [TraceBundle.ManifestEntry, TraceBundle.BlueprintEntry, TraceBundle.EventsEntry, .. bundle.Artifacts.Keys.Select(k => "artifacts/" + k)],
            zip.Entries.Select(e => e.FullName));
        Assert.All(zip.Entries, e => Assert.Equal(new DateTime(1980, 1, 1), e.LastWriteTime.DateTime));
    }

    [Fact]
    public async Task DiffOfTwoBlueprintVersionsShowsTheChangedBlueprintPathsAndExactlyTheAffectedArtifacts()
    {
        var modified = InWork("todo-service-0.4.0.yaml");
        var yaml = await File.ReadAllTextAsync(CliHarness.Sample("todo-service.yaml"));
        var edited = yaml
            .Replace("version: 0.3.1", "version: 0.4.0", StringComparison.Ordinal)
            .Replace("          pii: true\n  events:", "          pii: true\n        - name: tags\n          type: string\n          maxLength: 500\n  events:", StringComparison.Ordinal);
        Assert.NotEqual(yaml, edited.Replace("0.4.0", "0.3.1", StringComparison.Ordinal));
        await File.WriteAllTextAsync(modified, edited);
        var (runExit, runOutput, runErrors) = await CliHarness.InvokeAsync("run", modified, "--out", InWork("out"), "--store", todo.Store);
        Assert.True(runExit == ExitCodes.Success, $"exit {runExit}{Environment.NewLine}{runOutput}{Environment.NewLine}{runErrors}");
        var newRun = Directory.EnumerateFiles(todo.Runs, "*.zip").Select(Path.GetFileNameWithoutExtension).Single(id => id != todo.RunId && runOutput.Contains(id!, StringComparison.Ordinal))!;

        // Text: a saved run id on each side.
        var (exit, output, errors) = await CliHarness.InvokeAsync("diff", todo.RunId, newRun, "--runs", todo.Runs);
        Assert.True(exit == ExitCodes.Differences, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{errors}");
        Assert.Contains("~ metadata.version: \"0.3.1\" -> \"0.4.0\"", output, StringComparison.Ordinal);
        Assert.Contains("+ domain.entities[0].fields[9]: {\"name\":\"tags\",\"type\":\"string\"", output, StringComparison.Ordinal);
        Assert.Contains("  M todos/src/TodoService.Todos.Api/Entities/TodoItem.cs", output, StringComparison.Ordinal);
        Assert.Contains("  M todos/src/TodoService.Todos.Api/Dtos/TodoItemDtos.cs", output, StringComparison.Ordinal);
        Assert.Contains("  M todos/contracts/openapi.yaml", output, StringComparison.Ordinal);
        Assert.Contains("--- a/todos/src/TodoService.Todos.Api/Entities/TodoItem.cs", output, StringComparison.Ordinal);
        Assert.Contains("+++ b/todos/src/TodoService.Todos.Api/Entities/TodoItem.cs", output, StringComparison.Ordinal);
        Assert.Contains(output.Split('\n'), l => l.StartsWith('+') && !l.StartsWith("+++", StringComparison.Ordinal) && l.Contains("Tags", StringComparison.Ordinal));
        Assert.DoesNotContain("todos/src/TodoService.Todos.Api/Repositories/ITodoItemRepository.cs", output, StringComparison.Ordinal);
        Assert.DoesNotContain("todos/Todos.slnx", output, StringComparison.Ordinal);
        Assert.DoesNotContain("todos/.editorconfig", output, StringComparison.Ordinal);

        // JSON: exactly the two blueprint paths; no artifact added or removed.
        var (jsonExit, json, _) = await CliHarness.InvokeAsync("diff", todo.Bundle, Path.Combine(todo.Runs, newRun + ".zip"), "--json");
        Assert.Equal(ExitCodes.Differences, jsonExit);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.False(root.GetProperty("identical").GetBoolean());
        Assert.Equal(
            ["changed metadata.version \"0.3.1\" -> \"0.4.0\"", "added domain.entities[0].fields[9]"],
            root.GetProperty("blueprint").EnumerateArray().Select(c =>
                c.GetProperty("change").GetString() + " " + c.GetProperty("path").GetString()
                + (c.TryGetProperty("old", out var old) ? $" {old.GetString()} -> {c.GetProperty("new").GetString()}" : "")));
        var artifacts = root.GetProperty("artifacts").EnumerateArray().ToList();
        Assert.All(artifacts, a => Assert.Equal("changed", a.GetProperty("change").GetString()));
        var dockerfile = artifacts.Single(a => a.GetProperty("path").GetString() == "todos/Dockerfile");
        var changedLines = dockerfile.GetProperty("diff").GetString()!.Split('\n')
            .Where(l => (l.StartsWith('+') || l.StartsWith('-')) && !l.StartsWith("+++", StringComparison.Ordinal) && !l.StartsWith("---", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(["-# Generated by Factory from blueprint todo-service 0.3.1, module todos.", "+# Generated by Factory from blueprint todo-service 0.4.0, module todos."], changedLines);
        Assert.Empty(root.GetProperty("run").EnumerateArray());

        // --stat: names only.
        var (statExit, stat, _) = await CliHarness.InvokeAsync("diff", todo.Bundle, Path.Combine(todo.Runs, newRun + ".zip"), "--stat");
        Assert.Equal(ExitCodes.Differences, statExit);
        Assert.Contains("  ~ metadata.version", stat, StringComparison.Ordinal);
        Assert.DoesNotContain("0.4.0\"", stat, StringComparison.Ordinal);
        Assert.Contains("  M todos/src/TodoService.Todos.Api/Entities/TodoItem.cs", stat, StringComparison.Ordinal);
        Assert.DoesNotContain("@@", stat, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiffOfTwoRunsOfTheSameBlueprintOrOfARunWithItselfReportsNoDifference()
    {
        var again = InWork("again.zip");
        var (runExit, runOutput, runErrors) = await CliHarness.InvokeAsync("run", CliHarness.Sample("todo-service.yaml"), "--out", InWork("out"), "--store", InWork("store"), "--bundle", again);
        Assert.True(runExit == ExitCodes.Success, $"exit {runExit}{Environment.NewLine}{runOutput}{Environment.NewLine}{runErrors}");

        var (exit, output, errors) = await CliHarness.InvokeAsync("diff", todo.RunId, again, "--runs", todo.Runs);
        Assert.True(exit == ExitCodes.Success, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{errors}");
        Assert.Contains("no differences", output, StringComparison.Ordinal);

        var (selfExit, self, _) = await CliHarness.InvokeAsync("diff", todo.Bundle, todo.Bundle, "--json");
        Assert.Equal(ExitCodes.Success, selfExit);
        using var document = JsonDocument.Parse(self);
        Assert.True(document.RootElement.GetProperty("identical").GetBoolean());
        Assert.Empty(document.RootElement.GetProperty("artifacts").EnumerateArray());
    }

    [Fact]
    public async Task DiffReportsAChangedGateResultPerModuleAndRule()
    {
        var bundle = await TraceBundleFile.ReadAsync(todo.Bundle, CancellationToken.None);
        BundleGate Gate(string rule, bool passed) => new("todos", rule, GateMode.Block, passed, passed ? "6 of 6 covered" : "5 of 6 covered", []);
        var before = bundle with { Manifest = bundle.Manifest with { Gates = [Gate("operation-test-coverage", true), Gate("compiles", true)] } };
        var after = bundle with { Manifest = bundle.Manifest with { Gates = [Gate("operation-test-coverage", false), Gate("compiles", true), Gate("auth-scope-required", true)] } };

        var diff = BundleDiff.Compare(before, after);

        Assert.False(diff.Identical);
        Assert.Empty(diff.Artifacts);
        Assert.Equal(
            new[]
            {
                new GateChange("todos", "auth-scope-required", ChangeKind.Added, null, "passed (block)", null, "6 of 6 covered"),
                new GateChange("todos", "operation-test-coverage", ChangeKind.Changed, "passed", "failed", "6 of 6 covered", "5 of 6 covered"),
            },
            diff.Gates.ToArray());
        Assert.Contains("~ todos/operation-test-coverage: passed -> failed", DiffCommandText(diff), StringComparison.Ordinal);
    }

    [Fact]
    public void BlueprintDiffListsAddedRemovedAndChangedJsonPaths()
    {
        var changes = BundleDiff.CompareBlueprints(
            """{"metadata":{"name":"a","version":"1.0.0"},"modules":[{"name":"m","entities":["X","Y"]}],"secrets":[]}""",
            """{"metadata":{"name":"a","version":"1.1.0","owner":"team"},"modules":[{"name":"m","entities":["X"]}],"secrets":[{"name":"k"}]}""");

        Assert.Equal(
            new[]
            {
                new BlueprintChange("metadata.version", ChangeKind.Changed, "\"1.0.0\"", "\"1.1.0\""),
                new BlueprintChange("metadata.owner", ChangeKind.Added, null, "\"team\""),
                new BlueprintChange("modules[0].entities[1]", ChangeKind.Removed, "\"Y\"", null),
                new BlueprintChange("secrets[0]", ChangeKind.Added, null, "{\"name\":\"k\"}"),
            },
            changes.ToArray());
    }

    [Fact]
    public async Task BundleExportsASavedRunByIdPrefixAndAnUnknownRunExitsTwoNamingIt()
    {
        var target = InWork("exported.zip");
        var (exit, output, errors) = await CliHarness.InvokeAsync("bundle", todo.RunId[..28], "--out", target, "--runs", todo.Runs);
        Assert.True(exit == ExitCodes.Success, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{errors}");
        Assert.Contains(todo.RunId, output, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(todo.Bundle), await File.ReadAllBytesAsync(target));

        const string unknown = "0123456789abcdef0123456789abcdef";
        (exit, _, errors) = await CliHarness.InvokeAsync("bundle", unknown, "--runs", todo.Runs);
        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains($"no run '{unknown}'", errors, StringComparison.Ordinal);

        (exit, _, errors) = await CliHarness.InvokeAsync("diff", todo.RunId, unknown, "--runs", todo.Runs);
        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains(unknown, errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplayListsEachArtifactItDidNotReproduceAndExitsOne()
    {
        // A well-formed bundle whose recorded Dockerfile is not what the pack makes, and which lacks the solution file.
        var bundle = await TraceBundleFile.ReadAsync(todo.Bundle, CancellationToken.None);
        byte[] dockerfile = [.. bundle.Artifacts["todos/Dockerfile"], .. "RUN echo injected\n"u8];
        var altered = bundle with
        {
            Manifest = bundle.Manifest with
            {
                Artifacts = [.. bundle.Manifest.Artifacts
                    .Where(a => a.Path != "todos/Todos.slnx")
                    .Select(a => a.Path == "todos/Dockerfile" ? a with { Sha256 = ContentHash.Sha256Hex(dockerfile), Size = dockerfile.Length } : a)],
            },
            Artifacts = bundle.Artifacts.Remove("todos/Todos.slnx").SetItem("todos/Dockerfile", dockerfile),
        };
        var recorded = InWork("altered.zip");
        await TraceBundleFile.WriteAsync(recorded, altered, CancellationToken.None);
        var replayed = InWork("replayed.zip");

        var (exit, output, errors) = await CliHarness.InvokeAsync("replay", recorded, "--store", InWork("store"), "--bundle", replayed);

        Assert.True(exit == ExitCodes.Differences, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{errors}");
        Assert.Contains("MISMATCH  todos/Dockerfile", output, StringComparison.Ordinal);
        Assert.Contains("EXTRA     todos/Todos.slnx", output, StringComparison.Ordinal);
        Assert.Contains($"{bundle.Manifest.Artifacts.Count - 2} of {bundle.Manifest.Artifacts.Count - 1} artifact hashes match; 2 artifact(s) differ", output, StringComparison.Ordinal);

        // The replay's own bundle diffs against the recording: exactly those two artifacts.
        var (diffExit, diff, _) = await CliHarness.InvokeAsync("diff", recorded, replayed);
        Assert.Equal(ExitCodes.Differences, diffExit);
        Assert.Contains("artifacts: 1 changed, 1 added, 0 removed", diff, StringComparison.Ordinal);
        Assert.Contains("  M todos/Dockerfile", diff, StringComparison.Ordinal);
        Assert.Contains("  A todos/Todos.slnx", diff, StringComparison.Ordinal);
        Assert.Contains("\n-RUN echo injected\n", diff.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("blueprint:", diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplayUnderAnotherTemplatePackSaysSoInsteadOfReportingMismatches()
    {
        var pack = InWork("pack");
        RepositoryPaths.CopyTemplatePack(pack);
        var manifest = Path.Combine(pack, "pack.yaml");
        var builtIn = Factory.Grains.Skills.TemplatePack.LoadEmbedded().Version;
        var text = (await File.ReadAllTextAsync(manifest)).ReplaceLineEndings("\n");
        Assert.Contains($"\nversion: {builtIn}\n", text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(manifest, text.Replace($"\nversion: {builtIn}\n", "\nversion: 9.9.9\n", StringComparison.Ordinal));

        var (exit, output, errors) = await CliHarness.InvokeAsync("replay", todo.Bundle, "--templates", pack, "--store", InWork("store"));

        Assert.Equal(ExitCodes.Differences, exit);
        Assert.Contains($"template pack dotnet-service@{builtIn}", errors, StringComparison.Ordinal);
        Assert.Contains("dotnet-service@9.9.9", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("MISMATCH", output, StringComparison.Ordinal);
        Assert.DoesNotContain("match", output, StringComparison.Ordinal);
    }

    private static string DiffCommandText(BundleDiff diff) => Commands.DiffCommand.ToText(diff, stat: false);

    private string Copy(string name)
    {
        var path = InWork(name);
        File.Copy(todo.Bundle, path);
        return path;
    }

    /// <summary>Replaces (or, with a null <paramref name="change"/>, deletes) one entry of a zip.</summary>
    private static void Rewrite(string zipPath, string entryName, Func<byte[], byte[]>? change)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Update);
        var entry = zip.GetEntry(entryName) ?? throw new InvalidOperationException($"{entryName} is not in {zipPath}.");
        byte[] bytes;
        using (var source = entry.Open())
        using (var buffer = new MemoryStream())
        {
            source.CopyTo(buffer);
            bytes = buffer.ToArray();
        }

        entry.Delete();
        if (change is not null)
        {
            using var target = zip.CreateEntry(entryName).Open();
            target.Write(change(bytes));
        }
    }

}
