using Factory.Blueprints;
using Factory.Gateway.Errors;

namespace Factory.Gateway;

/// <summary>Validates blueprints at the edge, before any grain is called.</summary>
public static class BlueprintEdge
{
    /// <summary>The canonical JSON of <paramref name="yaml"/>.</summary>
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT with a field violation per problem.</exception>
    public static string CanonicalJson(string yaml, string field = "yaml")
    {
        if (string.IsNullOrWhiteSpace(yaml))
        {
            throw GatewayErrors.InvalidField(field, "the blueprint is empty; send its YAML (apiVersion factory/v1)");
        }

        var loaded = BlueprintLoader.Load(yaml, "request");
        return loaded.IsValid && loaded.CanonicalJson is { } json ? json : throw GatewayErrors.InvalidBlueprint(loaded.Problems);
    }
}
