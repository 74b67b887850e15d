-- PostgreSQL: faster versions of 0001's SQLite-compatible functions, with the same results
-- (issue 19). The /rekap triggers call them for every member written, 18 date() and 15
-- min/max per sasaran through the span view of 0011: a quarter of the server's time per
-- write, and most of a bulk recount's (storage/bulk_load.py). Measured on 500 members
-- copied inside the server (bench/RESULTS.md, section 7): date() 110 -> 18 ms of its own
-- time, tpk_min 51 -> 6 ms, tpk_max 15 -> 3 ms.
--
-- date(): PL/pgSQL instead of a SQL function around tpk_time. A SQL function whose argument
-- is itself a call is not inlined, and then each call starts an executor of its own.
CREATE OR REPLACE FUNCTION date(t text, VARIADIC modifiers text[] DEFAULT '{}') RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF t IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN to_char(tpk_time(t, modifiers), 'YYYY-MM-DD');
END $$;

-- tpk_time(): the same modifiers, no loop when there are none.
CREATE OR REPLACE FUNCTION tpk_time(t text, modifiers text[]) RETURNS timestamp
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    result timestamp := rtrim(replace(t, 'T', ' '), 'Z')::timestamp;
    modifier text;
BEGIN
    IF modifiers IS NULL OR cardinality(modifiers) = 0 THEN
        RETURN result;
    END IF;
    FOREACH modifier IN ARRAY modifiers LOOP
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

-- SQLite's scalar min(a, b) / max(a, b): NULL when either is NULL, which STRICT gives without
-- a call; greatest/least otherwise (they would skip a NULL). PL/pgSQL evaluates the one
-- expression without an executor of its own; the SQL versions were not inlined, since they
-- named each argument twice and the arguments are calls.
CREATE OR REPLACE FUNCTION tpk_max(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$ BEGIN RETURN greatest(a, b); END $$;
CREATE OR REPLACE FUNCTION tpk_min(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$ BEGIN RETURN least(a, b); END $$;

-- sum(boolean)'s step: PL/pgSQL, 3.3x faster than the SQL function (an aggregate never
-- inlines it): 86 against 282 ms over 250,000 rows.
CREATE OR REPLACE FUNCTION tpk_sum_bool(state bigint, value boolean) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN CASE WHEN value IS NULL THEN state ELSE coalesce(state, 0) + value::int END;
END $$;
