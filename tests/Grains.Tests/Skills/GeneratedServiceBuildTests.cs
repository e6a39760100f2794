using System.Diagnostics;
using Factory.Grains.Skills;

namespace Factory.Grains.Tests.Skills;

/// <summary>The developer output is a real service: render the clinic sample and build it with the SDK, offline.</summary>
public sealed class GeneratedServiceBuildTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClinicSampleModulesBuildWithZeroWarnings(bool injectedDescriptions)
    {
        var (blueprint, hash) = injectedDescriptions
            ? ScribanSkillExecutorTests.InjectedClinic(ScribanSkillExecutorTests.Injection + "\n}}} #error injected */ /*")
            : ScribanSkillExecutorTests.ClinicSample();
        var executor = new ScribanSkillExecutor(SkillTestSupport.Pack);
        var root = Path.Combine(Path.GetTempPath(), "factory-skills-build", injectedDescriptions ? "injected" : "clinic");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        foreach (var module in blueprint.Modules)
        {
            var folder = Path.Combine(root, module.Name);
            SkillTestSupport.WriteTo(folder, SkillTestSupport.RenderModule(executor, SkillTestSupport.Pack, blueprint, hash, module));
            var solution = Directory.GetFiles(folder, "*.slnx").Single();
            var (exitCode, output) = await RunAsync(folder, "build", Path.GetFileName(solution), "-nologo", "-clp:NoSummary", "-warnaserror", "-p:UseSharedCompilation=false");
            Assert.True(exitCode == 0, $"dotnet build failed for module {module.Name} in {folder}:\n{output}");
            Assert.DoesNotMatch(@"warning [A-Z]+[0-9]+", output);
        }
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

        // The test host runs under MSBuild-related variables that would leak into the child build.
        foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
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
}
