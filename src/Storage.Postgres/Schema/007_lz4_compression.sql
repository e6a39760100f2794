-- The largest values (artifacts' content, grain states) are compressed with lz4 when PostgreSQL stores them out of
-- line: under load, its default (pglz) took about a tenth of the server's CPU. Values already stored keep their
-- compression. A server built without lz4, or older than PostgreSQL 14 (no per-column compression), keeps pglz.
do $$
begin
    alter table factory_artifacts alter column content set compression lz4;
    alter table factory_orleans_grain_state alter column payload set compression lz4;
exception when feature_not_supported or syntax_error then
    raise notice 'lz4 compression is not available on this server (%): large values stay compressed with pglz', sqlerrm;
end
$$;
