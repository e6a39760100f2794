-- Orleans persistent streams (ADO.NET stream provider), used when Factory:Streams:Provider is AdoNet.
-- Each provider queue is a set of rows keyed by (service, provider, queue); a receiver takes the visible
-- messages in id order, which hides them for the visibility timeout and counts the attempt (the count is the
-- receipt a confirmation must match). A confirmed message is deleted; one that is not comes back after the
-- timeout, until it has been tried too often or is too old, when it moves to the dead letters. All timeouts
-- are given in seconds. The statements return the column names the provider reads.
create table if not exists factory_orleans_stream_message (
    service_id  text        not null,
    provider_id text        not null,
    queue_id    text        not null,
    message_id  bigint      not null generated always as identity,
    dequeued    integer     not null default 0,
    visible_on  timestamptz not null,
    expires_on  timestamptz not null,
    created_on  timestamptz not null,
    modified_on timestamptz not null,
    payload     bytea       not null,
    primary key (service_id, provider_id, queue_id, message_id)
);

create table if not exists factory_orleans_stream_dead_letter (
    service_id  text        not null,
    provider_id text        not null,
    queue_id    text        not null,
    message_id  bigint      not null,
    dequeued    integer     not null,
    visible_on  timestamptz not null,
    expires_on  timestamptz not null,
    created_on  timestamptz not null,
    modified_on timestamptz not null,
    dead_on     timestamptz not null,
    remove_on   timestamptz not null,
    payload     bytea,
    primary key (service_id, provider_id, queue_id, message_id)
);

create index if not exists factory_orleans_stream_dead_letter_removal
    on factory_orleans_stream_dead_letter (service_id, provider_id, queue_id, remove_on);

-- When each queue next sweeps expired messages and old dead letters (at most once per eviction interval,
-- whichever receiver gets there first).
create table if not exists factory_orleans_stream_control (
    service_id  text        not null,
    provider_id text        not null,
    queue_id    text        not null,
    evict_on    timestamptz not null,
    primary key (service_id, provider_id, queue_id)
);

