using Factory.Gateway.Errors;
using Grpc.Core;

namespace Factory.Gateway.Services;

/// <summary>Tenant administration; the authentication interceptor admits only the operator credential.</summary>
public sealed class OperatorsService(IClusterClient cluster) : V1.Operators.OperatorsBase
{
    private const string Directory = "all";

    /// <inheritdoc/>
    public override async Task<V1.Tenant> CreateTenant(V1.CreateTenantRequest request, ServerCallContext context)
    {
        var tenant = Tenant(request.TenantId);
        var edition = Edition(request.Edition);
        var info = await tenant.CreateAsync(edition);
        await cluster.GetGrain<ITenantDirectoryGrain>(Directory).AddAsync(request.TenantId);
        return ProtoMapper.ToProto(info);
    }

    /// <inheritdoc/>
    public override async Task<V1.Tenant> SetEdition(V1.SetEditionRequest request, ServerCallContext context) =>
        ProtoMapper.ToProto(await Tenant(request.TenantId).SetEditionAsync(Edition(request.Edition)));

    /// <inheritdoc/>
    public override async Task<V1.IssueApiKeyResponse> IssueApiKey(V1.IssueApiKeyRequest request, ServerCallContext context)
    {
        var issued = await Tenant(request.TenantId).IssueApiKeyAsync();
        return new V1.IssueApiKeyResponse { KeyId = issued.KeyId, Secret = issued.Secret };
    }

    /// <inheritdoc/>
    public override async Task<V1.RevokeApiKeyResponse> RevokeApiKey(V1.RevokeApiKeyRequest request, ServerCallContext context)
    {
        if (request.KeyId.Length == 0)
        {
            throw GatewayErrors.InvalidField("key_id", "name the key to revoke");
        }

        await Tenant(request.TenantId).RevokeApiKeyAsync(request.KeyId);
        return new V1.RevokeApiKeyResponse();
    }

    /// <inheritdoc/>
    public override async Task<V1.ListTenantsResponse> ListTenants(V1.ListTenantsRequest request, ServerCallContext context)
    {
        var ids = await cluster.GetGrain<ITenantDirectoryGrain>(Directory).ListAsync();
        var tenants = await Task.WhenAll(ids.Select(id => cluster.GetGrain<ITenantGrain>(id).GetInfoAsync()));
        var response = new V1.ListTenantsResponse();
        response.Tenants.AddRange(tenants.Select(ProtoMapper.ToProto));
        return response;
    }

    private ITenantGrain Tenant(string tenantId) =>
        TenantIds.IsValid(tenantId)
            ? cluster.GetGrain<ITenantGrain>(tenantId)
            : throw GatewayErrors.InvalidField("tenant_id", $"'{tenantId}' is not a tenant id: 1-63 lower-case letters, digits and '-', starting with a letter");

    private static string Edition(string edition) =>
        edition.Length > 0 ? edition : throw GatewayErrors.InvalidField("edition", "name the edition, e.g. free, pro or enterprise");
}
