-- Foundation: deployment metadata, regions, users, invitations, audit log.
-- Timestamps are ISO-8601 UTC strings written by the application's injectable clock.
--
-- On PostgreSQL this file runs first, in the same transaction as 0001_foundation.sql ported by
-- storage/sqlite_to_postgresql.py (INTEGER -> BIGINT, REAL -> DOUBLE PRECISION, id INTEGER
-- PRIMARY KEY -> identity; times stay ISO-8601 text, flags 0/1 integers). It provides what
-- SQLite has built in and the storage modules' SQL uses, so that SQL stays as it is:

-- COLLATE NOCASE: case-insensitive, as an ICU collation (SQLite folds ASCII only; ICU folds
-- every letter, accents still count).
CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- SQLite's time strings: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS', with 'T' and a final 'Z' allowed.
CREATE FUNCTION tpk_time(t text, modifiers text[]) RETURNS timestamp
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    result timestamp := rtrim(replace(t, 'T', ' '), 'Z')::timestamp;
    modifier text;
BEGIN
    FOREACH modifier IN ARRAY coalesce(modifiers, '{}') LOOP
        IF modifier ~ '^\s*[-+]?\d+(\.\d+)?\s+(second|minute|hour|day|month|year)s?\s*$' THEN
            result := result + modifier::interval;
        ELSIF modifier = 'start of month' THEN
            result := date_trunc('month', result);
        ELSIF modifier = 'start of day' THEN
            result := date_trunc('day', result);
        ELSE
            RAISE EXCEPTION 'date modifier % is not supported on PostgreSQL (storage/dialect.py)', modifier;
        END IF;
    END LOOP;
    RETURN result;
END $$;

-- strftime(format, time, modifiers...) for the conversions SQLite's format takes.
CREATE FUNCTION strftime(format text, t text, VARIADIC modifiers text[] DEFAULT '{}') RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    instant timestamp;
    out text := '';
    i int := 1;
    c text;
BEGIN
    IF t IS NULL OR format IS NULL THEN
        RETURN NULL;
    END IF;
    instant := tpk_time(t, modifiers);
    WHILE i <= length(format) LOOP
        c := substr(format, i, 1);
        IF c = '%' AND i < length(format) THEN
            i := i + 1;
            c := substr(format, i, 1);
            out := out || CASE c
                WHEN 'Y' THEN to_char(instant, 'YYYY') WHEN 'm' THEN to_char(instant, 'MM')
                WHEN 'd' THEN to_char(instant, 'DD') WHEN 'H' THEN to_char(instant, 'HH24')
                WHEN 'M' THEN to_char(instant, 'MI') WHEN 'S' THEN to_char(instant, 'SS')
                WHEN 'j' THEN to_char(instant, 'DDD') WHEN 'w' THEN (extract(dow FROM instant))::int::text
                WHEN '%' THEN '%'
                ELSE NULL END;
            IF out IS NULL THEN
                RAISE EXCEPTION 'strftime conversion "%" is not supported on PostgreSQL (storage/dialect.py)', c;
            END IF;
        ELSE
            out := out || c;
        END IF;
        i := i + 1;
    END LOOP;
    RETURN out;
END $$;

-- date(time, modifiers...) -> 'YYYY-MM-DD'. PostgreSQL adds months by clamping to the month's
-- last day (SQLite overflows into the next month: 31 Jan + 1 month is 2 or 3 March there).
CREATE FUNCTION date(t text, VARIADIC modifiers text[] DEFAULT '{}') RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_char(tpk_time(t, modifiers), 'YYYY-MM-DD')
$$;

