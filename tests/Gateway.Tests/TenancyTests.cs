using Grpc.Core;

namespace Factory.Gateway.Tests;

/// <summary>Keys, operators and quotas, through the gRPC API.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TenancyTests(GatewayFixture fixture)
{
    [Fact]
    public async Task UnknownKeyIsUnauthenticated()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = "r1" }, GatewayFixture.Bearer("no-such-key-" + Guid.NewGuid())).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("unknown or was revoked", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedKeyIsRefused()
    {
        var (tenantId, key, keyId) = await fixture.NewTenantAsync();
        await fixture.Blueprints.ListBlueprintsAsync(new V1.ListBlueprintsRequest(), GatewayFixture.Bearer(key));

        await fixture.Operators.RevokeApiKeyAsync(new V1.RevokeApiKeyRequest { TenantId = tenantId, KeyId = keyId }, GatewayFixture.OperatorHeaders);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Blueprints.ListBlueprintsAsync(new V1.ListBlueprintsRequest(), GatewayFixture.Bearer(key)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task TenantKeyCannotCallOperators()
    {
        var (_, key, _) = await fixture.NewTenantAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Operators.ListTenantsAsync(new V1.ListTenantsRequest(), GatewayFixture.Bearer(key)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task OperatorsCreateListAndChangeTenants()
    {
        var (tenantId, _, _) = await fixture.NewTenantAsync();

        var again = await Assert.ThrowsAsync<RpcException>(() => fixture.Operators.CreateTenantAsync(
            new V1.CreateTenantRequest { TenantId = tenantId, Edition = GatewayFixture.Edition }, GatewayFixture.OperatorHeaders).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);

        var unknownEdition = await Assert.ThrowsAsync<RpcException>(() => fixture.Operators.SetEditionAsync(
            new V1.SetEditionRequest { TenantId = tenantId, Edition = "no-such-edition" }, GatewayFixture.OperatorHeaders).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, unknownEdition.StatusCode);

        var missing = await Assert.ThrowsAsync<RpcException>(() => fixture.Operators.IssueApiKeyAsync(
            new V1.IssueApiKeyRequest { TenantId = "never-created-" + Guid.NewGuid().ToString("N")[..8] }, GatewayFixture.OperatorHeaders).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var tenants = await fixture.Operators.ListTenantsAsync(new V1.ListTenantsRequest(), GatewayFixture.OperatorHeaders);
        var listed = Assert.Single(tenants.Tenants, t => t.TenantId == tenantId);
        Assert.Equal(GatewayFixture.Edition, listed.Edition);
        Assert.Equal(1, listed.ActiveKeys);
    }

    [Fact]
    public async Task SubmittingOverAQuotaIsResourceExhaustedWithAQuotaFailure()
    {
        var (tenantId, key, _) = await fixture.NewTenantAsync("free");
        var yaml = await File.ReadAllTextAsync(RepositoryPaths.Sample("todo-service.yaml"));
        var limits = await fixture.Cluster.Client.GetGrain<ITenantGrain>(tenantId).GetLimitsAsync();
        var attempts = limits.RunsPerMinute + limits.MaxConcurrentRuns + 1;
        RpcException? refused = null;
        for (var i = 0; i < attempts && refused is null; i++)
        {
            try
            {
                await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = yaml, IdempotencyKey = $"quota-{i}" }, GatewayFixture.Bearer(key));
            }
            catch (RpcException ex)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        var failure = refused.GetRpcStatus()?.GetDetail<Google.Rpc.QuotaFailure>();
        Assert.NotNull(failure);
        var violation = Assert.Single(failure.Violations);
        Assert.Equal($"tenant:{tenantId}", violation.Subject);
        Assert.Matches("^quota (concurrent-runs|runs-per-minute): the limit is [0-9]+", violation.Description);
    }
}
