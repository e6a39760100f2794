using System.Text;
using System.Text.RegularExpressions;
using Factory.Blueprints;
using Factory.Grains.Skills;
using k8s;
using k8s.Models;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using YamlDotNet.RepresentationModel;

namespace Factory.Grains.Tests.Skills;

/// <summary>
/// Generated contracts and infrastructure are valid by the standards' own readers: the OpenAPI document reads back
/// with Microsoft.OpenApi without a diagnostic and passes its rules, the Kubernetes manifests deserialise strictly into
/// the KubernetesClient models, and the CI workflow has the structure GitHub Actions requires.
/// </summary>
public sealed partial class ContractValidityTests
{
    public static TheoryData<string> Samples() => ScribanSkillExecutorTests.Samples();

    [Theory]
    [MemberData(nameof(Samples))]
    public void OpenApiDocumentOfEveryModuleReadsBackWithoutDiagnosticsAndHasOneOperationPerBlueprintOperation(string sample)
    {
        var (blueprint, files) = RenderSample(sample);
        foreach (var module in blueprint.Modules)
        {
            var text = Text(files[module.Name], "contracts/openapi.yaml");
            var (document, diagnostic) = ReadOpenApi(text);

            Assert.NotNull(document);
            Assert.NotNull(diagnostic);
            Assert.True(diagnostic.Errors.Count == 0, $"{module.Name}: {string.Join("; ", diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}"))}");
            Assert.True(diagnostic.Warnings.Count == 0, $"{module.Name}: {string.Join("; ", diagnostic.Warnings.Select(e => $"{e.Pointer}: {e.Message}"))}");
            Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
            var problems = document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
            Assert.True(problems.Count == 0, $"{module.Name}: {string.Join("; ", problems.Select(e => $"{e.Pointer}: {e.Message}"))}");
            Assert.Null(document.Servers is { Count: > 0 } ? document.Servers : null);

