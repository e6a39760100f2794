using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Factory.Gateway;
using Factory.Grains.Tests.Runs;
using Factory.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Factory.Grains.Tests.Observability;

/// <summary>
/// A silo host with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> pointing at an OTLP/HTTP receiver on loopback (started by the
/// test): a run's spans and Factory's metrics arrive there.
/// </summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private readonly string _artifacts = Directory.CreateTempSubdirectory("factory-otlp-").FullName;
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private TaskCompletionSource _posted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _receiver;
    private WebApplication? _silo;

    public async Task InitializeAsync()
    {
        var receiver = WebApplication.CreateBuilder();
        receiver.Logging.ClearProviders();
        receiver.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = receiver.Build();
        _receiver.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            _received.Enqueue((signal, body.ToArray()));
            Interlocked.Exchange(ref _posted, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            return Results.Ok();
        });
        await _receiver.StartAsync();

        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Factory:SiloPort"] = "0",
            ["Factory:GatewayPort"] = "0",
            ["Factory:Runtime:ArtifactsPath"] = _artifacts,
            ["Factory:Gateway:Urls"] = "http://127.0.0.1:0",
            ["Factory:Gateway:OperatorKeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("operator-key-otlp-0123456789"))),
            ["Factory:Observability:Url"] = "",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.Urls.Single(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        builder.AddFactorySilo();
        builder.AddFactoryGateway();
        builder.AddFactoryObservability();
        _silo = builder.Build();
        _silo.MapFactoryGateway();
        _silo.MapFactoryObservability();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _silo.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { _silo, _receiver })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }

        try
        {
            Directory.Delete(_artifacts, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open; the temp folder is cleaned by the OS
        }
    }

    [Fact]
    public async Task ARunsSpansAndFactoryMetricsAreExportedOverOtlp()
    {
        var silo = _silo ?? throw new InvalidOperationException("not started");
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        var submission = await RunDriver.SubmitAsync(grains, Samples.CanonicalJson("todo-service.yaml"));
        await RunDriver.WatchToEndAsync(grains, submission.RunId);

        // The run's spans (its id is a tag of each) and the Factory meter's instruments arrive at the receiver.
        await ReceivedAsync("traces", submission.RunId);
        await ReceivedAsync("traces", "factory.skill");
        await ReceivedAsync("metrics", "factory.runs.started");
        await ReceivedAsync("metrics", "factory.skill.duration");
    }

    /// <summary>Waits (at most a minute) until a payload of <paramref name="signal"/> holds <paramref name="text"/>.</summary>
    private async Task ReceivedAsync(string signal, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var posted = Volatile.Read(ref _posted).Task;
            if (_received.Any(r => r.Path == signal && Encoding.UTF8.GetString(r.Body).Contains(text, StringComparison.Ordinal)))
            {
                return;
            }

            try
            {
                await posted.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no OTLP {signal} payload holding '{text}' arrived within a minute ({_received.Count} payloads: {string.Join(", ", _received.Select(r => r.Path))})");
            }
        }
    }
}
