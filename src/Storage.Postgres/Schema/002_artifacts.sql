-- Content-addressed artifacts: identical content across runs and tenants is stored once.
create table if not exists factory_artifacts (
    sha256  text   primary key check (sha256 ~ '^[0-9a-f]{64}$'),
    size    bigint not null check (size >= 0),
    content bytea  not null
);
