using System.Globalization;
using System.Reflection;
using Factory.Gateway;
using Factory.Grains.Runtime;
using Factory.Grains.Tenants;
using Factory.Silo;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Factory.Grains.Tests.Deployment;

/// <summary>
/// The manifests under <c>k8s/</c>, read strictly into the Kubernetes models (an unknown field fails), and
/// their wiring: selectors, named ports, the ports and settings the environment gives the silo.
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string SiloName = "factory-silo";
    private const string GatewayName = "factory-gateway";
    private const string SecretName = "factory-postgres";
    private const string SecretKey = "connection-string";

    private static readonly string s_root = FindRepositoryRoot();
    private static readonly string s_k8s = Path.Combine(s_root, "k8s");

    /// <summary>The options classes the silo and the gateway bind, with their sections.</summary>
    private static readonly (string Section, Type Type)[] s_options =
    [
        (FactoryHostOptions.Section, typeof(FactoryHostOptions)),
        (FactoryClusterClientOptions.Section, typeof(FactoryClusterClientOptions)),
        (EditionOptions.Section, typeof(EditionOptions)),
        (FactoryGatewayOptions.Section, typeof(FactoryGatewayOptions)),
        (FactoryRuntimeOptions.Section, typeof(FactoryRuntimeOptions)),
        (FactoryObservabilityOptions.Section, typeof(FactoryObservabilityOptions)),
    ];

    [Fact]
    public void Every_manifest_loads_strictly_and_every_kustomization_names_existing_files()
    {
        var manifests = ManifestFiles();
        Assert.Contains(manifests, f => f.EndsWith(Path.Combine("base", "silo-statefulset.yaml"), StringComparison.Ordinal));
        foreach (var file in manifests)
        {
            var objects = Load(file);
            Assert.NotEmpty(objects);
        }

        var kustomizations = Directory.GetFiles(s_k8s, "kustomization.yaml", SearchOption.AllDirectories);
        Assert.Equal(4, kustomizations.Length);
        var yaml = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        foreach (var file in kustomizations)
        {
            var kustomization = yaml.Deserialize<Kustomization>(File.ReadAllText(file));
            var dir = Path.GetDirectoryName(file)!;
            foreach (var entry in kustomization.Resources.Concat(kustomization.Components))
            {
                var path = Path.GetFullPath(Path.Combine(dir, entry));
                Assert.True(File.Exists(path) || File.Exists(Path.Combine(path, "kustomization.yaml")), $"{file}: '{entry}' does not exist");
            }

            foreach (var patch in kustomization.Patches)
            {
                Assert.True(File.Exists(Path.Combine(dir, patch.Path)), $"{file}: patch '{patch.Path}' does not exist");
            }
        }
    }

    [Fact]
    public void Every_service_selects_a_workload_and_targets_its_named_ports()
    {
        var objects = BaseAndComponents();
        var workloads = Workloads(objects).ToList();
        var services = objects.OfType<V1Service>().ToList();
        Assert.NotEmpty(services);
        foreach (var service in services)
        {
            var selected = workloads.Where(w => Selects(service.Spec.Selector, w.Template.Metadata.Labels)).ToList();
            Assert.True(selected.Count > 0, $"Service {service.Metadata.Name} selects no workload's pods");
            foreach (var port in service.Spec.Ports)
            {
                var target = port.TargetPort?.Value ?? port.Port.ToString(CultureInfo.InvariantCulture);
                Assert.True(selected.All(w => HasPort(w.Template, target)), $"Service {service.Metadata.Name} targets port '{target}' its pods do not declare");
            }
        }
    }

    [Fact]
    public void Every_probe_targets_a_declared_port()
    {
        foreach (var (name, template) in Workloads(BaseAndComponents()))
        {
            foreach (var container in template.Spec.Containers)
            {
                foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe }.OfType<V1Probe>())
                {
                    var port = probe.Grpc?.Port.ToString(CultureInfo.InvariantCulture) ?? probe.HttpGet?.Port.Value ?? probe.TcpSocket?.Port.Value;
                    if (port is not null)
                    {
                        Assert.True(HasPort(template, port), $"{name}/{container.Name}: a probe targets port '{port}' the container does not declare");
                    }
                }
            }
        }
    }

    [Fact]
    public void The_silo_environment_binds_to_real_settings_whose_ports_match_the_container()
    {
        var objects = BaseAndComponents();
        var silo = Assert.Single(objects.OfType<V1StatefulSet>(), s => s.Metadata.Name == SiloName);
        var container = Assert.Single(silo.Spec.Template.Spec.Containers);
        var settings = Environment(objects, container);

        foreach (var key in settings.Keys.Where(k => k.StartsWith("Factory:", StringComparison.Ordinal)))
        {
            Assert.True(IsSetting(key), $"'{key.Replace(":", "__", StringComparison.Ordinal)}' names no property of Factory's options");
        }

        // Bind the way the silo does and check what it would listen on.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(kv =>
            new KeyValuePair<string, string?>(kv.Key, kv.Value ?? (kv.Key == "Factory:AdvertisedAddress" ? "10.244.0.7" : "Host=db;Username=factory")))).Build();
        var host = configuration.GetSection(FactoryHostOptions.Section).Get<FactoryHostOptions>() ?? new FactoryHostOptions();
        var gateway = configuration.GetSection(FactoryGatewayOptions.Section).Get<FactoryGatewayOptions>() ?? new FactoryGatewayOptions();
        var hostValidation = new FactoryHostOptionsValidator().Validate(null, host);
        Assert.True(hostValidation.Succeeded, hostValidation.FailureMessage);
        var gatewayValidation = new FactoryGatewayOptionsValidator().Validate(null, gateway);
        Assert.True(gatewayValidation.Succeeded, gatewayValidation.FailureMessage);

        Assert.Equal(StorageMode.Postgres, host.Mode);
        Assert.Equal(host.SiloPort, ContainerPort(container, "silo"));
        Assert.Equal(host.GatewayPort, ContainerPort(container, "orleans-gw"));
        var url = Assert.Single(gateway.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var grpcPort = new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal)).Port;
        Assert.Equal(grpcPort, ContainerPort(container, "grpc"));
        Assert.Equal(grpcPort, container.ReadinessProbe?.Grpc?.Port);
        Assert.Equal(grpcPort, container.LivenessProbe?.Grpc?.Port);

        var observability = configuration.GetSection(FactoryObservabilityOptions.Section).Get<FactoryObservabilityOptions>() ?? new FactoryObservabilityOptions();
        var observabilityValidation = new FactoryObservabilityOptionsValidator().Validate(null, observability);
        Assert.True(observabilityValidation.Succeeded, observabilityValidation.FailureMessage);
        var metricsPort = new Uri(observability.Url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal)).Port;
        Assert.Equal(metricsPort, ContainerPort(container, "metrics"));
        Assert.Equal(metricsPort.ToString(CultureInfo.InvariantCulture), silo.Spec.Template.Metadata.Annotations["prometheus.io/port"]);
        Assert.Equal(observability.MetricsPath, silo.Spec.Template.Metadata.Annotations["prometheus.io/path"]);

        var advertised = Assert.Single(container.Env, e => e.Name == "Factory__AdvertisedAddress");
        Assert.Equal("status.podIP", advertised.ValueFrom?.FieldRef?.FieldPath);
        Assert.NotNull(container.Resources?.Requests);
    }

    [Fact]
    public void The_gateway_finds_the_silos_through_the_same_database_and_cluster_and_serves_on_its_declared_port()
    {
        var objects = BaseAndComponents();
        var gatewayDeployment = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == GatewayName);
        var silo = Assert.Single(objects.OfType<V1StatefulSet>(), s => s.Metadata.Name == SiloName);
        Assert.True(Selects(gatewayDeployment.Spec.Selector.MatchLabels, gatewayDeployment.Spec.Template.Metadata.Labels));
        Assert.False(Selects(silo.Spec.Selector.MatchLabels, gatewayDeployment.Spec.Template.Metadata.Labels), "the silos' selector picks the gateway pods");
        var container = Assert.Single(gatewayDeployment.Spec.Template.Spec.Containers);
        var settings = Environment(objects, container);
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Factory:", StringComparison.Ordinal)))
        {
            Assert.True(IsSetting(key), $"'{key.Replace(":", "__", StringComparison.Ordinal)}' names no property of Factory's options");
        }

        // Bind the way the standalone gateway does: PostgreSQL clustering on the silos' database, cluster and service.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(kv =>
            new KeyValuePair<string, string?>(kv.Key, kv.Value ?? "Host=db;Username=factory"))).Build();
        var client = configuration.GetSection(FactoryClusterClientOptions.Section).Get<FactoryClusterClientOptions>() ?? new FactoryClusterClientOptions();
        var clientValidation = new FactoryClusterClientOptionsValidator().Validate(null, client);
        Assert.True(clientValidation.Succeeded, clientValidation.FailureMessage);
        Assert.Equal(ClusterClientMode.Postgres, client.Mode);
        var siloSettings = Environment(objects, silo.Spec.Template.Spec.Containers[0]);
        Assert.Equal(siloSettings["Factory:ClusterId"], client.ClusterId);
        Assert.Equal(siloSettings["Factory:ServiceId"], client.ServiceId);
        var connection = Assert.Single(container.Env, e => e.Name == "Factory__Postgres__ConnectionString");
        Assert.Equal(SecretName, connection.ValueFrom?.SecretKeyRef?.Name);
        Assert.Equal(SecretKey, connection.ValueFrom?.SecretKeyRef?.Key);

        var gateway = configuration.GetSection(FactoryGatewayOptions.Section).Get<FactoryGatewayOptions>() ?? new FactoryGatewayOptions();
        var url = Assert.Single(gateway.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var grpcPort = new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal)).Port;
        Assert.Equal(grpcPort, ContainerPort(container, "grpc"));
        Assert.Equal(grpcPort, container.ReadinessProbe?.Grpc?.Port);
        Assert.Equal(grpcPort, container.LivenessProbe?.Grpc?.Port);
        var service = Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == GatewayName);
        Assert.True(Selects(service.Spec.Selector, gatewayDeployment.Spec.Template.Metadata.Labels));
        Assert.NotNull(container.Resources?.Requests);
    }

    [Fact]
    public void The_connection_string_comes_from_the_secret_the_readme_and_the_demo_database_name()
    {
        var objects = BaseAndComponents();
        var silo = Assert.Single(objects.OfType<V1StatefulSet>(), s => s.Metadata.Name == SiloName);
        var env = Assert.Single(silo.Spec.Template.Spec.Containers[0].Env, e => e.Name == "Factory__Postgres__ConnectionString");
        Assert.Equal(SecretName, env.ValueFrom?.SecretKeyRef?.Name);
        Assert.Equal(SecretKey, env.ValueFrom?.SecretKeyRef?.Key);

        var demo = Assert.Single(objects.OfType<V1Secret>(), s => s.Metadata.Name == SecretName);
        Assert.Contains(SecretKey, demo.StringData.Keys);

        var readme = File.ReadAllText(Path.Combine(s_k8s, "README.md"));
        Assert.Contains(SecretName, readme, StringComparison.Ordinal);
        Assert.Contains(SecretKey, readme, StringComparison.Ordinal);
    }

    [Fact]
    public void The_disruption_budget_selects_the_silo_pods()
    {
        var objects = BaseAndComponents();
        var silo = Assert.Single(objects.OfType<V1StatefulSet>(), s => s.Metadata.Name == SiloName);
        var pdb = Assert.Single(objects.OfType<V1PodDisruptionBudget>());
        Assert.True(Selects(pdb.Spec.Selector.MatchLabels, silo.Spec.Template.Metadata.Labels));
        Assert.True(Selects(silo.Spec.Selector.MatchLabels, silo.Spec.Template.Metadata.Labels));
        Assert.Equal(3, silo.Spec.Replicas);
    }

    [Fact]
    public void The_overlays_patch_the_silo_and_only_dev_brings_the_demo_database()
    {
        var yaml = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        var baseSilo = Assert.Single(BaseAndComponents().OfType<V1StatefulSet>(), s => s.Metadata.Name == SiloName);
        var replicas = new Dictionary<string, int?>();
        foreach (var overlay in new[] { "dev", "prod" })
        {
            var dir = Path.Combine(s_k8s, "overlays", overlay);
            var kustomization = yaml.Deserialize<Kustomization>(File.ReadAllText(Path.Combine(dir, "kustomization.yaml")));
            Assert.Contains("../../base", kustomization.Resources);
            Assert.Equal(overlay == "dev", kustomization.Components.Contains("../../components/postgres"));
            foreach (var patch in kustomization.Patches)
            {
                var target = Assert.IsType<V1StatefulSet>(Assert.Single(Load(Path.Combine(dir, patch.Path))));
                Assert.Equal(SiloName, target.Metadata.Name);
                foreach (var container in target.Spec.Template?.Spec?.Containers ?? [])
                {
                    Assert.Contains(baseSilo.Spec.Template.Spec.Containers, c => c.Name == container.Name);
                }

                replicas[overlay] = target.Spec.Replicas ?? replicas.GetValueOrDefault(overlay);
            }
        }

        Assert.Equal(1, replicas["dev"]);
        Assert.Equal(3, replicas.GetValueOrDefault("prod") ?? baseSilo.Spec.Replicas);
    }

    private static List<string> ManifestFiles() =>
        [.. Directory.GetFiles(s_k8s, "*.yaml", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "kustomization.yaml").Order(StringComparer.Ordinal)];

    private static List<object> Load(string file)
    {
        try
        {
            return KubernetesYaml.LoadAllFromString(File.ReadAllText(file), null, strict: true);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{file}: {ex.Message}", ex);
        }
    }

    /// <summary>What the base and the components deploy (the overlays only patch these).</summary>
    private static List<object> BaseAndComponents() =>
        [.. ManifestFiles().Where(f => !f.Contains(Path.Combine("k8s", "overlays"), StringComparison.Ordinal)).SelectMany(Load)];

    private static IEnumerable<(string Name, V1PodTemplateSpec Template)> Workloads(IEnumerable<object> objects)
    {
        foreach (var o in objects)
        {
            switch (o)
            {
                case V1StatefulSet s:
                    yield return (s.Metadata.Name, s.Spec.Template);
                    break;
                case V1Deployment d:
                    yield return (d.Metadata.Name, d.Spec.Template);
                    break;
            }
        }
    }

    private static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static bool HasPort(V1PodTemplateSpec template, string port) =>
        template.Spec.Containers.SelectMany(c => c.Ports ?? []).Any(p => p.Name == port || p.ContainerPort.ToString(CultureInfo.InvariantCulture) == port);

    private static int ContainerPort(V1Container container, string name) => Assert.Single(container.Ports, p => p.Name == name).ContainerPort;

    /// <summary>The container's settings as configuration keys: its ConfigMaps (envFrom), then its env (null when from a reference).</summary>
    private static Dictionary<string, string?> Environment(List<object> objects, V1Container container)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var source in container.EnvFrom ?? [])
        {
            var name = Assert.IsType<V1ConfigMapEnvSource>(source.ConfigMapRef).Name;
            var map = Assert.Single(objects.OfType<V1ConfigMap>(), m => m.Metadata.Name == name);
            foreach (var (key, value) in map.Data)
            {
                settings[key.Replace("__", ":", StringComparison.Ordinal)] = value;
            }
        }

        foreach (var env in container.Env ?? [])
        {
            settings[env.Name.Replace("__", ":", StringComparison.Ordinal)] = env.Value;
        }

        return settings;
    }

    /// <summary>Whether the key is a property path of one of the options classes, from its section.</summary>
    private static bool IsSetting(string key) => s_options.Any(o =>
        key.StartsWith(o.Section + ":", StringComparison.OrdinalIgnoreCase) && IsPropertyPath(o.Type, key[(o.Section.Length + 1)..].Split(':')));

    private static bool IsPropertyPath(Type type, string[] path)
    {
        if (path.Length == 0)
        {
            return true;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return IsPropertyPath(type.GetGenericArguments()[1], path[1..]);
        }

        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is { CanWrite: true } && IsPropertyPath(property.PropertyType, path[1..]);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Factory.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Factory.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The kustomization fields the manifests use (anything else fails to load).</summary>
    private sealed class Kustomization
    {
        public string ApiVersion { get; set; } = "";

        public string Kind { get; set; } = "";

        public string? Namespace { get; set; }

        public List<LabelEntry> Labels { get; set; } = [];

        public List<string> Resources { get; set; } = [];

        public List<string> Components { get; set; } = [];

        public List<PatchEntry> Patches { get; set; } = [];
    }

    private sealed class LabelEntry
    {
        public Dictionary<string, string> Pairs { get; set; } = [];
    }

    private sealed class PatchEntry
    {
        public string Path { get; set; } = "";
    }
}
