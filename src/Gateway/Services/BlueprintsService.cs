using Factory.Gateway.Errors;
using Factory.Gateway.Security;
using Grpc.Core;

namespace Factory.Gateway.Services;

/// <summary>The caller's tenant's blueprint registry.</summary>
public sealed class BlueprintsService(IClusterClient cluster) : V1.Blueprints.BlueprintsBase
{
    /// <inheritdoc/>
    public override async Task<V1.BlueprintInfo> RegisterBlueprint(V1.RegisterBlueprintRequest request, ServerCallContext context)
    {
        var json = BlueprintEdge.CanonicalJson(request.Yaml);
        var registered = await Registry(context).RegisterAsync(json);
        return ProtoMapper.ToProto(registered, withContent: true);
    }

    /// <inheritdoc/>
    public override async Task<V1.ListBlueprintsResponse> ListBlueprints(V1.ListBlueprintsRequest request, ServerCallContext context)
    {
        var response = new V1.ListBlueprintsResponse();
        response.Blueprints.AddRange((await Registry(context).ListAsync()).Select(b => ProtoMapper.ToProto(b, withContent: false)));
        return response;
    }

    /// <inheritdoc/>
    public override async Task<V1.BlueprintInfo> GetBlueprint(V1.GetBlueprintRequest request, ServerCallContext context)
    {
        if (request.Name.Length == 0)
        {
            throw GatewayErrors.InvalidField("name", "name the blueprint");
        }

        if (request.Version.Length == 0)
        {
            throw GatewayErrors.InvalidField("version", "name the version, e.g. 1.0.0");
        }

        var blueprint = await Registry(context).GetAsync(request.Name, request.Version)
            ?? throw GatewayErrors.Status(StatusCode.NotFound, $"Blueprint {request.Name}@{request.Version} is not registered.");
        return ProtoMapper.ToProto(blueprint, withContent: true);
    }

    private IBlueprintRegistryGrain Registry(ServerCallContext context) => cluster.GetGrain<IBlueprintRegistryGrain>(context.TenantId());
}