insert into OrleansQuery (QueryKey, QueryText) values
('QueueStreamMessageKey', $q$
    insert into factory_orleans_stream_message (service_id, provider_id, queue_id, dequeued, visible_on, expires_on,
                                                created_on, modified_on, payload)
    values (@ServiceId, @ProviderId, @QueueId, 0, now(), now() + @ExpiryTimeout * interval '1 second',
            now(), now(), @Payload)
    returning service_id as ServiceId, provider_id as ProviderId, queue_id as QueueId, message_id as MessageId
$q$),
-- Sweeps the queue first when its eviction is due (the upsert returns a row only to the receiver that moved
-- the schedule on), then takes the next visible messages.
('GetStreamMessagesKey', $q$
    with due as (
        insert into factory_orleans_stream_control as c (service_id, provider_id, queue_id, evict_on)
        values (@ServiceId, @ProviderId, @QueueId, now() + @EvictionInterval * interval '1 second')
        on conflict (service_id, provider_id, queue_id) do update set evict_on = excluded.evict_on
            where c.evict_on <= now()
        returning 1),
    expired as (
        delete from factory_orleans_stream_message
        where service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
          and message_id in (
            select message_id from factory_orleans_stream_message
            where exists (select 1 from due)
              and service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
              and visible_on <= now() and (dequeued >= @MaxAttempts or expires_on <= now())
            order by message_id
            limit @EvictionBatchSize
            for update skip locked)
        returning *),
    buried as (
        insert into factory_orleans_stream_dead_letter (service_id, provider_id, queue_id, message_id, dequeued,
            visible_on, expires_on, created_on, modified_on, dead_on, remove_on, payload)
        select service_id, provider_id, queue_id, message_id, dequeued, visible_on, expires_on, created_on,
               modified_on, now(), now() + @RemovalTimeout * interval '1 second', payload
        from expired
        on conflict do nothing),
    removed as (
        delete from factory_orleans_stream_dead_letter
        where service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
          and message_id in (
            select message_id from factory_orleans_stream_dead_letter
            where exists (select 1 from due)
              and service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
              and remove_on <= now()
            order by message_id
            limit @EvictionBatchSize
            for update skip locked)),
    batch as (
        select message_id from factory_orleans_stream_message
        where service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
          and dequeued < @MaxAttempts and visible_on <= now() and expires_on > now()
        order by message_id
        limit @MaxCount
        for update skip locked)
    update factory_orleans_stream_message m
    set dequeued = m.dequeued + 1,
        visible_on = now() + @VisibilityTimeout * interval '1 second',
        modified_on = now()
    from batch b
    where m.service_id = @ServiceId and m.provider_id = @ProviderId and m.queue_id = @QueueId
      and m.message_id = b.message_id
    returning m.service_id as ServiceId, m.provider_id as ProviderId, m.queue_id as QueueId,
              m.message_id as MessageId, m.dequeued as Dequeued, m.visible_on as VisibleOn,
              m.expires_on as ExpiresOn, m.created_on as CreatedOn, m.modified_on as ModifiedOn,
              m.payload as Payload
$q$),
-- @Items lists receipts as "id:attempt|id:attempt". A positive attempt confirms (deletes) the message if it
-- is still on that attempt; a negative one releases it for immediate redelivery (a receiver handing its
-- queue over). Returns the messages affected.
('ConfirmStreamMessagesKey', $q$
    with receipts as (
        select split_part(item, ':', 1)::bigint as message_id, split_part(item, ':', 2)::integer as dequeued
        from unnest(string_to_array(@Items, '|')) as item),
    released as (
        update factory_orleans_stream_message m
        set visible_on = now(), modified_on = now()
        from receipts r
        where r.dequeued < 0
          and m.service_id = @ServiceId and m.provider_id = @ProviderId and m.queue_id = @QueueId
          and m.message_id = r.message_id and m.dequeued = -r.dequeued
        returning m.service_id, m.provider_id, m.queue_id, m.message_id),
    confirmed as (
        delete from factory_orleans_stream_message m
        using receipts r
        where r.dequeued > 0
          and m.service_id = @ServiceId and m.provider_id = @ProviderId and m.queue_id = @QueueId
          and m.message_id = r.message_id and m.dequeued = r.dequeued
        returning m.service_id, m.provider_id, m.queue_id, m.message_id)
    select service_id as ServiceId, provider_id as ProviderId, queue_id as QueueId, message_id as MessageId
    from released
    union all
    select service_id, provider_id, queue_id, message_id
    from confirmed
$q$),
-- A delivery failed: the message becomes visible again, or moves to the dead letters once out of attempts.
('FailStreamMessageKey', $q$
    with retried as (
        update factory_orleans_stream_message
        set visible_on = now(), modified_on = now()
        where service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
          and message_id = @MessageId and dequeued < @MaxAttempts
        returning 1),
    given_up as (
        delete from factory_orleans_stream_message
        where service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
          and message_id = @MessageId and dequeued >= @MaxAttempts
        returning *)
    insert into factory_orleans_stream_dead_letter (service_id, provider_id, queue_id, message_id, dequeued,
        visible_on, expires_on, created_on, modified_on, dead_on, remove_on, payload)
    select service_id, provider_id, queue_id, message_id, dequeued, visible_on, expires_on, created_on,
           modified_on, now(), now() + @RemovalTimeout * interval '1 second', payload
    from given_up
    on conflict do nothing
$q$),
('EvictStreamMessagesKey', $q$
    with expired as (
        delete from factory_orleans_stream_message
        where service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
          and message_id in (
            select message_id from factory_orleans_stream_message
            where service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
              and visible_on <= now() and (dequeued >= @MaxAttempts or expires_on <= now())
            order by message_id
            limit @MaxCount
            for update skip locked)
        returning *)
    insert into factory_orleans_stream_dead_letter (service_id, provider_id, queue_id, message_id, dequeued,
        visible_on, expires_on, created_on, modified_on, dead_on, remove_on, payload)
    select service_id, provider_id, queue_id, message_id, dequeued, visible_on, expires_on, created_on,
           modified_on, now(), now() + @RemovalTimeout * interval '1 second', payload
    from expired
    on conflict do nothing
$q$),
('EvictStreamDeadLettersKey', $q$
    delete from factory_orleans_stream_dead_letter
    where service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
      and message_id in (
        select message_id from factory_orleans_stream_dead_letter
        where service_id = @ServiceId and provider_id = @ProviderId and queue_id = @QueueId
          and remove_on <= now()
        order by message_id
        limit @MaxCount
        for update skip locked)
$q$)
on conflict (QueryKey) do update set QueryText = excluded.QueryText;
