using System.Globalization;
using System.Text.Json.Nodes;
using Factory.Blueprints;
using Microsoft.OpenApi;

namespace Factory.Grains.Skills;

/// <summary>
/// Generator <c>openapi</c>: the module's HTTP contract as an OpenAPI 3.1 document built with the Microsoft.OpenApi
/// object model and written with its YAML writer.
/// <list type="bullet">
/// <item>One operation per blueprint operation: <c>operationId</c> is the operation name; path parameters are
/// required strings, the key parameter typed like the entity's <c>id</c>; a JSON request body on POST, PUT and
/// PATCH (the entity's <c>{Entity}Request</c> schema when the input is an owned entity).</item>
/// <item>Responses follow what the generated service answers: 201/200/204 by shape, 400 validation problem when
/// the body is validated, 404 for get/update/delete, 409 for a create that collides, 501 for an action, and 401/403
/// from the scope filter.</item>
/// <item>Component schemas <c>{Entity}</c> (what the API returns) and <c>{Entity}Request</c> (what a client sends),
/// with formats <c>uuid</c>, <c>date-time</c>, <c>int32</c>; decimals are <c>number</c> with format <c>double</c>
/// (the JSON the service writes is a number, as ASP.NET Core describes <c>decimal</c>); enums list their values;
/// strings carry <c>maxLength</c>; optional fields are nullable.</item>
/// <item>Security: one <c>apiKey</c> scheme <c>scopes</c> on the <c>X-Scopes</c> header (space-separated granted
/// scopes). Each operation requires it and lists its one scope; OpenAPI 3.1 allows role names in a requirement of a
/// non-OAuth scheme, and the scope is also written to the operation's <c>x-required-scope</c>.</item>
/// <item>No servers: where the service runs is a deployment matter.</item>
/// </list>
/// Dictionaries are filled in blueprint order, so the document is a pure function of the input.
/// </summary>
public sealed class OpenApiContractGenerator : IArtifactGenerator
{
    /// <summary>The name packs use.</summary>
    public const string GeneratorName = "openapi";

    /// <summary>The security scheme's key in <c>components.securitySchemes</c>.</summary>
    public const string SecuritySchemeName = "scopes";

    /// <summary>The header that carries the caller's granted scopes.</summary>
    public const string ScopesHeader = "X-Scopes";

    /// <summary>The extension that repeats an operation's required scope.</summary>
    public const string ScopeExtension = "x-required-scope";

    private const string Json = "application/json";
    private const string ProblemJson = "application/problem+json";

    /// <inheritdoc />
    public string Name => GeneratorName;

