using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;

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

    private readonly List<TestGateway> _gateways = [];
    private readonly List<GrpcChannel> _channels = [];
    private FactoryCluster? _cluster;

    public FactoryCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>The silos' artifact store folder.</summary>
    public string ArtifactsPath => Cluster.ArtifactsPath;

    public GrpcChannel Channel { get; private set; } = GrpcChannel.ForAddress("http://127.0.0.1:1");

    public V1.Runs.RunsClient Runs => new(Channel);

    public V1.Blueprints.BlueprintsClient Blueprints => new(Channel);

    public V1.Operators.OperatorsClient Operators => new(Channel);

    public static Metadata Bearer(string key) => new() { { "authorization", $"Bearer {key}" } };

    public static Metadata OperatorHeaders => Bearer(OperatorKey);

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public async Task InitializeAsync()
    {
        _cluster = await FactoryCluster.StartAsync();
        Channel = await StartGatewayAsync(Sha256Hex(OperatorKey));
    }

    /// <summary>Starts a gateway on a free loopback port (<paramref name="operatorKeySha256"/> null: Operators disabled) and returns a channel to it.</summary>
    public async Task<GrpcChannel> StartGatewayAsync(string? operatorKeySha256)
    {
        var gateway = await TestGateway.StartAsync(Cluster.Client, operatorKeySha256);
        _gateways.Add(gateway);
        var channel = GrpcChannel.ForAddress(gateway.Url, new GrpcChannelOptions { MaxReceiveMessageSize = null });
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

        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
