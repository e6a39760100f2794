using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Factory.Cli.Tests;

/// <summary>
/// A real two-silo Orleans test cluster with Factory's runtime and the gateway on Kestrel at a free loopback
/// port (HTTP/2 cleartext), as an Orleans client of it: the <c>factory</c> client verbs are run against it.
/// </summary>
public sealed partial class CliGatewayFixture : IAsyncLifetime
{
    public const string OperatorKey = "operator-key-for-cli-tests-0123456789";

    /// <summary>An edition whose blueprints may be at most 64 bytes.</summary>
    public const string TinyEdition = "tiny";

    private readonly Lazy<Task<FinishedRun>> _todoRun;
    private TestGateway? _gateway;
    private FactoryCluster? _cluster;

    public CliGatewayFixture() => _todoRun = new(SubmitTodoRunAsync);

    public FactoryCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>The gateway's URL.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The <c>--gateway</c> and <c>--key</c> arguments for <paramref name="key"/>.</summary>
    public string[] As(string key) => ["--gateway", Url, "--key", key];

    /// <summary>Runs <c>factory</c> with <paramref name="args"/> against this gateway as the holder of <paramref name="key"/>.</summary>
    public Task<(int Exit, string Out, string Err)> InvokeAsync(string key, params string[] args) => CliHarness.InvokeAsync([.. args, .. As(key)]);

    /// <summary>A new tenant, created and given a key through the command line.</summary>
    public async Task<(string TenantId, string Key, string KeyId)> NewTenantAsync(string edition = "enterprise")
    {
        var tenantId = "c" + Guid.NewGuid().ToString("N")[..12];
        var created = await InvokeAsync(OperatorKey, "tenant", "create", tenantId, "--edition", edition);
        Assert.True(created.Exit == 0, created.Err);
        var issued = await InvokeAsync(OperatorKey, "tenant", "key", "issue", tenantId);
        Assert.True(issued.Exit == 0, issued.Err);
        var secret = SecretLine().Match(issued.Out);
        var keyId = KeyIdLine().Match(issued.Out);
        Assert.True(secret.Success && keyId.Success, issued.Out);
        return (tenantId, secret.Groups[1].Value, keyId.Groups[1].Value);
    }

    /// <summary>One todo-service run of its own tenant, submitted with <c>submit --watch</c> (once, shared by the tests).</summary>
    public Task<FinishedRun> TodoRunAsync() => _todoRun.Value;

    public async Task InitializeAsync()
    {
        _cluster = await FactoryCluster.StartAsync(settings: new Dictionary<string, string?>
        {
            // An edition no sample fits in, for a quota refusal.
            [$"Factory:Editions:{TinyEdition}:MaxConcurrentRuns"] = "1",
            [$"Factory:Editions:{TinyEdition}:RunsPerMinute"] = "1",
            [$"Factory:Editions:{TinyEdition}:MaxBlueprintBytes"] = "64",
            [$"Factory:Editions:{TinyEdition}:MaxModules"] = "1",
        });
        _gateway = await TestGateway.StartAsync(_cluster.Client, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OperatorKey))));
        Url = _gateway.Url;
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private async Task<FinishedRun> SubmitTodoRunAsync()
    {
        var (tenantId, key, _) = await NewTenantAsync();
        var submitted = await InvokeAsync(key, "submit", CliHarness.Sample("todo-service.yaml"), "--watch");
        var runId = RunLine().Match(submitted.Out);
        Assert.True(runId.Success, submitted.Out + submitted.Err);
        return new FinishedRun(tenantId, key, runId.Groups[1].Value, submitted.Exit, submitted.Out, submitted.Err);
    }

    [GeneratedRegex(@"^secret (\S+)$", RegexOptions.Multiline)]
    private static partial Regex SecretLine();

    [GeneratedRegex(@"^key id (\S+)$", RegexOptions.Multiline)]
    private static partial Regex KeyIdLine();

    [GeneratedRegex(@"^run (\S+)$", RegexOptions.Multiline)]
    internal static partial Regex RunLine();
}

/// <summary>A run submitted with <c>submit --watch</c>: its tenant, key, id, and what the command printed.</summary>
public sealed record FinishedRun(string TenantId, string Key, string RunId, int Exit, string Out, string Err);
