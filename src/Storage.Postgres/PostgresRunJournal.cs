using Factory.Grains.Journal;
using Npgsql;
using NpgsqlTypes;

namespace Factory.Storage.Postgres;

/// <summary>
/// The PostgreSQL-mode journal: one row per event in <c>factory_journal</c>, keyed by run and sequence.
/// Appending only inserts; the sequences are checked against the journaled count in the same transaction,
/// and the primary key turns a concurrent second writer's insert into a <see cref="JournalSequenceException"/>.
/// </summary>
/// <param name="dataSource">The database, whose schema <see cref="FactorySchema"/> has applied.</param>
public sealed class PostgresRunJournal(NpgsqlDataSource dataSource) : IRunJournal
{
    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <inheritdoc/>
    public async ValueTask AppendAsync(string runId, IReadOnlyList<TraceEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var expected = await NextSequenceAsync(connection, transaction, runId, cancellationToken);
        var sequences = new long[events.Count];
        var bodies = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Sequence != expected + i)
            {
                throw new JournalSequenceException(runId, expected + i, events[i].Sequence);
            }

            sequences[i] = events[i].Sequence;
            bodies[i] = JournalEventJson.Serialize(events[i]);
        }

        await using var insert = new NpgsqlCommand(
            """
            insert into factory_journal (run_id, sequence, event)
            select $1, s, e::jsonb from unnest($2::bigint[], $3::text[]) as t(s, e)
            """, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = runId, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = sequences, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        insert.Parameters.Add(new NpgsqlParameter { Value = bodies, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another writer journaled these sequences between our check and our insert.
            await transaction.RollbackAsync(CancellationToken.None);
            var now = await NextSequenceAsync(connection, transaction: null, runId, cancellationToken);
            throw new JournalSequenceException(runId, now, events[0].Sequence);
        }
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

    private static async Task<long> NextSequenceAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string runId, CancellationToken cancellationToken)
    {
        await using var count = new NpgsqlCommand(
            "select coalesce(max(sequence) + 1, 0) from factory_journal where run_id = $1", connection, transaction);
        count.Parameters.Add(new NpgsqlParameter { Value = runId, NpgsqlDbType = NpgsqlDbType.Text });
        return (long)(await count.ExecuteScalarAsync(cancellationToken) ?? 0L);
    }
}
