using System.Diagnostics;
using Factory.Grains.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Factory.Grains.Tests.Observability;

/// <summary>The redaction services as the runtime registers them: spans before export, classified log parameters.</summary>
public sealed partial class RedactionPipelineTests
{
    private const string Secret = "sk-proj-9fQ2xL7mN4pR8sT1vW3yZ6bC0dE5gH";
    private const string Email = "philippa.quenby@example.org";

    private static ServiceProvider Services() =>
        new ServiceCollection().AddFakeLogging().AddFactoryRedaction().BuildServiceProvider();

    [Fact]
    public void SpansAreRedactedBeforeTheyAreExported()
    {
        using var services = Services();
        using var source = new ActivitySource("factory-redaction-test-" + Guid.NewGuid().ToString("N"));
        var exported = new List<Activity>();
        using (Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddProcessor(new RedactingActivityProcessor(services.GetRequiredService<ITraceRedactor>()))
            .AddInMemoryExporter(exported)
            .Build())
        {
            using var span = source.StartActivity("call");
            Assert.NotNull(span);
            span.SetTag("note", $"ask {Email} for the key");
            span.SetTag("count", 3);
            span.SetStatus(ActivityStatusCode.Error, $"failed with key {Secret}");
        }

        var done = Assert.Single(exported);
        Assert.Equal("ask ***pii*** for the key", done.GetTagItem("note"));
        Assert.Equal(3, done.GetTagItem("count"));
        Assert.Equal("failed with key ***secret***", done.StatusDescription);
    }

    [Fact]
    public void ClassifiedLogParametersAreRedactedAndOthersKept()
    {
        using var services = Services();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("test");

        LogReason(logger, "run-1", $"cancelled by {Email} with token={Secret}");

        var record = Assert.Single(services.GetRequiredService<FakeLogCollector>().GetSnapshot());
        Assert.Contains("run-1", record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Email, record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, record.Message, StringComparison.Ordinal);
        Assert.Contains("cancelled by ***pii*** with ***secret***", record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(record.StructuredState ?? [], kv => kv.Value?.Contains(Secret, StringComparison.Ordinal) == true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: {Reason}")]
    private static partial void LogReason(ILogger logger, string runId, [FreeText] string reason);
}
