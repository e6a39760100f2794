-- Orleans cluster membership (ADO.NET provider, invariant "Npgsql").
-- The provider reads its statements from orleans_query by key ("OrleansQuery" is the name it asks for);
-- it binds @-parameters and reads result columns by name, so the aliases below are part of the contract.
create table if not exists OrleansQuery (
    QueryKey  varchar(64) primary key,
    QueryText text        not null
);

-- One row per cluster: the membership table's version, bumped by every change (optimistic concurrency).
create table if not exists factory_orleans_cluster (
    cluster_id text        primary key,
    version    integer     not null default 0,
    changed_at timestamptz not null default now()
);

-- One row per silo incarnation.
create table if not exists factory_orleans_silo (
    cluster_id     text        not null references factory_orleans_cluster (cluster_id) on delete cascade,
    address        text        not null,
    port           integer     not null,
    generation     integer     not null,
    silo_name      text        not null,
    host_name      text        not null,
    status         integer     not null,
    proxy_port     integer,
    suspect_times  text,
    start_time     timestamptz not null,
    i_am_alive_at  timestamptz not null,
    primary key (cluster_id, address, port, generation)
);

insert into OrleansQuery (QueryKey, QueryText) values
('InsertMembershipVersionKey', $q$
    with added as (
        insert into factory_orleans_cluster (cluster_id) values (@DeploymentId)
        on conflict (cluster_id) do nothing
        returning 1)
    select count(*)::integer from added
$q$),
('InsertMembershipKey', $q$
    with bumped as (
        update factory_orleans_cluster
        set version = version + 1, changed_at = now()
        where cluster_id = @DeploymentId and version = @Version
          and not exists (select 1 from factory_orleans_silo s
                          where s.cluster_id = @DeploymentId and s.address = @Address
                            and s.port = @Port and s.generation = @Generation)
        returning cluster_id),
    added as (
        insert into factory_orleans_silo (cluster_id, address, port, generation, silo_name, host_name, status,
                                          proxy_port, start_time, i_am_alive_at)
        select cluster_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
        from bumped
        returning 1)
    select count(*)::integer from added
$q$),
('UpdateMembershipKey', $q$
    with bumped as (
        update factory_orleans_cluster
        set version = version + 1, changed_at = now()
        where cluster_id = @DeploymentId and version = @Version
          and exists (select 1 from factory_orleans_silo s
                      where s.cluster_id = @DeploymentId and s.address = @Address
                        and s.port = @Port and s.generation = @Generation)
        returning cluster_id),
    changed as (
        update factory_orleans_silo s
        set status = @Status, suspect_times = @SuspectTimes, i_am_alive_at = @IAmAliveTime
        from bumped
        where s.cluster_id = bumped.cluster_id and s.address = @Address
          and s.port = @Port and s.generation = @Generation
        returning 1)
    select count(*)::integer from changed
$q$),
('UpdateIAmAlivetimeKey', $q$
    update factory_orleans_silo
    set i_am_alive_at = @IAmAliveTime
    where cluster_id = @DeploymentId and address = @Address and port = @Port and generation = @Generation
$q$),
('MembershipReadRowKey', $q$
    select c.cluster_id as DeploymentId, s.address as Address, s.port as Port, s.generation as Generation,
           s.silo_name as SiloName, s.host_name as HostName, s.status as Status, s.proxy_port as ProxyPort,
           s.suspect_times as SuspectTimes, s.start_time as StartTime, s.i_am_alive_at as IAmAliveTime,
           c.version as Version
    from factory_orleans_cluster c
    left join factory_orleans_silo s
        on s.cluster_id = c.cluster_id and s.address = @Address and s.port = @Port and s.generation = @Generation
    where c.cluster_id = @DeploymentId
$q$),
('MembershipReadAllKey', $q$
    select c.cluster_id as DeploymentId, s.address as Address, s.port as Port, s.generation as Generation,
           s.silo_name as SiloName, s.host_name as HostName, s.status as Status, s.proxy_port as ProxyPort,
           s.suspect_times as SuspectTimes, s.start_time as StartTime, s.i_am_alive_at as IAmAliveTime,
           c.version as Version
    from factory_orleans_cluster c
    left join factory_orleans_silo s on s.cluster_id = c.cluster_id
    where c.cluster_id = @DeploymentId
$q$),
('DeleteMembershipTableEntriesKey', $q$
    delete from factory_orleans_cluster where cluster_id = @DeploymentId
$q$),
('GatewaysQueryKey', $q$
    select address as Address, proxy_port as ProxyPort, generation as Generation
    from factory_orleans_silo
    where cluster_id = @DeploymentId and status = @Status and proxy_port > 0
$q$),
('CleanupDefunctSiloEntriesKey', $q$
    -- 3 is "Active": a live silo's row is kept however old its last heartbeat.
    delete from factory_orleans_silo
    where cluster_id = @DeploymentId and i_am_alive_at < @IAmAliveTime and status <> 3
$q$)
on conflict (QueryKey) do update set QueryText = excluded.QueryText;
