-- PostgreSQL only, before 0018's shared part: SQLite's group_concat(x, separator), which
-- /daftar's named workbook and the /ekspor Verval sheets use to join a family's reasons with
-- '; ' (0001's prelude gave only the one-argument, comma-joined form). NULLs are skipped.
CREATE FUNCTION tpk_concat_with(state text, value text, separator text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN state WHEN state IS NULL THEN value ELSE state || separator || value END
$$;
CREATE AGGREGATE group_concat(text, text) (SFUNC = tpk_concat_with, STYPE = text);
