using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Factory.Blueprints;
using Factory.Grains.Skills;

namespace Factory.Grains.Tests.Skills;

/// <summary>
/// The generated service is real: every module of every sample is rendered, then its solution (service and
/// tests) is built with zero warnings and its own test suite passes, offline from the package feed.
/// </summary>
public sealed partial class GeneratedServiceBuildTests
{
    public static TheoryData<string, string> SampleModules()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in SkillTestSupport.SampleFiles())
        {
            var (blueprint, _) = SkillTestSupport.LoadSample(file);
            foreach (var module in blueprint.Modules)
            {
                data.Add(Path.GetFileName(file), module.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SampleModules))]
    public async Task GeneratedModuleBuildsWithZeroWarningsAndItsTestsPass(string sample, string moduleName)
    {
        var (blueprint, hash) = SkillTestSupport.LoadSample(Path.Combine(SkillTestSupport.BlueprintsFolder(), sample));

        await RenderBuildAndTestAsync(blueprint, hash, moduleName, Path.GetFileNameWithoutExtension(sample));
    }

    [Fact]
    public async Task ModuleWithHostileDescriptionsBuildsAndItsTestsPass()
    {
        var (blueprint, hash) = ScribanSkillExecutorTests.InjectedClinic(ScribanSkillExecutorTests.Injection + "\n}}} #error injected */ /*");

        await RenderBuildAndTestAsync(blueprint, hash, blueprint.Modules[0].Name, "injected");
    }

    [Fact]
    public async Task ModuleWithAWrittenHandlerBuildsAndItsTestsPass()
    {
        var (blueprint, hash) = SkillTestSupport.LoadSample(Path.Combine(SkillTestSupport.BlueprintsFolder(), "todo-service.yaml"));
        var body = Factory.Grains.Llm.HandlerAuthor.Body("""
            if (!Guid.TryParse(id, out var key) || todoItemRepository.Get(key) is not { } item)
            {
                return TypedResults.NotFound();
            }

            return TypedResults.Ok(item);
            """);

        await RenderBuildAndTestAsync(blueprint, hash, "todos", "handler", new Dictionary<string, string> { ["CompleteTodo"] = body });
    }

    private static async Task RenderBuildAndTestAsync(Blueprint blueprint, string hash, string moduleName, string label, IReadOnlyDictionary<string, string>? handlerBodies = null)
    {
        var module = blueprint.Modules.Single(m => m.Name == moduleName);
        var work = Directory.CreateTempSubdirectory($"factory-service-{label}-{module.Name}-");
        var folder = Path.Combine(work.FullName, module.Name);

        var executor = new ScribanSkillExecutor(SkillTestSupport.Pack);
        var files = SkillTestSupport.RenderModule(executor, SkillTestSupport.Pack, blueprint, hash, module, handlerBodies);
        SkillTestSupport.WriteTo(folder, files);

        var expected = ExpectedTestCount(files, module);
        var solution = Directory.GetFiles(folder, "*.slnx").Single();
        var (exitCode, output) = await RunAsync(folder, "test", Path.GetFileName(solution), "-warnaserror", "-nodeReuse:false", "-p:UseSharedCompilation=false");

        Assert.True(exitCode == 0, $"dotnet test failed for module {module.Name} in {folder}:\n{output}");
        Assert.DoesNotMatch(@"warning [A-Z]+[0-9]+", output);
        var summary = TestSummary().Match(output);
        Assert.True(summary.Success, $"No test summary for module {module.Name}:\n{output}");
        Assert.Equal(0, int.Parse(summary.Groups["failed"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(expected, int.Parse(summary.Groups["passed"].Value, CultureInfo.InvariantCulture));

        // Kept on failure, for a look at what was generated.
        work.Delete(recursive: true);
    }

    /// <summary>
    /// The number of test cases in the generated test project, after checking that every operation has at least
    /// three tests named <c>{Operation}_{Scenario}</c> (success, missing scope, insufficient scope).
    /// </summary>
    private static int ExpectedTestCount(IReadOnlyList<GeneratedFile> files, ModuleSpec module)
    {
        var sources = files
            .Where(f => f.Path.StartsWith("tests/", StringComparison.Ordinal) && f.Path.EndsWith(".cs", StringComparison.Ordinal))
            .Select(f => Encoding.UTF8.GetString(f.Content.Span))
            .ToList();
        var methods = sources.SelectMany(s => TestMethod().Matches(s)).Select(m => m.Groups["name"].Value).ToList();
        foreach (var operation in module.Operations)
        {
            var prefix = TemplateFunctions.Pascal(operation.Name) + "_";
            var tests = methods.Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            Assert.True(tests.Count >= 3, $"{module.Name}: {operation.Name} has {tests.Count} tests: {string.Join(", ", tests)}");
            Assert.Contains(tests, t => t.EndsWith("_WithoutScopesHeader_ReturnsUnauthorized", StringComparison.Ordinal));
            Assert.Contains(tests, t => t.EndsWith("_WithoutRequiredScope_ReturnsForbidden", StringComparison.Ordinal));
        }

        var facts = sources.Sum(s => Regex.Count(s, @"^\s*\[Fact\]", RegexOptions.Multiline));
        var cases = sources.Sum(s => Regex.Count(s, @"^\s*\[InlineData\(", RegexOptions.Multiline));
        Assert.True(facts >= 3 * module.Operations.Count, $"{module.Name}: {facts} facts for {module.Operations.Count} operations.");
        return facts + cases;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs under MSBuild-related variables that would leak into the child build, and a
        // telemetry endpoint of the host must not turn on the generated service's exporter.
        foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            start.Environment.Remove(variable);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"\[(?:Fact|Theory)\][^{;]*?\bpublic\s+async\s+Task\s+(?<name>[A-Za-z0-9_]+)\s*\(", RegexOptions.Singleline)]
    private static partial Regex TestMethod();

    [GeneratedRegex(@"Failed:\s+(?<failed>\d+),\s+Passed:\s+(?<passed>\d+),\s+Skipped:\s+(?<skipped>\d+),\s+Total:\s+(?<total>\d+)")]
    private static partial Regex TestSummary();
}