    /// <inheritdoc />
    public string Generate(ArtifactGeneratorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var document = Build(context.Input);
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        document.SerializeAsV31(new EscapingYamlWriter(text));
        return GeneratedHeader.Yaml(context.Input) + text.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>Builds the module's OpenAPI document.</summary>
    public static OpenApiDocument Build(SkillInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var blueprint = input.Blueprint;
        var module = input.Module;
        var domainEntities = blueprint.Domain.Entities.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var entities = module.Entities
            .Where(domainEntities.ContainsKey)
            .Select(name => domainEntities[name])
            .ToDictionary(e => e.Name, StringComparer.Ordinal);

        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = $"{TemplateFunctions.Pascal(blueprint.Metadata.Name)}.{TemplateFunctions.Pascal(module.Name)}.Api",
                Version = blueprint.Metadata.Version,
                Description = module.Description.Length > 0 ? module.Description : null,
            },
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
                Responses = new Dictionary<string, IOpenApiResponse>(StringComparer.Ordinal),
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal),
            },
        };

        AddSharedComponents(document);
        foreach (var entity in entities.Values)
        {
            document.Components.Schemas![TemplateFunctions.Pascal(entity.Name)] = EntitySchema(entity.Fields.Select(WithRequiredId), entity.Description);
            document.Components.Schemas[TemplateFunctions.Pascal(entity.Name) + "Request"] = EntitySchema(
                RequestFields(entity),
                $"The request body that creates or replaces one {entity.Name}.");
        }

        foreach (var operation in module.Operations)
        {
            if (!document.Paths.TryGetValue(operation.Path, out var item))
            {
                item = new OpenApiPathItem { Operations = [] };
                document.Paths.Add(operation.Path, item);
            }

            ((OpenApiPathItem)item).Operations![Method(operation.Method)] = Operation(document, operation, entities);
        }

        return document;
    }

    private static void AddSharedComponents(OpenApiDocument document)
    {
        var components = document.Components!;
        components.SecuritySchemes![SecuritySchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ScopesHeader,
            Description = $"The caller's granted scopes, separated by spaces. No header answers 401; a header without the operation's scope answers 403. Each operation lists the one scope it requires (also in {ScopeExtension}).",
        };

        components.Schemas!["ProblemDetails"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 9457 problem.",
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            },
        };
        components.Schemas["ValidationProblem"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 9457 problem whose errors are keyed by field.",
            AllOf = [new OpenApiSchemaReference("ProblemDetails", document)],
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    AdditionalProperties = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Array,
                        Items = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                },
            },
        };

        components.Responses!["ValidationProblem"] = Problem("The request failed validation; errors are keyed by field.", "ValidationProblem", document);
        components.Responses["Unauthorized"] = Problem($"The {ScopesHeader} header is missing.", "ProblemDetails", document);
        components.Responses["Forbidden"] = Problem("The caller lacks the operation's scope.", "ProblemDetails", document);
        components.Responses["NotFound"] = new OpenApiResponse { Description = "No resource has this key." };
    }

    private static OpenApiResponse Problem(string description, string schema, OpenApiDocument document) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
        {
            [ProblemJson] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(schema, document) },
        },
    };

    private static OpenApiOperation Operation(OpenApiDocument document, OperationSpec operation, IReadOnlyDictionary<string, EntitySpec> entities)
    {
        var shape = OperationShape.Of(operation, entities);
        var result = new OpenApiOperation
        {
            OperationId = operation.Name,
            Summary = operation.Name,
            Description = operation.Description.Length > 0 ? operation.Description : null,
            Parameters = [.. shape.RouteParameters.Select(name => (IOpenApiParameter)new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Path,
                Required = true,
                Schema = name == shape.KeyParameter && shape.Target is { } target ? KeySchema(target) : new OpenApiSchema { Type = JsonSchemaType.String },
            })],
            Responses = [],
            Security =
            [
                new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = operation.Scope.Length > 0 ? [operation.Scope] : [],
                },
            ],
        };
        if (operation.Scope.Length > 0)
        {
            result.Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal)
            {
                [ScopeExtension] = new JsonNodeExtension(JsonValue.Create(operation.Scope)),
            };
        }

        var hasBody = OperationShape.HasBody(operation);
        if (hasBody)
        {
            result.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
                {
                    [Json] = new OpenApiMediaType
                    {
                        Schema = shape.InputEntity is { } input
                            ? new OpenApiSchemaReference(TemplateFunctions.Pascal(input.Name) + "Request", document)
                            : new OpenApiSchema { Type = JsonSchemaType.Object, Description = $"{operation.Input} payload." },
                    },
                },
            };
        }

        var responses = new SortedDictionary<string, IOpenApiResponse>(StringComparer.Ordinal);
        var entity = shape.Target is { } t ? TemplateFunctions.Pascal(t.Name) : null;
        switch (shape.Crud)
        {
            case "create":
                responses["201"] = Body("Created; the Location header names the new resource.", Ref(entity, document));
                responses["409"] = new OpenApiResponse { Description = "A resource with this key already exists." };
                break;
            case "list":
                responses["200"] = Body("Every resource.", new OpenApiSchema { Type = JsonSchemaType.Array, Items = Ref(entity, document) });
                break;
            case "get":
                responses["200"] = Body("The resource.", Ref(entity, document));
                responses["404"] = new OpenApiResponseReference("NotFound", document);
                break;
            case "update":
                responses[shape.OutputEntity is null ? "204" : "200"] = shape.OutputEntity is null
                    ? new OpenApiResponse { Description = "Done." }
                    : Body("The resource.", Ref(entity, document));
                responses["404"] = new OpenApiResponseReference("NotFound", document);
                break;
            case "delete":
                responses["204"] = new OpenApiResponse { Description = "Done." };
                responses["404"] = new OpenApiResponseReference("NotFound", document);
                break;
            default:
                responses["501"] = new OpenApiResponse { Description = "Not implemented by the generated service." };
                break;
        }

        if (hasBody && shape.InputEntity is not null)
        {
            responses["400"] = new OpenApiResponseReference("ValidationProblem", document);
        }

        responses["401"] = new OpenApiResponseReference("Unauthorized", document);
        responses["403"] = new OpenApiResponseReference("Forbidden", document);
        foreach (var (status, response) in responses)
        {
            result.Responses.Add(status, response);
        }

        return result;
    }

    private static OpenApiSchemaReference Ref(string? schema, OpenApiDocument document) =>
        new(schema ?? throw new InvalidOperationException("An entity operation has no entity."), document);

    private static OpenApiResponse Body(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
        {
            [Json] = new OpenApiMediaType { Schema = schema },
        },
    };

    private static HttpMethod Method(HttpVerb verb) => verb switch
    {
        HttpVerb.Get => HttpMethod.Get,
        HttpVerb.Post => HttpMethod.Post,
        HttpVerb.Put => HttpMethod.Put,
        HttpVerb.Patch => HttpMethod.Patch,
        HttpVerb.Delete => HttpMethod.Delete,
        _ => throw new ArgumentOutOfRangeException(nameof(verb), verb, "Unknown HTTP method."),
    };

    private static FieldSpec WithRequiredId(FieldSpec field) => field.Name == "id" ? field with { Required = true } : field;

    /// <summary>The fields a client sends: all but a server-generated <c>id</c> (a <c>uuid</c> id).</summary>
    private static IEnumerable<FieldSpec> RequestFields(EntitySpec entity) =>
        entity.Fields.Where(f => !(f.Name == "id" && f.Type == FieldType.Uuid)).Select(WithRequiredId);

    private static OpenApiSchema KeySchema(EntitySpec entity) =>
        entity.Fields.FirstOrDefault(f => f.Name == "id") is { } id
            ? FieldSchema(id with { Required = true, Description = "" })
            : new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" };

    private static OpenApiSchema EntitySchema(IEnumerable<FieldSpec> fields, string description)
    {
        var list = fields.ToList();
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = description.Length > 0 ? description : null,
            Required = list.Where(f => f.Required).Select(f => f.Name).ToHashSet(StringComparer.Ordinal),
            Properties = list.ToDictionary(f => f.Name, f => (IOpenApiSchema)FieldSchema(f), StringComparer.Ordinal),
        };
    }

    private static OpenApiSchema FieldSchema(FieldSpec field)
    {
        var (type, format) = field.Type switch
        {
            FieldType.Int => (JsonSchemaType.Integer, "int32"),
            FieldType.Decimal => (JsonSchemaType.Number, "double"),
            FieldType.Bool => (JsonSchemaType.Boolean, null),
            FieldType.DateTime => (JsonSchemaType.String, "date-time"),
            FieldType.Uuid => (JsonSchemaType.String, "uuid"),
            _ => (JsonSchemaType.String, (string?)null),
        };
        var schema = new OpenApiSchema
        {
            Type = field.Required ? type : type | JsonSchemaType.Null,
            Format = format,
            MaxLength = field.Type == FieldType.String ? field.MaxLength : null,
            Description = field.Description.Length > 0 ? field.Description : null,
        };
        if (field.Type == FieldType.Enum)
        {
            schema.Enum = [.. field.Values.Select(v => (JsonNode)JsonValue.Create(v))];
            if (!field.Required)
            {
                schema.Enum.Add(JsonNullSentinel.JsonNull);
            }
        }

        return schema;
    }

    /// <summary>
    /// The library's YAML writer, except that a string holding a character some YAML and JavaScript readers take
    /// for a line break (U+0085, U+2028, U+2029) or any other control character is written as an escaped
    /// double-quoted scalar, so free text from a blueprint can never start a line of its own.
    /// </summary>
    private sealed class EscapingYamlWriter(TextWriter writer) : OpenApiYamlWriter(writer)
    {
        public override void WriteValue(string value)
        {
            if (value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
            {
                WriteValueSeparator();
                Writer.Write(TemplateFunctions.YamlString(value));
                return;
            }

            base.WriteValue(value);
        }
    }
}
