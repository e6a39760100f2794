using Factory.Blueprints;
using k8s;
using k8s.Models;

namespace Factory.Grains.Skills;

/// <summary>
/// Generator <c>kubernetes</c>: one deploy environment's manifests for the module, built with the KubernetesClient
/// typed models (so every field is one the API knows) and written with <see cref="KubernetesYaml"/>. Runs once per
/// environment (<c>each: environment</c>). In namespace <c>{blueprint}-{environment}</c>:
/// <list type="bullet">
/// <item>a ConfigMap with the service's environment (ASP.NET Core environment and HTTP port);</item>
/// <item>a Deployment with the environment's replicas, a non-root pod and container (user 1654, the .NET images'
/// <c>app</c> user; no privilege escalation, read-only root file system with a writable <c>/tmp</c>, every
/// capability dropped, runtime-default seccomp), liveness and readiness probes on <c>/health/live</c> and
/// <c>/health/ready</c>, CPU and memory requests and limits, and each blueprint secret read from the Secret
/// <c>{service}-secrets</c> (synced from its reference; values are never written here);</item>
/// <item>a ClusterIP Service on port 80;</item>
/// <item>an autoscaling/v2 HorizontalPodAutoscaler on the Deployment from the environment's replicas to three times
/// that, at 70% average CPU.</item>
/// </list>
/// </summary>
public sealed class KubernetesManifestGenerator : IArtifactGenerator
{
    /// <summary>The name packs use.</summary>
    public const string GeneratorName = "kubernetes";

    /// <summary>Port the generated service listens on inside the container.</summary>
    public const int ContainerPort = 8080;

    /// <summary>The non-root user id of the .NET container images (<c>$APP_UID</c>).</summary>
    public const long AppUserId = 1654;

    /// <summary>Liveness probe path.</summary>
    public const string LivenessPath = "/health/live";

    /// <summary>Readiness probe path.</summary>
    public const string ReadinessPath = "/health/ready";

    /// <summary>Average CPU utilisation the autoscaler aims at, in percent.</summary>
    public const int TargetCpuUtilization = 70;

    /// <summary>Maximum replicas as a multiple of the environment's replicas.</summary>
    public const int MaxReplicasFactor = 3;

    /// <inheritdoc />
    public string Name => GeneratorName;

    /// <inheritdoc />
    public string Generate(ArtifactGeneratorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var environment = Environment(context);
        var documents = Build(context.Input, environment.Name, environment.Replicas);
        var body = string.Join("---\n", documents.Select(d => KubernetesYaml.Serialize(d).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n') + "\n"));
        return GeneratedHeader.Yaml(context.Input, $"environment {environment.Name}") + body;
    }

    /// <summary>Builds the ConfigMap, Deployment, Service and HorizontalPodAutoscaler of one environment.</summary>
    public static IReadOnlyList<IKubernetesObject> Build(SkillInput input, string environment, int replicas)
    {
        ArgumentNullException.ThrowIfNull(input);
        var blueprint = input.Blueprint.Metadata;
        var name = $"{blueprint.Name}-{input.Module.Name}";
        var ns = $"{blueprint.Name}-{environment}";
        var selector = new Dictionary<string, string>(StringComparer.Ordinal) { ["app.kubernetes.io/name"] = name };
        V1ObjectMeta Metadata(string objectName) => new()
        {
            Name = objectName,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["app.kubernetes.io/name"] = name,
                ["app.kubernetes.io/version"] = LabelValue(blueprint.Version),
                ["app.kubernetes.io/part-of"] = blueprint.Name,
                ["app.kubernetes.io/managed-by"] = "factory",
                ["factory.dev/environment"] = environment,
            },
            Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["factory.dev/blueprint-hash"] = input.BlueprintHash },
        };

        var configMap = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Metadata(name + "-config"),
            Data = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["ASPNETCORE_ENVIRONMENT"] = environment,
                ["ASPNETCORE_HTTP_PORTS"] = ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };

        var container = new V1Container
        {
            Name = input.Module.Name,
            Image = $"{name}:{blueprint.Version}",
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = ContainerPort, Protocol = "TCP" }],
            EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = configMap.Metadata.Name } }],
            Env = input.Blueprint.Secrets.Count == 0
                ? null
                : [.. input.Blueprint.Secrets.Select(s => new V1EnvVar
                {
                    Name = "Secrets__" + s.Name,
                    ValueFrom = new V1EnvVarSource
                    {
                        SecretKeyRef = new V1SecretKeySelector { Name = name + "-secrets", Key = s.Name, Optional = true },
                    },
                })],
            LivenessProbe = Probe(LivenessPath, initialDelaySeconds: 10),
            ReadinessProbe = Probe(ReadinessPath, initialDelaySeconds: 5),
            Resources = new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
                {
                    ["cpu"] = new("100m"),
                    ["memory"] = new("128Mi"),
                },
                Limits = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
                {
                    ["cpu"] = new("500m"),
                    ["memory"] = new("256Mi"),
                },
            },
            SecurityContext = new V1SecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = AppUserId,
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
        };

        var deployment = new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Metadata(name),
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = selector },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                        {
                            ["app.kubernetes.io/name"] = name,
                            ["app.kubernetes.io/version"] = LabelValue(blueprint.Version),
                            ["factory.dev/environment"] = environment,
                        },
                    },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = new V1PodSecurityContext
                        {
                            RunAsNonRoot = true,
                            RunAsUser = AppUserId,
                            RunAsGroup = AppUserId,
                            FsGroup = AppUserId,
                            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                        },
                        Containers = [container],
                        Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }],
                    },
                },
            },
        };

        var service = new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = Metadata(name),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = selector,
                Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = "http", Protocol = "TCP" }],
            },
        };

        var autoscaler = new V2HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v2",
            Kind = "HorizontalPodAutoscaler",
            Metadata = Metadata(name),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
                MinReplicas = replicas,
                MaxReplicas = Math.Max(replicas, 1) * MaxReplicasFactor,
                Metrics =
                [
                    new V2MetricSpec
                    {
                        Type = "Resource",
                        Resource = new V2ResourceMetricSource
                        {
                            Name = "cpu",
                            Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = TargetCpuUtilization },
                        },
                    },
                ],
            },
        };

        return [configMap, deployment, service, autoscaler];
    }

    private static EnvironmentSpec Environment(ArtifactGeneratorContext context) =>
        context.Item is { } name && context.Input.Blueprint.Environments.FirstOrDefault(e => e.Name == name) is { } environment
            ? environment
            : throw new SkillExecutionException(context.Skill.Id, $"Skill '{context.Skill.Id}': generator '{GeneratorName}' runs once per environment ('each: environment'), and '{context.Item}' is not one.");

    private static V1Probe Probe(string path, int initialDelaySeconds) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = "http" },
        InitialDelaySeconds = initialDelaySeconds,
        PeriodSeconds = 10,
        TimeoutSeconds = 2,
        FailureThreshold = 3,
    };

    /// <summary>A label value is at most 63 characters of <c>[A-Za-z0-9._-]</c>; a SemVer's <c>+</c> build metadata becomes <c>_</c>.</summary>
    private static string LabelValue(string value)
    {
        var cleaned = new string([.. value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_')]);
        return cleaned.Length <= 63 ? cleaned : cleaned[..63];
    }
}
