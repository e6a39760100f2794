extern alias gateway;

using System.Security.Cryptography;
using System.Text;
using Factory.Grains.Runtime;
using gateway::Factory.Gateway;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace Factory.Gateway.Tests;

/// <summary>
/// A real two-silo Orleans test cluster with Factory's runtime, and the gateway hosted on Kestrel at
/// http://127.0.0.1:0 (HTTP/2 cleartext) as an Orleans client of it; tests call it over loopback.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string OperatorKey = "operator-key-for-tests-0123456789";

    /// <summary>The edition new tenants get (the one with the largest quotas).</summary>
    public const string Edition = "enterprise";

    private readonly List<WebApplication> _apps = [];
    private readonly List<GrpcChannel> _channels = [];
    private TestCluster? _cluster;
    private string? _artifacts;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>The silos' artifact store folder.</summary>
    public string ArtifactsPath => _artifacts ?? throw new InvalidOperationException("The cluster is not started.");

    public GrpcChannel Channel { get; private set; } = GrpcChannel.ForAddress("http://127.0.0.1:1");

    public V1.Runs.RunsClient Runs => new(Channel);

    public V1.Blueprints.BlueprintsClient Blueprints => new(Channel);

    public V1.Operators.OperatorsClient Operators => new(Channel);

    public static Metadata Bearer(string key) => new() { { "authorization", $"Bearer {key}" } };

    public static Metadata OperatorHeaders => Bearer(OperatorKey);

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public async Task InitializeAsync()
    {
        _artifacts = Directory.CreateTempSubdirectory("factory-gateway-artifacts-").FullName;
        var builder = new TestClusterBuilder(2);
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Factory:Runtime:ArtifactsPath"] = _artifacts,
        }));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        Channel = await StartGatewayAsync(Sha256Hex(OperatorKey));
    }

    /// <summary>Starts a gateway on a free loopback port (<paramref name="operatorKeySha256"/> null: Operators disabled) and returns a channel to it.</summary>
    public async Task<GrpcChannel> StartGatewayAsync(string? operatorKeySha256)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Factory:Gateway:Urls"] = "http://127.0.0.1:0",
            ["Factory:Gateway:OperatorKeySha256"] = operatorKeySha256,
        });
        builder.Services.AddSingleton<IClusterClient>(Cluster.Client);
        builder.Services.AddSingleton<IGrainFactory>(Cluster.Client);
        builder.AddFactoryGateway();
        var app = builder.Build();
        app.MapFactoryGateway();
        await app.StartAsync();
        _apps.Add(app);
        var channel = GrpcChannel.ForAddress(app.Urls.Single(), new GrpcChannelOptions { MaxReceiveMessageSize = null });
        _channels.Add(channel);
        return channel;
    }

    /// <summary>A new tenant and one API key of it.</summary>
    public async Task<(string TenantId, string Key, string KeyId)> NewTenantAsync(string edition = Edition)
    {
        var tenantId = "t" + Guid.NewGuid().ToString("N")[..12];
        await Operators.CreateTenantAsync(new V1.CreateTenantRequest { TenantId = tenantId, Edition = edition }, OperatorHeaders);
        var key = await Operators.IssueApiKeyAsync(new V1.IssueApiKeyRequest { TenantId = tenantId }, OperatorHeaders);
        return (tenantId, key.Secret, key.KeyId);
    }

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }

        if (_artifacts is not null)
        {
            try
            {
                Directory.Delete(_artifacts, recursive: true);
            }
            catch (IOException)
            {
                // A silo still closing a file; the temp folder is cleaned by the OS.
            }
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorage(FactoryNames.GrainStorage);
            siloBuilder.AddMemoryGrainStorage("PubSubStore");
            siloBuilder.AddMemoryStreams(FactoryNames.StreamProvider);
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.Services.AddFactoryRuntime();
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(FactoryNames.StreamProvider);
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
