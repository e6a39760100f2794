using System.Globalization;
using Factory.Bundles;
using Google.Protobuf.WellKnownTypes;

namespace Factory.Gateway;

/// <summary>Maps between the <c>factory.v1</c> messages and Factory's domain records, in one place.</summary>
public static class ProtoMapper
{
    /// <summary>A run's state.</summary>
    public static V1.Run ToProto(RunSnapshot run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var proto = new V1.Run
        {
            RunId = run.RunId,
            TraceId = run.TraceId,
            Status = ToProto(run.Status),
            Reason = run.Reason,
            BlueprintName = run.BlueprintName,
            BlueprintVersion = run.BlueprintVersion,
            BlueprintSha256 = run.BlueprintHash,
            TemplatePack = run.TemplatePack,
            ArtifactCount = run.Artifacts.Length,
            EventCount = run.EventCount,
            CostUsd = (double)run.CostUsd,
            SubmittedAt = Timestamp.FromDateTimeOffset(run.SubmittedAt),
            EndedAt = run.EndedAt is { } ended ? Timestamp.FromDateTimeOffset(ended) : null,
        };
        proto.Tasks.AddRange(run.Tasks.Select(ToProto));
        proto.Gates.AddRange(run.Gates.Select(ToProto));
        proto.Costs.AddRange(run.Costs.Select(ToProto));
        return proto;
    }

    /// <summary>A line of a run's cost breakdown.</summary>
    public static V1.CostLine ToProto(CostLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new V1.CostLine
        {
            Module = line.Module,
            Agent = line.Agent,
            CostUsd = (double)line.CostUsd,
            ComputeUsd = (double)line.ComputeUsd,
            TokensUsd = (double)line.TokensUsd,
            TokensIn = line.TokensIn,
            TokensOut = line.TokensOut,
            Skills = line.Skills,
        };
    }

    /// <summary>A task of the plan.</summary>
    public static V1.Task ToProto(PlanTaskState task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new V1.Task
        {
            Id = task.Task.Id,
            Module = task.Task.Module,
            Role = task.Task.Role,
            Status = task.Status.ToString().ToLowerInvariant(),
            Reason = task.Reason,
        };
    }

    /// <summary>A gate result.</summary>
    public static V1.GateResult ToProto(GateResult gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var proto = new V1.GateResult
        {
            Module = gate.Module,
            Rule = gate.RuleId,
            Mode = gate.Mode == GateMode.Block ? "block" : "warn",
            Passed = gate.Passed,
            Summary = gate.Summary,
        };
        proto.Violations.AddRange(gate.Violations.Select(v => new V1.GateViolation { Path = v.Path, Message = v.Message }));
        return proto;
    }

    /// <summary>A run status.</summary>
    public static V1.RunStatus ToProto(RunStatus status) => status switch
    {
        RunStatus.Running => V1.RunStatus.Running,
        RunStatus.Succeeded => V1.RunStatus.Succeeded,
        RunStatus.Failed => V1.RunStatus.Failed,
        RunStatus.Blocked => V1.RunStatus.Blocked,
        RunStatus.Cancelled => V1.RunStatus.Cancelled,
        _ => V1.RunStatus.Unspecified,
    };