-- group_concat(x): SQLite's comma-joined aggregate.
CREATE FUNCTION tpk_concat_comma(state text, value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN state WHEN state IS NULL THEN value ELSE state || ',' || value END
$$;
CREATE AGGREGATE group_concat(text) (SFUNC = tpk_concat_comma, STYPE = text);

-- sum(boolean): SQLite's comparisons are 0/1 integers, so sum(a <= b) counts.
CREATE FUNCTION tpk_sum_bool(state bigint, value boolean) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN state ELSE coalesce(state, 0) + value::int END
$$;
CREATE AGGREGATE sum(boolean) (SFUNC = tpk_sum_bool, STYPE = bigint);

-- SQLite's scalar max(a, b) / min(a, b): NULL when either is NULL (greatest/least skip a NULL).
-- The porter writes tpk_max/tpk_min for every call with two or more arguments.
CREATE FUNCTION tpk_max(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE greatest(a, b) END $$;
CREATE FUNCTION tpk_min(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE least(a, b) END $$;
CREATE FUNCTION tpk_max(a anycompatible, b anycompatible, c anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT tpk_max(tpk_max(a, b), c) $$;
CREATE FUNCTION tpk_min(a anycompatible, b anycompatible, c anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT tpk_min(tpk_min(a, b), c) $$;

-- SQLite's JSON1 functions on TEXT documents, for simple paths ('$', '$.a', '$.a.b'): what the
-- migrations and queries use. A path outside that shape is refused, not guessed.
CREATE FUNCTION tpk_json_path(path text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF path = '$' THEN
        RETURN '{}';
    ELSIF path ~ '^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$' THEN
        RETURN string_to_array(substr(path, 3), '.');
    END IF;
    RAISE EXCEPTION 'JSON path % is not supported on PostgreSQL (0001_foundation.postgresql.sql)', path;
END $$;
CREATE FUNCTION json_valid(doc text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    PERFORM doc::jsonb;
    RETURN doc IS NOT NULL;
EXCEPTION WHEN others THEN
    RETURN false;
END $$;
CREATE FUNCTION json_extract(doc text, path text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT doc::jsonb #>> tpk_json_path(path) $$;
CREATE FUNCTION json_type(doc text, path text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE jsonb_typeof(doc::jsonb #> tpk_json_path(path))
        WHEN 'string' THEN 'text' WHEN 'number' THEN
            CASE WHEN (doc::jsonb #>> tpk_json_path(path)) ~ '^-?\d+$' THEN 'integer' ELSE 'real' END
        WHEN 'boolean' THEN (doc::jsonb #>> tpk_json_path(path))
        ELSE jsonb_typeof(doc::jsonb #> tpk_json_path(path)) END
$$;
CREATE FUNCTION json_set(doc text, path text, value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT jsonb_set(doc::jsonb, tpk_json_path(path), to_jsonb(value))::text $$;

-- zeroblob(n) and hex(blob): replace(hex(zeroblob(n)), '00', '*') is SQLite's repeat('*', n).
CREATE FUNCTION zeroblob(n bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT decode(repeat('00', greatest(n, 0)::int), 'hex') $$;
CREATE FUNCTION hex(b bytea) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT upper(encode(b, 'hex')) $$;

-- SQLite widens a CHECK's IN list by editing the table's text (writable_schema: UPDATE
-- sqlite_master SET sql = replace(sql, '<old list>', '<new list>') WHERE … name = '<table>').
-- The porter turns that statement into this call: every CHECK of the table holding all the old
-- list's values gets the new values after the last old one, in place (no table is rebuilt).
-- Nothing matched fails the migration, as the SQLite file's own check row does.
CREATE FUNCTION tpk_widen_check(tbl text, old_text text, new_text text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    old_values text[] := array(SELECT m[1] FROM regexp_matches(old_text, '''([^'']*)''', 'g') AS m);
    new_values text[] := array(SELECT m[1] FROM regexp_matches(new_text, '''([^'']*)''', 'g') AS m);
    added text[];
    c record;
    def text;
    widened int := 0;
    v text;
BEGIN
    added := array(SELECT x FROM unnest(new_values) AS x WHERE x <> ALL (old_values));
    IF cardinality(old_values) = 0 OR cardinality(added) = 0 THEN
        RAISE EXCEPTION 'tpk_widen_check(%): no values to add (% -> %)', tbl, old_text, new_text;
    END IF;
    FOR c IN SELECT conname, pg_get_constraintdef(oid) AS d FROM pg_constraint
              WHERE conrelid = tbl::regclass AND contype = 'c' LOOP
        def := c.d;
        IF (SELECT bool_and(position(quote_literal(x) || '::text' IN def) > 0) FROM unnest(old_values) AS x) THEN
            v := quote_literal(old_values[cardinality(old_values)]) || '::text';
            def := replace(def, v, v || (SELECT string_agg(', ' || quote_literal(x) || '::text', '') FROM unnest(added) AS x));
            EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I, ADD CONSTRAINT %I %s', tbl, c.conname, c.conname, def);
            widened := widened + 1;
        END IF;
    END LOOP;
    IF widened = 0 THEN
        RAISE EXCEPTION 'tpk_widen_check(%): no CHECK holds %', tbl, old_values;
    END IF;
END $$;
