namespace Factory.Grains.Skills;

/// <summary>The native generators Factory ships; registered by <c>AddFactoryRuntime</c> and used by default in packs and executors.</summary>
public static class BuiltInArtifactGenerators
{
    /// <summary>Every built-in generator: <c>openapi</c> and <c>kubernetes</c>.</summary>
    public static IReadOnlyList<IArtifactGenerator> All { get; } = [new OpenApiContractGenerator(), new KubernetesManifestGenerator()];
}
