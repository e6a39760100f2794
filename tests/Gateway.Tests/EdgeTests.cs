using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace Factory.Gateway.Tests;

/// <summary>What the gateway decides on its own, before any tenant grain is asked: health, reflection, keys' shape, size limits.</summary>
[Collection(GatewayCollection.Name)]
public sealed class EdgeTests(GatewayFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task HealthAnswersServingWithoutAKey()
    {
        var health = new Health.HealthClient(fixture.Channel);
        var response = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.Add(Timeout));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task ReflectionListsTheFactoryServices()
    {
        var reflection = new ServerReflection.ServerReflectionClient(fixture.Channel);
        using var call = reflection.ServerReflectionInfo(deadline: DateTime.UtcNow.Add(Timeout));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("factory.v1.Runs", services);
        Assert.Contains("factory.v1.Blueprints", services);
        Assert.Contains("factory.v1.Operators", services);
    }

    [Fact]
    public async Task CallWithoutAKeyIsUnauthenticated()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = "r1" }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("authorization: Bearer", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedAuthorizationIsUnauthenticated()
    {
        var headers = new Metadata { { "authorization", "Basic dXNlcjpwYXNz" } };
        var ex = await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = "r1" }, headers).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("Bearer", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperatorKeyCannotCallTenantServices()
    {
        var runs = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = "r1" }, GatewayFixture.OperatorHeaders).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, runs.StatusCode);
        var blueprints = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Blueprints.ListBlueprintsAsync(new V1.ListBlueprintsRequest(), GatewayFixture.OperatorHeaders).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, blueprints.StatusCode);
    }

    [Fact]
    public async Task OperatorsServiceWithoutAnOperatorCredentialIsDisabled()
    {
        var channel = await fixture.StartGatewayAsync(operatorKeySha256: null);
        var operators = new V1.Operators.OperatorsClient(channel);
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            operators.ListTenantsAsync(new V1.ListTenantsRequest(), GatewayFixture.OperatorHeaders).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Contains("Factory:Gateway:OperatorKeySha256", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperatorsRejectAMalformedTenantIdNamingTheField()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => fixture.Operators.CreateTenantAsync(
            new V1.CreateTenantRequest { TenantId = "Not_A_Tenant", Edition = GatewayFixture.Edition }, GatewayFixture.OperatorHeaders).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var badRequest = ex.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal("tenant_id", Assert.Single(badRequest.FieldViolations).Field);
    }

    [Fact]
    public async Task OversizedRequestIsResourceExhaustedAndTheServerKeepsServing()
    {
        var yaml = "# " + new string('x', 1536 * 1024);
        var ex = await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = yaml }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("the limit is 1048576 bytes", ex.Status.Detail, StringComparison.Ordinal);

        var health = await new Health.HealthClient(fixture.Channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.Add(Timeout));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }
}
