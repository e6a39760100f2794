using Grpc.Net.Client;

namespace Factory.Gateway.Tests.Llm;

/// <summary>
/// A two-silo cluster and its gateway whose <c>pro</c> edition uses a chat model served on loopback by
/// <see cref="FakeChatEndpoint"/>; tenant <see cref="DownTenant"/> points at a port where nothing listens and
/// <see cref="SlowTenant"/> at a second endpoint that answers too late. The <c>free</c> edition has no model.
/// </summary>
public sealed class LlmFixture : IAsyncLifetime
{
    public const string Model = "test-model";
    public const string DownTenant = "llm-down";
    public const string SlowTenant = "llm-slow";
    public const string DownRunTenant = "llm-down-run";
    public const string CappedTenant = "llm-capped";
    public const decimal InputPer1K = 0.01m;
    public const decimal OutputPer1K = 0.03m;
    public static readonly TimeSpan SlowTimeout = TimeSpan.FromSeconds(1);

    private FactoryCluster? _cluster;
    private TestGateway? _gateway;

    public FakeChatEndpoint Chat { get; private set; } = null!;

    public FakeChatEndpoint SlowChat { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public FactoryCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    public V1.Runs.RunsClient Runs => new(Channel);

    public V1.Blueprints.BlueprintsClient Blueprints => new(Channel);

    public V1.Operators.OperatorsClient Operators => new(Channel);

    public async Task InitializeAsync()
    {
        Chat = await FakeChatEndpoint.StartAsync();
        SlowChat = await FakeChatEndpoint.StartAsync();
        SlowChat.Responder = _ => new ScriptedAnswer("{}", Delay: TimeSpan.FromSeconds(30));
        var settings = new Dictionary<string, string?>
        {
            ["Factory:Llm:Editions:pro:Endpoint"] = Chat.BaseUrl.ToString(),
            ["Factory:Llm:Editions:pro:Model"] = Model,
            ["Factory:Llm:Editions:pro:ApiKeyVariable"] = "FACTORY_TEST_LLM_KEY",
            ["Factory:Llm:Editions:pro:Timeout"] = "00:00:20",
            ["Factory:Llm:Editions:pro:RetryDelay"] = "00:00:00.050",
            ["Factory:Llm:Prices:test-model:InputPer1K"] = InputPer1K.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Factory:Llm:Prices:test-model:OutputPer1K"] = OutputPer1K.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Factory:Llm:Tenants:{DownTenant}:Endpoint"] = FakeChatEndpoint.Unreachable().ToString(),
            [$"Factory:Llm:Tenants:{DownTenant}:Model"] = Model,
            [$"Factory:Llm:Tenants:{DownTenant}:Timeout"] = "00:00:02",
            [$"Factory:Llm:Tenants:{DownTenant}:RetryDelay"] = "00:00:00.100",
            [$"Factory:Llm:Tenants:{DownRunTenant}:Endpoint"] = FakeChatEndpoint.Unreachable().ToString(),
            [$"Factory:Llm:Tenants:{DownRunTenant}:Model"] = Model,
            [$"Factory:Llm:Tenants:{DownRunTenant}:Timeout"] = "00:00:02",
            [$"Factory:Llm:Tenants:{DownRunTenant}:RetryDelay"] = "00:00:00.100",
            [$"Factory:Llm:Tenants:{CappedTenant}:Endpoint"] = Chat.BaseUrl.ToString(),
            [$"Factory:Llm:Tenants:{CappedTenant}:Model"] = Model,
            [$"Factory:Llm:Tenants:{CappedTenant}:MaxCallsPerRun"] = "1",
            [$"Factory:Llm:Tenants:{SlowTenant}:Endpoint"] = SlowChat.BaseUrl.ToString(),
            [$"Factory:Llm:Tenants:{SlowTenant}:Model"] = Model,
            [$"Factory:Llm:Tenants:{SlowTenant}:Timeout"] = SlowTimeout.ToString(),
            [$"Factory:Llm:Tenants:{SlowTenant}:MaxRetries"] = "1",
            [$"Factory:Llm:Tenants:{SlowTenant}:RetryDelay"] = "00:00:00.100",
        };
        _cluster = await FactoryCluster.StartAsync(settings: settings);
        _gateway = await TestGateway.StartAsync(Cluster.Client, GatewayFixture.Sha256Hex(GatewayFixture.OperatorKey));
        Channel = GrpcChannel.ForAddress(_gateway.Url, new GrpcChannelOptions { MaxReceiveMessageSize = null });
    }

    /// <summary>Creates a tenant (a random id unless given) on <paramref name="edition"/> and issues it a key.</summary>
    public async Task<(string TenantId, Grpc.Core.Metadata Headers)> NewTenantAsync(string edition, string? tenantId = null)
    {
        tenantId ??= "t" + Guid.NewGuid().ToString("N")[..12];
        await Operators.CreateTenantAsync(new V1.CreateTenantRequest { TenantId = tenantId, Edition = edition }, GatewayFixture.OperatorHeaders);
        var key = await Operators.IssueApiKeyAsync(new V1.IssueApiKeyRequest { TenantId = tenantId }, GatewayFixture.OperatorHeaders);
        return (tenantId, GatewayFixture.Bearer(key.Secret));
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        await Chat.DisposeAsync();
        await SlowChat.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class LlmCollection : ICollectionFixture<LlmFixture>
{
    public const string Name = "llm";
}