            var operations = (document.Paths ?? [])
                .SelectMany(p => (p.Value.Operations ?? []).Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value)))
                .ToList();
            Assert.Equal(module.Operations.Count, operations.Count);
            var scheme = Assert.Single(document.Components?.SecuritySchemes ?? new Dictionary<string, IOpenApiSecurityScheme>());
            Assert.Equal(SecuritySchemeType.ApiKey, scheme.Value.Type);
            Assert.Equal(ParameterLocation.Header, scheme.Value.In);
            Assert.Equal("X-Scopes", scheme.Value.Name);
            foreach (var expected in module.Operations)
            {
                var (path, method, operation) = Assert.Single(operations, o => o.Operation.OperationId == expected.Name);
                var where = $"{module.Name}/{expected.Name}";
                Assert.Equal(expected.Path, path);
                Assert.Equal(expected.Method.ToString().ToUpperInvariant(), method.Method);
                Assert.Equal(
                    RouteParameter().Matches(expected.Path).Select(m => m.Groups["name"].Value),
                    (operation.Parameters ?? []).Where(p => p.In == ParameterLocation.Path).Select(p => p.Name ?? ""));
                Assert.All(operation.Parameters ?? [], p => Assert.True(p.Required, where));

                var responses = operation.Responses ?? [];
                Assert.Contains("401", responses.Keys);
                Assert.Contains("403", responses.Keys);
                Assert.Contains(responses.Keys, k => k.StartsWith('2') || k == "501");
                var requirement = Assert.Single(operation.Security ?? []);
                var (schemeReference, scopes) = Assert.Single(requirement);
                Assert.Equal("scopes", schemeReference.Reference.Id);
                Assert.Equal([expected.Scope], scopes);

                var inputEntity = module.Entities.Contains(expected.Input, StringComparer.Ordinal) ? expected.Input : null;
                var hasBody = expected.Input.Length > 0 && expected.Method is HttpVerb.Post or HttpVerb.Put or HttpVerb.Patch;
                Assert.Equal(hasBody, operation.RequestBody is not null);
                if (hasBody && inputEntity is not null)
                {
                    var schema = Assert.IsType<OpenApiSchemaReference>(operation.RequestBody?.Content?["application/json"].Schema);
                    Assert.Equal(inputEntity + "Request", schema.Reference.Id);
                    Assert.Contains("400", responses.Keys);
                    var problem = responses["400"].Content?["application/problem+json"].Schema;
                    Assert.NotNull(problem?.Properties?["errors"]);
                }

                var shape = OperationShape.Of(expected, blueprint.Domain.Entities.Where(e => module.Entities.Contains(e.Name, StringComparer.Ordinal)).ToDictionary(e => e.Name, StringComparer.Ordinal));
                var success = shape.Crud switch
                {
                    "create" => "201",
                    "list" or "get" => "200",
                    "update" => shape.OutputEntity is null ? "204" : "200",
                    "delete" => "204",
                    _ => "501",
                };
                Assert.Contains(success, responses.Keys);
                Assert.Equal(shape.Crud is "get" or "update" or "delete", responses.ContainsKey("404"));
                Assert.Equal(responses.Keys.Order(StringComparer.Ordinal), responses.Keys);
            }

            foreach (var entity in blueprint.Domain.Entities.Where(e => module.Entities.Contains(e.Name, StringComparer.Ordinal)))
            {
                AssertEntitySchema(entity, document.Components?.Schemas?[entity.Name]);
            }
        }
    }

    [Fact]
    public void FreeTextWithLineBreaksAndQuotesReachesTheOpenApiDocumentIntactAndInert()
    {
        const string FreeText = ScribanSkillExecutorTests.Injection + "\n- evil: yes\n# not a comment \u2028 \u2029 \u0085 \t '' \" #{x}";
        var (blueprint, hash) = ScribanSkillExecutorTests.InjectedClinic(FreeText);
        var module = blueprint.Modules[0];
        var files = SkillTestSupport.RenderModule(new ScribanSkillExecutor(SkillTestSupport.Pack), SkillTestSupport.Pack, blueprint, hash, module);
        var yaml = Text(files, "contracts/openapi.yaml");

        var (document, diagnostic) = ReadOpenApi(yaml);

        Assert.Empty(diagnostic.Errors);
        Assert.Empty(diagnostic.Warnings);
        Assert.Equal(FreeText, document.Info?.Description);
        var operations = (document.Paths ?? []).SelectMany(p => p.Value.Operations ?? []).Select(o => o.Value).ToList();
        Assert.Equal(module.Operations.Count, operations.Count);
        Assert.All(operations, o => Assert.Equal(FreeText, o.Description));
        var entity = document.Components?.Schemas?[module.Entities[0]];
        Assert.Equal(FreeText, entity?.Description);
        Assert.All((entity?.Properties ?? new Dictionary<string, IOpenApiSchema>()).Values, p => Assert.Equal(FreeText, p.Description));
        Assert.DoesNotContain(yaml.Split('\n'), line => line.TrimStart().StartsWith("- evil", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void KubernetesManifestsOfEveryModuleDeserialiseStrictlyOneFolderPerEnvironment(string sample)
    {
        var (blueprint, files) = RenderSample(sample);
        Assert.NotEmpty(blueprint.Environments);
        foreach (var module in blueprint.Modules)
        {
            var deploy = files[module.Name].Where(f => f.Path.StartsWith("deploy/", StringComparison.Ordinal)).ToList();
            Assert.Equal(
                blueprint.Environments.Select(e => $"deploy/{e.Name}/kubernetes.yaml").Order(StringComparer.Ordinal),
                deploy.Select(f => f.Path).Order(StringComparer.Ordinal));
            Assert.All(deploy, f => Assert.Equal("kubernetes", f.Kind));

            foreach (var environment in blueprint.Environments)
            {
                var where = $"{module.Name}/{environment.Name}";
                var objects = KubernetesYaml.LoadAllFromString(Text(files[module.Name], $"deploy/{environment.Name}/kubernetes.yaml"), strict: true);
                Assert.Equal(["ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler"], objects.Select(o => ((IKubernetesObject)o).Kind));
                var name = $"{blueprint.Metadata.Name}-{module.Name}";
                Assert.All(objects, o => Assert.Equal($"{blueprint.Metadata.Name}-{environment.Name}", ((IMetadata<V1ObjectMeta>)o).Metadata.NamespaceProperty));

                var configMap = Assert.IsType<V1ConfigMap>(objects[0]);
                Assert.Equal(environment.Name, configMap.Data["ASPNETCORE_ENVIRONMENT"]);

                var deployment = Assert.IsType<V1Deployment>(objects[1]);
                Assert.Equal(name, deployment.Metadata.Name);
                Assert.Equal(environment.Replicas, deployment.Spec.Replicas);
                var pod = deployment.Spec.Template.Spec;
                Assert.True(pod.SecurityContext.RunAsNonRoot, where);
                Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
                var container = Assert.Single(pod.Containers);
                Assert.True(container.SecurityContext.RunAsNonRoot, where);
                Assert.False(container.SecurityContext.AllowPrivilegeEscalation, where);
                Assert.Equal("/health/live", container.LivenessProbe.HttpGet.Path);
                Assert.Equal("/health/ready", container.ReadinessProbe.HttpGet.Path);
                Assert.Equal("http", container.LivenessProbe.HttpGet.Port.Value);
                Assert.Contains(container.Ports, p => p.Name == "http" && p.ContainerPort == 8080);
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    Assert.True(container.Resources.Requests[resource].ToDecimal() > 0, $"{where}: request {resource}");
                    Assert.True(container.Resources.Limits[resource].ToDecimal() >= container.Resources.Requests[resource].ToDecimal(), $"{where}: limit {resource}");
                }

                Assert.Equal(container.EnvFrom.Single().ConfigMapRef.Name, configMap.Metadata.Name);
                Assert.True(deployment.Spec.Selector.MatchLabels.All(l => deployment.Spec.Template.Metadata.Labels[l.Key] == l.Value), where);

                var service = Assert.IsType<V1Service>(objects[2]);
                Assert.Equal(deployment.Spec.Selector.MatchLabels, service.Spec.Selector);
                Assert.Equal("http", Assert.Single(service.Spec.Ports).TargetPort.Value);

                var autoscaler = Assert.IsType<V2HorizontalPodAutoscaler>(objects[3]);
                Assert.Equal("autoscaling/v2", autoscaler.ApiVersion);
                Assert.Equal(("apps/v1", "Deployment", name), (autoscaler.Spec.ScaleTargetRef.ApiVersion, autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name));
                Assert.Equal(environment.Replicas, autoscaler.Spec.MinReplicas);
                Assert.True(autoscaler.Spec.MaxReplicas > environment.Replicas, where);
                var metric = Assert.Single(autoscaler.Spec.Metrics);
                Assert.Equal(("cpu", "Utilization"), (metric.Resource.Name, metric.Resource.Target.Type));
            }
        }
    }

    [Fact]
    public void StrictKubernetesReadingRejectsAFieldTheModelsDoNotKnow()
    {
        var (blueprint, files) = RenderSample("todo-service.yaml");
        var environment = blueprint.Environments[0].Name;
        var text = Text(files[blueprint.Modules[0].Name], $"deploy/{environment}/kubernetes.yaml");
        var tampered = text.Replace("  replicas:", "  replicaz:", StringComparison.Ordinal);
        Assert.NotEqual(text, tampered);

        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(tampered, strict: true));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void CiWorkflowOfEveryModuleHasTheGitHubActionsStructureAndBuildsAndTestsTheSolution(string sample)
    {
        var (blueprint, files) = RenderSample(sample);
        foreach (var module in blueprint.Modules)
        {
            var solution = Assert.Single(files[module.Name], f => f.Path.EndsWith(".slnx", StringComparison.Ordinal)).Path;
            var problems = GitHubWorkflowShape.Check(Text(files[module.Name], ".github/workflows/ci.yml"));
            Assert.True(problems.Count == 0, $"{module.Name}: {string.Join("; ", problems)}");

            var steps = GitHubWorkflowShape.Steps(Text(files[module.Name], ".github/workflows/ci.yml"));
            Assert.Contains(steps, s => s.Uses?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true);
            Assert.Contains(steps, s => s.Uses?.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal) == true && s.With.TryGetValue("dotnet-version", out var v) && v.StartsWith("10.", StringComparison.Ordinal));
            foreach (var verb in new[] { "restore", "build", "test" })
            {
                Assert.Contains(steps, s => s.Run?.StartsWith($"dotnet {verb} {solution}", StringComparison.Ordinal) == true);
            }
        }
    }

    [Theory]
    [InlineData("name: x\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n", "'on'")]
    [InlineData("on: push\njobs:\n  build:\n    steps:\n      - run: echo\n", "runs-on")]
    [InlineData("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: echo\n", "exactly one")]
    [InlineData("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - name: nothing\n", "exactly one")]
    [InlineData("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: []\n", "steps")]
    [InlineData("on: push\njobs: {}\n", "jobs")]
    public void WorkflowShapeCheckRejectsWhatGitHubActionsWouldRefuse(string workflow, string expected)
    {
        var problems = GitHubWorkflowShape.Check(workflow);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    private static void AssertEntitySchema(EntitySpec entity, IOpenApiSchema? schema)
    {
        Assert.NotNull(schema);
        Assert.Equal(JsonSchemaType.Object, schema.Type);
        var properties = schema.Properties ?? new Dictionary<string, IOpenApiSchema>();
        Assert.Equal(entity.Fields.Select(f => f.Name), properties.Keys);
        var required = schema.Required ?? new HashSet<string>();
        foreach (var field in entity.Fields)
        {
            var property = properties[field.Name];
            var isRequired = field.Required || field.Name == "id";
            Assert.Equal(isRequired, required.Contains(field.Name));
            var (type, format) = field.Type switch
            {
                FieldType.Int => (JsonSchemaType.Integer, "int32"),
                FieldType.Decimal => (JsonSchemaType.Number, "double"),
                FieldType.Bool => (JsonSchemaType.Boolean, null),
                FieldType.DateTime => (JsonSchemaType.String, "date-time"),
                FieldType.Uuid => (JsonSchemaType.String, "uuid"),
                _ => (JsonSchemaType.String, (string?)null),
            };
            Assert.Equal(isRequired ? type : type | JsonSchemaType.Null, property.Type);
            Assert.Equal(format, property.Format);
            Assert.Equal(field.MaxLength, property.MaxLength);
            if (field.Type == FieldType.Enum)
            {
                var values = (property.Enum ?? []).Where(v => v is not null && !JsonNullSentinel.IsJsonNullSentinel(v)).Select(v => v.GetValue<string>());
                Assert.Equal(field.Values, values);
            }
        }
    }

    private static (OpenApiDocument Document, OpenApiDiagnostic Diagnostic) ReadOpenApi(string text)
    {
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        var result = OpenApiDocument.Parse(text, "yaml", settings);
        Assert.NotNull(result.Document);
        Assert.NotNull(result.Diagnostic);
        return (result.Document, result.Diagnostic);
    }

    private static (Blueprint Blueprint, Dictionary<string, IReadOnlyList<GeneratedFile>> Files) RenderSample(string sample)
    {
        var (blueprint, hash) = SkillTestSupport.LoadSample(Path.Combine(SkillTestSupport.BlueprintsFolder(), sample));
        var executor = new ScribanSkillExecutor(SkillTestSupport.Pack);
        var files = blueprint.Modules.ToDictionary(
            m => m.Name,
            m => SkillTestSupport.RenderModule(executor, SkillTestSupport.Pack, blueprint, hash, m),
            StringComparer.Ordinal);
        return (blueprint, files);
    }

    private static string Text(IEnumerable<GeneratedFile> files, string path) =>
        Encoding.UTF8.GetString(Assert.Single(files, f => f.Path == path).Content.Span);

    [GeneratedRegex(@"\{(?<name>[^}:?*]+)[^}]*\}", RegexOptions.CultureInvariant)]
    private static partial Regex RouteParameter();
}

/// <summary>
/// A structural check of a GitHub Actions workflow. GitHub publishes no schema that is available offline, so this
/// checks by hand the rules a workflow must follow to be accepted: a mapping with <c>on</c> and a non-empty
/// <c>jobs</c> mapping; each job with <c>runs-on</c> (or a reusable-workflow <c>uses</c>) and a non-empty
/// <c>steps</c> list; each step a mapping with exactly one of <c>uses</c> and <c>run</c>, <c>with</c> only beside
/// <c>uses</c>, and <c>uses</c> of the form <c>owner/repo@ref</c> (or a local or docker action).
/// </summary>
internal static partial class GitHubWorkflowShape
{
    public sealed record Step(string? Uses, string? Run, IReadOnlyDictionary<string, string> With);

    public static IReadOnlyList<string> Check(string workflow)
    {
        var problems = new List<string>();
        if (Load(workflow) is not { } root)
        {
            return ["the workflow is not a YAML mapping"];
        }

        if (Get(root, "on") is null)
        {
            problems.Add("missing the 'on' trigger");
        }

        if (Get(root, "jobs") is not YamlMappingNode { Children.Count: > 0 } jobs)
        {
            problems.Add("'jobs' must be a non-empty mapping");
            return problems;
        }

        foreach (var (key, value) in jobs.Children)
        {
            var id = ((YamlScalarNode)key).Value ?? "";
            if (!JobId().IsMatch(id))
            {
                problems.Add($"job id '{id}' must start with a letter or '_' and hold only letters, digits, '-' and '_'");
            }

            if (value is not YamlMappingNode job)
            {
                problems.Add($"job '{id}' must be a mapping");
                continue;
            }

            if (Get(job, "uses") is not null)
            {
                continue;
            }

            if (Get(job, "runs-on") is not (YamlScalarNode { Value.Length: > 0 } or YamlSequenceNode { Children.Count: > 0 } or YamlMappingNode))
            {
                problems.Add($"job '{id}' needs 'runs-on'");
            }

            if (Get(job, "steps") is not YamlSequenceNode { Children.Count: > 0 } steps)
            {
                problems.Add($"job '{id}' needs a non-empty 'steps' list");
                continue;
            }

            for (var i = 0; i < steps.Children.Count; i++)
            {
                if (steps.Children[i] is not YamlMappingNode step)
                {
                    problems.Add($"job '{id}' step {i} must be a mapping");
                    continue;
                }

                var uses = Get(step, "uses");
                var run = Get(step, "run");
                if ((uses is null) == (run is null))
                {
                    problems.Add($"job '{id}' step {i} must have exactly one of 'uses' and 'run'");
                }

                if (Get(step, "with") is not null && uses is null)
                {
                    problems.Add($"job '{id}' step {i} has 'with' without 'uses'");
                }

                if (uses is YamlScalarNode { Value: { } action } && !ActionReference().IsMatch(action))
                {
                    problems.Add($"job '{id}' step {i}: 'uses: {action}' is not owner/repo@ref, ./path or docker://image");
                }
            }
        }

        return problems;
    }

    public static IReadOnlyList<Step> Steps(string workflow) =>
        Load(workflow) is { } root && Get(root, "jobs") is YamlMappingNode jobs
            ? [.. jobs.Children.Values
                .OfType<YamlMappingNode>()
                .SelectMany(j => Get(j, "steps") is YamlSequenceNode s ? s.Children.OfType<YamlMappingNode>() : [])
                .Select(s => new Step(
                    (Get(s, "uses") as YamlScalarNode)?.Value,
                    (Get(s, "run") as YamlScalarNode)?.Value,
                    Get(s, "with") is YamlMappingNode with
                        ? with.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value ?? "", c => (c.Value as YamlScalarNode)?.Value ?? "", StringComparer.Ordinal)
                        : new Dictionary<string, string>(StringComparer.Ordinal)))]
            : [];

    private static YamlMappingNode? Load(string workflow)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(workflow));
        return stream.Documents.Count == 1 ? stream.Documents[0].RootNode as YamlMappingNode : null;
    }

    private static YamlNode? Get(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex JobId();

    [GeneratedRegex(@"^([A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[A-Za-z0-9_./-]+|\./.+|docker://.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ActionReference();
}
