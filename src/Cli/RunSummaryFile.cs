using System.Text.Json;
using System.Text.Json.Serialization;

namespace Factory.Cli;

/// <summary>Writes <c>run.json</c>: the run's final snapshot (status, tasks, artifacts with hashes).</summary>
internal static class RunSummaryFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static async Task WriteAsync(string path, RunSnapshot run, CancellationToken cancellationToken)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, new
        {
            run.RunId,
            run.TenantId,
            run.TraceId,
            run.Status,
            run.Reason,
            Blueprint = new { Name = run.BlueprintName, Version = run.BlueprintVersion, Sha256 = run.BlueprintHash },
            run.TemplatePack,
            run.SubmittedAt,
            run.EndedAt,
            run.EventCount,
            Tasks = run.Tasks.Select(t => new { t.Task.Id, t.Task.Module, t.Task.Role, t.Status, t.Reason }),
            Artifacts = run.Artifacts.Select(a => new { a.Path, a.Kind, a.Sha256, a.Size, a.Role, a.Skill, a.SkillVersion }),
            Gates = run.Gates.Select(g => new
            {
                g.Module,
                Rule = g.RuleId,
                g.Mode,
                g.Passed,
                g.Summary,
                Violations = g.Violations.Select(v => new { v.Path, v.Message }),
            }),
            run.CostUsd,
            run.BaselineBlueprintHash,
        }, Json, cancellationToken);
    }
}
