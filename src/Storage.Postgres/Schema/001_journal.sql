-- The run journal: one row per event, append-only (rows are inserted, never updated or deleted).
-- "Run R from sequence N" reads the primary key's index.
create table if not exists factory_journal (
    run_id   text   not null,
    sequence bigint not null check (sequence >= 0),
    event    jsonb  not null,
    primary key (run_id, sequence)
);
