-- Orleans reminders (ADO.NET provider). grain_hash is the grain's uniform hash as a signed integer; the
-- provider reads ranges of it. period is in milliseconds.
create table if not exists factory_orleans_reminder (
    service_id    text        not null,
    grain_id      text        not null,
    reminder_name text        not null,
    start_time    timestamptz not null,
    period        bigint      not null,
    grain_hash    integer     not null,
    version       integer     not null,
    primary key (service_id, grain_id, reminder_name)
);

create index if not exists factory_orleans_reminder_hash on factory_orleans_reminder (service_id, grain_hash);

insert into OrleansQuery (QueryKey, QueryText) values
('UpsertReminderRowKey', $q$
    insert into factory_orleans_reminder (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
    values (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    on conflict (service_id, grain_id, reminder_name) do update
        set start_time = excluded.start_time, period = excluded.period, grain_hash = excluded.grain_hash,
            version = factory_orleans_reminder.version + 1
    returning version as Version
$q$),
('ReadReminderRowsKey', $q$
    select grain_id as GrainId, reminder_name as ReminderName, start_time as StartTime, period as Period, version as Version
    from factory_orleans_reminder
    where service_id = @ServiceId and grain_id = @GrainId
$q$),
('ReadReminderRowKey', $q$
    select grain_id as GrainId, reminder_name as ReminderName, start_time as StartTime, period as Period, version as Version
    from factory_orleans_reminder
    where service_id = @ServiceId and grain_id = @GrainId and reminder_name = @ReminderName
$q$),
('ReadRangeRows1Key', $q$
    select grain_id as GrainId, reminder_name as ReminderName, start_time as StartTime, period as Period, version as Version
    from factory_orleans_reminder
    where service_id = @ServiceId and grain_hash > @BeginHash and grain_hash <= @EndHash
$q$),
('ReadRangeRows2Key', $q$
    select grain_id as GrainId, reminder_name as ReminderName, start_time as StartTime, period as Period, version as Version
    from factory_orleans_reminder
    where service_id = @ServiceId and (grain_hash > @BeginHash or grain_hash <= @EndHash)
$q$),
('DeleteReminderRowKey', $q$
    with deleted as (
        delete from factory_orleans_reminder
        where service_id = @ServiceId and grain_id = @GrainId and reminder_name = @ReminderName and version = @Version
        returning 1)
    select count(*)::integer from deleted
$q$),
('DeleteReminderRowsKey', $q$
    delete from factory_orleans_reminder where service_id = @ServiceId
$q$)
on conflict (QueryKey) do update set QueryText = excluded.QueryText;
