using Factory.Grains.Gates;
using static Factory.Grains.Tests.Gates.GateTestSupport;

namespace Factory.Grains.Tests.Gates;

public sealed class CompilesGateTests
{
    [Theory]
    [InlineData("appointments")]
    [InlineData("payments")]
    public async Task RenderedClinicServiceCompilesWithoutDiagnostics(string module)
    {
        var context = ClinicContext(module);

        var finding = await RunAsync(new CompilesGate(), context);

        Assert.True(finding.Violations.Count == 0, string.Join(Environment.NewLine, finding.Violations));
        Assert.Equal($"{SourceCount(context)} files compiled, 0 errors", finding.Summary);
    }

    [Fact]
    public async Task MissingSemicolonIsReportedAtItsPosition()
    {
        var context = Edit(ClinicContext(), "/Program.cs", text => ReplaceOnce(text, "app.Run();", "app.Run()"));
        var program = PathEndingWith(context, "/Program.cs");
        var line = LineOf(context, program, "app.Run()");

        var finding = await RunAsync(new CompilesGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal(GateRuleIds.Compiles, violation.RuleId);
        Assert.Equal($"{program}:{line}:10", violation.Path);
        Assert.StartsWith("CS1002: ", violation.Message, StringComparison.Ordinal);
        Assert.Equal($"{SourceCount(context)} files compiled, 1 errors", finding.Summary);
    }

    [Fact]
    public async Task TypeErrorIsReported()
    {
        var context = Edit(ClinicContext(), "/Program.cs", text => ReplaceOnce(text, "app.Run();", "int count = \"three\";\napp.Run(count.ToString());"));
        var program = PathEndingWith(context, "/Program.cs");
        var line = LineOf(context, program, "int count");

        var finding = await RunAsync(new CompilesGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal($"{program}:{line}:13", violation.Path);
        Assert.StartsWith("CS0029: ", violation.Message, StringComparison.Ordinal);
        Assert.Contains("string", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WarningsFailLikeTheGeneratedProjectsTreatWarningsAsErrors()
    {
        var context = Edit(ClinicContext(), "/Program.cs", text => ReplaceOnce(text, "app.Run();", "var unused = 1;\napp.Run();"));

        var finding = await RunAsync(new CompilesGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.StartsWith("CS0219: ", violation.Message, StringComparison.Ordinal);
        Assert.EndsWith("0 errors, 1 warnings (treated as errors)", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdenticalSourcesAreCompiledOnce()
    {
        var gate = new CompilesGate();
        var context = ClinicContext();

        var first = await RunAsync(gate, context);
        var second = await RunAsync(gate, context with { BlueprintHash = "other", RunCostUsd = 3m });

        Assert.Equal(1, gate.CompilationCount);
        Assert.Same(first, second);

        await RunAsync(gate, Edit(context, "/Program.cs", text => text + "\n"));
        Assert.Equal(2, gate.CompilationCount);
    }

    [Fact]
    public async Task SourcePathsArePartOfTheCacheKey()
    {
        var gate = new CompilesGate();
        var source = "namespace N;\n\ninternal static class Entry\n{\n    private static void Main()\n    {\n    }\n}\n";
        var context = ClinicContext() with { Artifacts = [Artifact("src/A/Entry.cs", source)] };

        await RunAsync(gate, context);
        await RunAsync(gate, context with { Artifacts = [Artifact("src/B/Entry.cs", source)] });

        Assert.Equal(2, gate.CompilationCount);
    }

    [Fact]
    public async Task CacheIsBounded()
    {
        var gate = new CompilesGate(cacheCapacity: 1);
        var a = ClinicContext() with { Artifacts = [Artifact("src/A.cs", "System.Console.WriteLine(1);\n")] };
        var b = ClinicContext() with { Artifacts = [Artifact("src/A.cs", "System.Console.WriteLine(2);\n")] };

        await RunAsync(gate, a);
        await RunAsync(gate, b);
        await RunAsync(gate, b);
        await RunAsync(gate, a);

        Assert.Equal(3, gate.CompilationCount);
    }

    [Fact]
    public async Task SourceGeneratorsOfTheSdkRun()
    {
        var source = """
            using System.Text.Json.Serialization;
            using System.Text.RegularExpressions;

            var builder = WebApplication.CreateBuilder(args);
            var app = builder.Build();
            Log.Started(app.Logger, Patterns.Digits().IsMatch("42"));
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Reading(1), ReadingContext.Default.Reading));
            app.Run();

            internal static partial class Log
            {
                [LoggerMessage(1, LogLevel.Information, "Started: {Ready}")]
                public static partial void Started(ILogger logger, bool ready);
            }

            internal static partial class Patterns
            {
                [GeneratedRegex("^[0-9]+$")]
                public static partial Regex Digits();
            }

            internal sealed record Reading(int Value);

            [JsonSerializable(typeof(Reading))]
            internal sealed partial class ReadingContext : JsonSerializerContext;
            """;
        var context = ClinicContext() with { Artifacts = [Artifact("src/Svc/Program.cs", source)] };

        var finding = await RunAsync(new CompilesGate(), context);

        Assert.True(finding.Violations.Count == 0, string.Join(Environment.NewLine, finding.Violations));
    }

    [Fact]
    public async Task PackagesOfGeneratedServicesResolve()
    {
        var source = """
            using OpenTelemetry.Metrics;
            using OpenTelemetry.Trace;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddRedaction();
            builder.Logging.EnableRedaction();
            builder.Services.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddOtlpExporter())
                .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation().AddOtlpExporter());
            builder.Build().Run();
            """;
        var context = ClinicContext() with { Artifacts = [Artifact("src/Svc/Program.cs", source)] };

        var finding = await RunAsync(new CompilesGate(), context);

        Assert.True(finding.Violations.Count == 0, string.Join(Environment.NewLine, finding.Violations));
    }

    [Fact]
    public async Task ModuleWithoutSourcesFails()
    {
        var context = ClinicContext() with { Artifacts = [Artifact("tests/Svc.Tests/Tests.cs", "internal static class Tests;\n")] };

        var finding = await RunAsync(new CompilesGate(), context);

        Assert.Equal("the module has no C# sources under src/ to compile", Assert.Single(finding.Violations).Message);
    }

    private static int SourceCount(GateContext context) =>
        context.Artifacts.Count(a => a.Path.StartsWith("src/", StringComparison.Ordinal) && a.Path.EndsWith(".cs", StringComparison.Ordinal));
}
