using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Factory.Gateway;
using Factory.Grains.Tests.Runs;
using Factory.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Grains.Tests.Observability;

/// <summary>A silo host as <c>src/Silo</c> builds it, its observability endpoint scraped and called over loopback.</summary>
public sealed class SiloEndpointTests : IAsyncLifetime
{
    private const string OperatorKey = "operator-key-for-the-dashboard-0123456789";
    private readonly string _artifacts = Directory.CreateTempSubdirectory("factory-observability-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private WebApplication? _app;

    private WebApplication App => _app ?? throw new InvalidOperationException("not started");

    private Uri Endpoint => App.Services.GetRequiredService<FactoryObservabilityEndpoint>().Url;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Factory:SiloPort"] = "0",
            ["Factory:GatewayPort"] = "0",
            ["Factory:Runtime:ArtifactsPath"] = _artifacts,
            ["Factory:Gateway:Urls"] = "http://127.0.0.1:0",
            ["Factory:Gateway:OperatorKeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OperatorKey))),
            ["Factory:Observability:Url"] = "http://127.0.0.1:0",
        });
        builder.AddFactorySilo();
        builder.AddFactoryGateway();
        builder.AddFactoryObservability();
        _app = builder.Build();
        _app.MapFactoryGateway();
        _app.MapFactoryObservability();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _app.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
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
    public async Task PrometheusScrapesTheRunsMetricsOverLoopback()
    {
        var grains = App.Services.GetRequiredService<IGrainFactory>();
        var submission = await RunDriver.SubmitAsync(grains, Samples.CanonicalJson("todo-service.yaml"));
        var events = await RunDriver.WatchToEndAsync(grains, submission.RunId);
        Assert.Equal(TraceEventTypes.RunSucceeded, events[^1].Type);

        using var response = await _http.GetAsync(new Uri(Endpoint, "/metrics"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("factory_runs_started_total{", text, StringComparison.Ordinal);
        Assert.Contains("factory_status=\"Succeeded\"", text, StringComparison.Ordinal);
        Assert.Contains("factory_skill_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("factory_journal_appends_total", text, StringComparison.Ordinal);
        Assert.Contains("factory_cost_USD_total{", text, StringComparison.Ordinal);
        Assert.Contains("factory_stream_lag_seconds_count", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDashboardRefusesWithoutTheOperatorCredentialAndAnswersWithIt()
    {
        var dashboard = new Uri(Endpoint, "/dashboard/");

        using (var anonymous = await _http.GetAsync(dashboard))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Basic", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);
        }

        using (var wrong = await SendAsync(dashboard, new AuthenticationHeaderValue("Bearer", "not-the-operator-key")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var bearer = await SendAsync(dashboard, new AuthenticationHeaderValue("Bearer", OperatorKey)))
        {
            Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
            Assert.Contains("<html", await bearer.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:" + OperatorKey));
        using var browser = await SendAsync(dashboard, new AuthenticationHeaderValue("Basic", basic));
        Assert.Equal(HttpStatusCode.OK, browser.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, AuthenticationHeaderValue authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = authorization;
        return await _http.SendAsync(request);
    }
}