    /// <summary>A status filter.</summary>
    /// <exception cref="ArgumentException">Not a status this version knows.</exception>
    public static RunStatus FromProto(V1.RunStatus status) => status switch
    {
        V1.RunStatus.Unspecified => RunStatus.None,
        V1.RunStatus.Running => RunStatus.Running,
        V1.RunStatus.Succeeded => RunStatus.Succeeded,
        V1.RunStatus.Failed => RunStatus.Failed,
        V1.RunStatus.Blocked => RunStatus.Blocked,
        V1.RunStatus.Cancelled => RunStatus.Cancelled,
        _ => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"status: {(int)status} is not a run status."), nameof(status)),
    };

    /// <summary>A query for a page of runs.</summary>
    /// <exception cref="ArgumentException">A page size outside 0..500.</exception>
    public static RunQuery FromProto(V1.ListRunsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PageSize is < 0 or > 500)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"page_size must be 1..500, or 0 for 50 (was {request.PageSize})."), nameof(request));
        }

        return new RunQuery
        {
            PageSize = request.PageSize == 0 ? 50 : request.PageSize,
            PageToken = request.PageToken,
            Status = FromProto(request.Status),
            BlueprintName = request.BlueprintName,
            SubmittedAfter = request.SubmittedAfter?.ToDateTimeOffset(),
            SubmittedBefore = request.SubmittedBefore?.ToDateTimeOffset(),
        };
    }

    /// <summary>A run in a list, with its status when listed.</summary>
    public static V1.RunListEntry ToProto(TenantRunEntry entry, RunStatus status)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new V1.RunListEntry
        {
            RunId = entry.RunId,
            BlueprintName = entry.BlueprintName,
            BlueprintVersion = entry.BlueprintVersion,
            SubmittedAt = Timestamp.FromDateTimeOffset(entry.SubmittedAt),
            Status = ToProto(status),
            CostUsd = (double)entry.CostUsd,
        };
    }

    /// <summary>A journaled trace event.</summary>
    public static V1.TraceEvent ToProto(TraceEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var proto = new V1.TraceEvent
        {
            EventId = e.EventId,
            Sequence = e.Sequence,
            Type = e.Type,
            RunId = e.RunId,
            TraceId = e.TraceId,
            SpanId = e.SpanId,
            ParentSpanId = e.ParentSpanId,
            Module = e.Module,
            Agent = e.Agent,
            Skill = e.Skill,
            Time = Timestamp.FromDateTimeOffset(e.Time),
        };
        proto.Attributes.Add(e.Attributes);
        return proto;
    }

    /// <summary>A run's headline.</summary>
    public static V1.RunSummary ToProto(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new V1.RunSummary
        {
            RunId = summary.RunId,
            Status = ToProto(summary.Status),
            BlueprintName = summary.BlueprintName,
            BlueprintVersion = summary.BlueprintVersion,
            Reason = summary.Reason,
            EventCount = summary.EventCount,
        };
    }

    /// <summary>An artifact.</summary>
    public static V1.Artifact ToProto(ArtifactRef artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return new V1.Artifact
        {
            Path = artifact.Path,
            Kind = artifact.Kind,
            Sha256 = artifact.Sha256,
            Size = artifact.Size,
            Module = artifact.Module,
            Role = artifact.Role,
            Skill = artifact.Skill,
            SkillVersion = artifact.SkillVersion,
        };
    }

    /// <summary>Feedback from a caller's key.</summary>
    public static Feedback FromProto(V1.SubmitFeedbackRequest request, string keyId)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new Feedback
        {
            Score = request.Score,
            Comment = request.Comment,
            Module = request.Module,
            Agent = request.Agent,
            ArtifactPath = request.ArtifactPath,
            By = keyId,
        };
    }

    /// <summary>A registered blueprint, with its canonical JSON when <paramref name="withContent"/>.</summary>
    public static V1.BlueprintInfo ToProto(RegisteredBlueprint blueprint, bool withContent)
    {
        ArgumentNullException.ThrowIfNull(blueprint);
        return new V1.BlueprintInfo
        {
            Name = blueprint.Name,
            Version = blueprint.Version,
            Sha256 = blueprint.Sha256,
            RegisteredAt = Timestamp.FromDateTimeOffset(blueprint.RegisteredAt),
            CanonicalJson = withContent ? blueprint.CanonicalJson : "",
        };
    }

    /// <summary>A tenant.</summary>
    public static V1.Tenant ToProto(TenantInfo tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return new V1.Tenant
        {
            TenantId = tenant.TenantId,
            Edition = tenant.Edition,
            CreatedAt = Timestamp.FromDateTimeOffset(tenant.CreatedAt),
            ActiveKeys = tenant.ActiveKeys,
            RunsInFlight = tenant.RunsInFlight,
            RunsTotal = tenant.RunsTotal,
            CostUsd = (double)tenant.CostUsd,
        };
    }

    /// <summary>What differs between two runs.</summary>
    public static V1.DiffRunsResponse ToProto(BundleDiff diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var response = new V1.DiffRunsResponse { RunA = diff.A.RunId, RunB = diff.B.RunId, Identical = diff.Identical };
        response.RunChanges.AddRange(diff.Run.Select(c => new V1.RunFieldChange { Field = c.Field, Old = c.Old, New = c.New }));
        response.BlueprintChanges.AddRange(diff.Blueprint.Select(c =>
        {
            var change = new V1.BlueprintChange { Path = c.Path, Kind = ToProto(c.Kind) };
            if (c.Old is not null)
            {
                change.Old = c.Old;
            }

            if (c.New is not null)
            {
                change.New = c.New;
            }

            return change;
        }));
        response.ArtifactChanges.AddRange(diff.Artifacts.Select(c =>
        {
            var change = new V1.ArtifactChange { Path = c.Path, Kind = ToProto(c.Kind) };
            if (c.OldSha256 is not null)
            {
                change.OldSha256 = c.OldSha256;
            }

            if (c.NewSha256 is not null)
            {
                change.NewSha256 = c.NewSha256;
            }

            if (c.UnifiedDiff is not null)
            {
                change.UnifiedDiff = c.UnifiedDiff;
            }

            return change;
        }));
        response.GateChanges.AddRange(diff.Gates.Select(c =>
        {
            var change = new V1.GateChange { Module = c.Module, Rule = c.RuleId, Kind = ToProto(c.Kind) };
            if (c.Old is not null)
            {
                change.Old = c.Old;
            }

            if (c.New is not null)
            {
                change.New = c.New;
            }

            if (c.OldSummary is not null)
            {
                change.OldSummary = c.OldSummary;
            }

            if (c.NewSummary is not null)
            {
                change.NewSummary = c.NewSummary;
            }

            return change;
        }));
        return response;
    }

    /// <summary>How something differs.</summary>
    public static V1.ChangeKind ToProto(ChangeKind kind) => kind switch
    {
        ChangeKind.Added => V1.ChangeKind.Added,
        ChangeKind.Removed => V1.ChangeKind.Removed,
        ChangeKind.Changed => V1.ChangeKind.Changed,
        _ => V1.ChangeKind.Unspecified,
    };
}
