using System.Diagnostics.Metrics;
using Factory.Grains.Journal;
using Factory.Grains.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Factory.Storage.Postgres;

/// <summary>
/// The PostgreSQL-mode journal: one row per event in <c>factory_journal</c>, keyed by run and sequence.
/// Appending only inserts: one statement inserts a run's events only when the first continues the journaled
/// sequence, and the primary key turns a concurrent second writer's insert into a <see cref="JournalSequenceException"/>.
/// Appends of different runs that arrive while a write is in flight are sent together as one batch (group commit),
/// so under load many runs' events cost one round trip.
/// </summary>
/// <param name="dataSource">The database, whose schema <see cref="FactorySchema"/> has applied.</param>
public sealed class PostgresRunJournal(NpgsqlDataSource dataSource) : IRunJournal
{
    /// <summary>Most appends sent in one batch.</summary>
    public const int MaxBatch = 128;

    private const string AppendSql =
        """
        with journaled as (select coalesce(max(sequence) + 1, 0) as next from factory_journal where run_id = $1)
        insert into factory_journal (run_id, sequence, event)
        select $1, t.s, t.e::jsonb from unnest($2::bigint[], $3::text[]) as t(s, e), journaled
        where journaled.next = $4
        """;

    private static readonly Meter Meter = new(FactoryTelemetry.SourceName);
    private static readonly Counter<long> Writes = Meter.CreateCounter<long>("factory.journal.writes", "{write}", "Journal round trips to PostgreSQL (each may carry many runs' appends).");

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly GroupCommit<Append> _appends = new(batch => WriteAsync(dataSource, batch), MaxBatch);

    /// <inheritdoc/>
    public async ValueTask AppendAsync(string runId, IReadOnlyList<TraceEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        var first = events[0].Sequence;
        var sequences = new long[events.Count];
        var bodies = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Sequence != first + i)
            {
                throw new JournalSequenceException(runId, first + i, events[i].Sequence);
            }

            sequences[i] = events[i].Sequence;
            bodies[i] = JournalEventJson.Serialize(events[i]);
        }

        await _appends.WriteAsync(new Append(runId, first, sequences, bodies), cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<TraceEvent>> ReadAsync(string runId, long fromSequence, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = new NpgsqlCommand(
            """
            select sequence, event::text from factory_journal
            where run_id = $1 and sequence >= $2
            order by sequence
            limit $3
            """, connection);
        select.Parameters.Add(new NpgsqlParameter { Value = runId, NpgsqlDbType = NpgsqlDbType.Text });
        select.Parameters.Add(new NpgsqlParameter { Value = fromSequence, NpgsqlDbType = NpgsqlDbType.Bigint });
        select.Parameters.Add(new NpgsqlParameter { Value = max, NpgsqlDbType = NpgsqlDbType.Integer });
        var events = new List<TraceEvent>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // The row's key is the sequence of record.
            events.Add(JournalEventJson.Deserialize(reader.GetString(1)) with { Sequence = reader.GetInt64(0) });
        }

        return events;
    }

    private static async Task WriteAsync(NpgsqlDataSource dataSource, List<Pending<Append>> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        try
        {
            await ExecuteAsync(connection, batch);
            return;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && batch.Count > 1)
        {
            // A second writer of one of the runs: the batch was rolled back as a whole; retry each on its own.
        }

        foreach (var pending in batch)
        {
            try
            {
                await ExecuteAsync(connection, [pending]);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                pending.Done.TrySetException(new JournalSequenceException(pending.Item.RunId, await NextSequenceAsync(connection, pending.Item.RunId), pending.Item.First));
            }
        }
    }

    /// <summary>Inserts every append of <paramref name="batch"/> in one round trip and completes each.</summary>
    private static async Task ExecuteAsync(NpgsqlConnection connection, IReadOnlyList<Pending<Append>> batch)
    {
        await using var command = new NpgsqlBatch(connection);
        foreach (var append in batch.Select(p => p.Item))
        {
            var insert = new NpgsqlBatchCommand(AppendSql);
            insert.Parameters.Add(new NpgsqlParameter { Value = append.RunId, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = append.Sequences, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            insert.Parameters.Add(new NpgsqlParameter { Value = append.Bodies, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = append.First, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.BatchCommands.Add(insert);
        }

        await command.ExecuteNonQueryAsync();
        Writes.Add(1);
        for (var i = 0; i < batch.Count; i++)
        {
            var (pending, append) = (batch[i], batch[i].Item);
            if (command.BatchCommands[i].RecordsAffected == append.Sequences.Length)
            {
                pending.Done.TrySetResult();
            }
            else
            {
                // The first sequence does not continue the journal: nothing of this append was stored.
                pending.Done.TrySetException(new JournalSequenceException(append.RunId, await NextSequenceAsync(connection, append.RunId), append.First));
            }
        }
    }

    private static async Task<long> NextSequenceAsync(NpgsqlConnection connection, string runId)
    {
        await using var count = new NpgsqlCommand("select coalesce(max(sequence) + 1, 0) from factory_journal where run_id = $1", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = runId, NpgsqlDbType = NpgsqlDbType.Text });
        return (long)(await count.ExecuteScalarAsync() ?? 0L);
    }

    private sealed record Append(string RunId, long First, long[] Sequences, string[] Bodies);
}
