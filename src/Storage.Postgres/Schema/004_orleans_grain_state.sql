-- Orleans grain state (ADO.NET persistence provider): the "factory" and "PubSubStore" storages share the
-- table. The provider hashes the grain id and type; the row is found by those hashes plus the full key.
create table if not exists factory_orleans_grain_state (
    service_id     text        not null,
    grain_type     text        not null,
    grain_type_hash integer    not null,
    grain_id_hash  integer     not null,
    grain_id_n0    bigint      not null,
    grain_id_n1    bigint      not null,
    grain_id_ext   text        not null default '',
    payload        bytea,
    version        integer     not null,
    modified_at    timestamptz not null default now(),
    primary key (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext)
);

create index if not exists factory_orleans_grain_state_hashes
    on factory_orleans_grain_state (grain_id_hash, grain_type_hash);

-- A null version writes a new row; otherwise the row must still hold that version. The statement returns
-- the new version, or the version given when nothing was written (the provider then reports a conflict).
insert into OrleansQuery (QueryKey, QueryText) values
('WriteToStorageKey', $q$
    with updated as (
        update factory_orleans_grain_state
        set payload = @PayloadBinary, version = version + 1, modified_at = now()
        where @GrainStateVersion is not null
          and service_id = @ServiceId and grain_type = @GrainTypeString
          and grain_id_n0 = @GrainIdN0 and grain_id_n1 = @GrainIdN1
          and grain_id_ext = coalesce(@GrainIdExtensionString, '')
          and grain_id_hash = @GrainIdHash and grain_type_hash = @GrainTypeHash
          and version = @GrainStateVersion
        returning version),
    inserted as (
        insert into factory_orleans_grain_state (service_id, grain_type, grain_type_hash, grain_id_hash,
                                                 grain_id_n0, grain_id_n1, grain_id_ext, payload, version)
        select @ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1,
               coalesce(@GrainIdExtensionString, ''), @PayloadBinary, 1
        where @GrainStateVersion is null
        on conflict do nothing
        returning version)
    select coalesce((select version from updated), (select version from inserted), @GrainStateVersion) as NewGrainStateVersion
$q$),
('ReadFromStorageKey', $q$
    select payload as PayloadBinary, now() as ReadAt, version as Version
    from factory_orleans_grain_state
    where service_id = @ServiceId and grain_type = @GrainTypeString
      and grain_id_n0 = @GrainIdN0 and grain_id_n1 = @GrainIdN1
      and grain_id_ext = coalesce(@GrainIdExtensionString, '')
      and grain_id_hash = @GrainIdHash and grain_type_hash = @GrainTypeHash
$q$),
('ClearStorageKey', $q$
    update factory_orleans_grain_state
    set payload = null, version = version + 1, modified_at = now()
    where service_id = @ServiceId and grain_type = @GrainTypeString
      and grain_id_n0 = @GrainIdN0 and grain_id_n1 = @GrainIdN1
      and grain_id_ext = coalesce(@GrainIdExtensionString, '')
      and grain_id_hash = @GrainIdHash and grain_type_hash = @GrainTypeHash
      and version = @GrainStateVersion
    returning version as NewGrainStateVersion
$q$),
('DeleteStorageKey', $q$
    delete from factory_orleans_grain_state
    where service_id = @ServiceId and grain_type = @GrainTypeString
      and grain_id_n0 = @GrainIdN0 and grain_id_n1 = @GrainIdN1
      and grain_id_ext = coalesce(@GrainIdExtensionString, '')
      and grain_id_hash = @GrainIdHash and grain_type_hash = @GrainTypeHash
      and version = @GrainStateVersion
    returning version + 1 as NewGrainStateVersion
$q$)
on conflict (QueryKey) do update set QueryText = excluded.QueryText;
