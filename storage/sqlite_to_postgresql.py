"""The mechanical port of the storage layer's SQLite SQL to PostgreSQL.

The SQLite text stays the one definition of every table, trigger and query: migrations
``0002``–``0006`` (the ~700 lines of /rekap counter triggers included) are translated when
they are applied on PostgreSQL, and the storage modules' statements when they first run
(:mod:`storage.dialect`). A hand-written ``NNNN_name.postgresql.sql`` runs before a ported
migration where PostgreSQL needs more (``0001``'s adds the functions SQLite has built in).

What is rewritten, and why:

* ``CREATE TRIGGER … BEGIN … END`` → a PL/pgSQL function with the same statements and a
  ``FOR EACH ROW`` trigger with the same event, ``OF`` columns and ``WHEN``.
* Column types: ``INTEGER`` → ``BIGINT`` (SQLite's integers are 64-bit), an ``id INTEGER
  PRIMARY KEY`` → an identity column, ``REAL`` → ``DOUBLE PRECISION``; ``WITHOUT ROWID`` goes.
* ``a IS b`` / ``a IS NOT b`` (SQLite's null-safe comparison) → ``IS [NOT] DISTINCT FROM``.
* 0/1 flag columns (:data:`FLAG_COLUMNS`) read as a truth value (``WHERE NEW.berisiko``)
  → ``(… <> 0)``, and a truth value stored into one (``live = k.erased_at IS NULL``) →
  ``(…)::int``: SQLite has no boolean type, PostgreSQL does not mix them.
* ``group_concat(x[, sep])`` → ``string_agg((x)::text, sep)``, linear where an aggregate in SQL is not.
* ``LIKE`` → ``ILIKE`` (SQLite's LIKE ignores case), without a ``COLLATE NOCASE`` after it.
* ``rowid`` (only ever a tie-breaker in an ``ORDER BY``) → ``ctid``, the row version's place.
* A subquery in ``FROM`` without a name gets one (PostgreSQL 15 requires it); ``CROSS JOIN t
  ON …`` (SQLite's join-order hint) becomes ``JOIN t ON …``.
* In ``ON CONFLICT … DO UPDATE``, the existing row's columns are qualified with the table
  (``value = value + excluded.value`` is ambiguous there), and a missing conflict target
  becomes the table's primary key.

Anything outside this subset fails loudly when its migration is applied or its statement
runs, and ``tests/foundation/test_engines.py`` applies every migration on both engines and
compares their catalogues. ``python -m storage.migrations 4`` prints a migration's
PostgreSQL text for review.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

#: Columns holding 0/1 that SQL reads as truth values.
FLAG_COLUMNS = frozenset({"berisiko", "live", "tbu", "stunted", "wasted", "underweight", "needs_ack",
                          "ttd_enabled", "measured_lying"})

PrimaryKey = Callable[[str], Sequence[str]]

_STRING = "\x00"
_STOP_WORDS = {"WHERE", "GROUP", "ORDER", "LIMIT", "UNION", "ON", "JOIN", "LEFT", "INNER", "CROSS", "HAVING",
               "WINDOW", "EXCEPT", "INTERSECT", "RETURNING"}
_FLAGS = "|".join(sorted(FLAG_COLUMNS))


class PortError(ValueError):
    """SQLite SQL outside the subset this module ports (the message names the construct)."""


# -- masking: string literals and comments out of the way of the rewrites -------------


def _mask(sql: str) -> tuple[str, list[str]]:
    """Strings become ``\\0N\\0`` (kept aside), comments disappear."""
    out: list[str] = []
    strings: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c == "'":
            end = i + 1
            while end < n:
                if sql[end] == "'":
                    if end + 1 < n and sql[end + 1] == "'":
                        end += 2
                        continue
                    break
                end += 1
            strings.append(sql[i:end + 1])
            out.append(f"{_STRING}{len(strings) - 1}{_STRING}")
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(c)
            i += 1
    return "".join(out), strings


def _unmask(sql: str, strings: list[str]) -> str:
    return re.sub(f"{_STRING}(\\d+){_STRING}", lambda m: strings[int(m[1])], sql)


def _closing(sql: str, open_at: int) -> int:
    """Index of the parenthesis closing the one at ``open_at``."""
    depth = 0
    for i in range(open_at, len(sql)):
        if sql[i] == "(":
            depth += 1
        elif sql[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise PortError("unbalanced parentheses")


def _split_top(text: str, sep: str = ",") -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _top_level_end(sql: str, start: int, words: Sequence[str]) -> int:
    """Where the clause starting at ``start`` ends: the first of ``words`` (or ``;`` / ``)``)
    at parenthesis depth 0."""
    pattern = re.compile(r"\b(" + "|".join(words) + r")\b", re.IGNORECASE)
    depth = 0
    i = start
    while i < len(sql):
        c = sql[i]
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i
            depth -= 1
        elif c == ";" and depth == 0:
            return i
        elif depth == 0 and (m := pattern.match(sql, i)) and not (i and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            return m.start()
        i += 1
    return len(sql)


# -- expression rules ---------------------------------------------------------------------


def _null_safe_is(sql: str) -> str:
    sql = re.sub(r"\bIS\s+NOT\s+(?!NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", "IS DISTINCT FROM ", sql, flags=re.I)
    return re.sub(r"\bIS\s+(?!NOT\b|NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", "IS NOT DISTINCT FROM ", sql, flags=re.I)


def _flags_as_truth(sql: str) -> str:
    return re.sub(
        rf"\b(WHEN|WHERE|AND|OR|NOT)(\s+)((?:\w+\.)?(?:{_FLAGS}))\b(?!\s*(?:=|<>|!=|<|>|\+|-|\*|/|\|\||IS\b|IN\b))",
        r"\1\2(\3 <> 0)", sql, flags=re.I)


def _wrap_flag(item: str) -> str:
    match = re.match(r"^(\s*)(.*?)(\s+AS\s+\w+)?(\s*)$", item, re.S | re.I)
    assert match
    lead, expr, alias, trail = match[1], match[2], match[3] or "", match[4]
    return f"{lead}({expr})::int{alias}{trail}"


def _truth_into_flags(sql: str) -> str:
    """``INSERT INTO t (…, live) SELECT …, <truth>`` and ``SET live = <truth>`` as integers."""
    insert = re.match(r"\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+\w+\s*\(([^)]*)\)\s*SELECT\b", sql, re.I)
    if insert:
        columns = [c.strip().lower() for c in insert[1].split(",")]
        if FLAG_COLUMNS & set(columns):
            start = insert.end()
            end = _top_level_end(sql, start, ("FROM", "WHERE", "GROUP", "ORDER", "LIMIT", "UNION", "ON"))
            items = _split_top(sql[start:end])
            if len(items) == len(columns):
                items = [_wrap_flag(item) if col in FLAG_COLUMNS else item
                         for item, col in zip(items, columns, strict=True)]
                sql = sql[:start] + ",".join(items) + sql[end:]
    for match in list(re.finditer(r"\bUPDATE\s+\w+\s+SET\b", sql, re.I))[::-1]:
        start = match.end()
        end = _top_level_end(sql, start, ("WHERE", "RETURNING", "FROM"))
        items = _split_top(sql[start:end])
        changed = []
        for item in items:
            lhs, eq, rhs = item.partition("=")
            if eq and lhs.strip().lower() in FLAG_COLUMNS and re.search(r"\bIS\b|[<>]|\bAND\b|\bOR\b", rhs, re.I):
                item = f"{lhs}= ({rhs.strip()})::int "
            changed.append(item)
        sql = sql[:start] + ",".join(changed) + sql[end:]
    return sql


def _name_subqueries(sql: str) -> str:
    counter = 0
    i = 0
    while True:
        match = re.compile(r"\b(FROM|JOIN)\s*\(", re.I).search(sql, i)
        if not match:
            return sql
        open_at = match.end() - 1
        close = _closing(sql, open_at)
        rest = sql[close + 1:]
        word = re.match(r"\s*(\w+|[,);]|$)", rest)
        token = word[1].upper() if word and word[1] else ""
        if token in ("", ",", ")", ";") or token in _STOP_WORDS:
            counter += 1
            sql = sql[:close + 1] + f" AS tpk_sub{counter}" + rest
        i = open_at + 1


def _qualify_upsert(sql: str, primary_key: PrimaryKey | None) -> str:
    insert = re.match(r"\s*INSERT\s+INTO\s+(\w+)", sql, re.I)
    conflict = re.search(r"\bON\s+CONFLICT\s*(\([^)]*\))?\s*DO\s+UPDATE\s+SET\b", sql, re.I)
    if not insert or not conflict:
        return sql
    table = insert[1]
    head = sql[:conflict.start()]
    if conflict[1] is None:
        key = list(primary_key(table)) if primary_key else []
        if not key:
            raise PortError(f"ON CONFLICT DO UPDATE on {table} without a conflict target and no primary key known")
        head += f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET"
    else:
        head += conflict[0]
    tail = sql[conflict.end():]
    end = _top_level_end(tail, 0, ("RETURNING",))
    action, after = tail[:end], tail[end:]
    names = {m.lower() for m in re.findall(r"\bexcluded\.(\w+)", action, re.I)}
    set_part_end = _top_level_end(action, 0, ("WHERE",))
    items = _split_top(action[:set_part_end])
    names |= {item.partition("=")[0].strip().lower() for item in items if "=" in item}

    def qualify(text: str) -> str:
        return re.sub(r"(?<![.\w])(\w+)\b(?!\s*\()",
                      lambda m: f"{table}.{m[1]}" if m[1].lower() in names else m[1], text)

    items = [f"{lhs}={qualify(rhs)}" for lhs, _, rhs in (item.partition("=") for item in items)]
    where = action[set_part_end:]
    return head + ",".join(items) + qualify(where) + after


def port_statement(sql: str, primary_key: PrimaryKey | None = None) -> str:
    """One DML statement (placeholders are not rewritten here: see :mod:`storage.dialect`)."""
    masked, strings = _mask(sql)
    return _unmask(_port_masked(masked, primary_key), strings)


_MINMAX_CALL = re.compile(r"(?<![\w.])(max|min)\s*\(", re.I)


def _scalar_minmax(sql: str) -> str:
    """SQLite's scalar ``max(a, b, …)`` / ``min(a, b, …)`` (two or more arguments) → ``tpk_max`` /
    ``tpk_min`` (migration 0001's PostgreSQL prelude), which return NULL when any argument is
    NULL as SQLite's do; PostgreSQL's greatest/least would skip the NULL. One argument is the
    aggregate and stays."""
    out: list[str] = []
    i = 0
    while (match := _MINMAX_CALL.search(sql, i)) is not None:
        open_at = match.end() - 1
        close = _closing(sql, open_at)
        args = _split_top(sql[open_at + 1:close])
        inner = ",".join(_scalar_minmax(a) for a in args)
        name = match[1] if len(args) < 2 else f"tpk_{match[1].lower()}"
        out.append(sql[i:match.start()] + f"{name}({inner})")
        i = close + 1
    out.append(sql[i:])
    return "".join(out)


_COMMA = "','"
_GROUP_CONCAT_CALL = re.compile(r"(?<![\w.])group_concat\s*\(", re.I)


def _group_concat(sql: str) -> str:
    """SQLite's ``group_concat(x[, separator])`` → ``string_agg((x)::text, separator)`` (',' when
    none is given), PostgreSQL's own aggregate: the stand-ins of migrations 0001 and 0018, written
    in SQL for want of it, copy the growing text at every row (42 s for 57,000 desa codes, where
    string_agg takes 10 ms)."""
    out: list[str] = []
    i = 0
    while (match := _GROUP_CONCAT_CALL.search(sql, i)) is not None:
        open_at = match.end() - 1
        close = _closing(sql, open_at)
        value, *separator = (_group_concat(a).strip() for a in _split_top(sql[open_at + 1:close]))
        distinct, value = ("DISTINCT ", value[9:]) if value.upper().startswith("DISTINCT ") else ("", value)
        # (a literal in the masked text: unmasking only puts the masked strings back)
        out.append(sql[i:match.start()] + f"string_agg({distinct}({value})::text, {(separator or [_COMMA])[0]})")
        i = close + 1
    out.append(sql[i:])
    return "".join(out)


def _cross_join_on(sql: str) -> str:
    """SQLite's ``CROSS JOIN t ON …`` (a join order hint) is an inner join."""
    return re.sub(r"\bCROSS\s+JOIN\s+(\w+(?:\s+(?:AS\s+)?(?!ON\b)\w+)?)\s+ON\b", r"JOIN \1 ON", sql, flags=re.I)


def _like(sql: str) -> str:
    """SQLite's ``LIKE`` ignores (ASCII) case; PostgreSQL's ``ILIKE`` does. A ``COLLATE NOCASE``
    after the pattern goes: PostgreSQL 15 refuses LIKE under a nondeterministic collation."""
    sql = re.sub(r"\bLIKE\b", "ILIKE", sql, flags=re.I)
    return re.sub(r"(\bILIKE\s+\S+(?:\s+ESCAPE\s+\S+)?)\s+COLLATE\s+NOCASE\b", r"\1", sql, flags=re.I)


def _port_masked(masked: str, primary_key: PrimaryKey | None) -> str:
    masked = re.sub(r"\browid\b", "ctid", masked, flags=re.I)
    masked = _scalar_minmax(masked)
    masked = _group_concat(masked)
    masked = _like(masked)
    masked = _cross_join_on(masked)
    masked = _null_safe_is(masked)
    masked = _flags_as_truth(masked)
    masked = _truth_into_flags(masked)
    masked = _name_subqueries(masked)
    return _qualify_upsert(masked, primary_key)


# -- scripts: migrations ---------------------------------------------------------------------


def _statements(masked: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(masked):
        rest = masked[i:]
        if not rest.strip():
            break
        if re.match(r"\s*CREATE\s+TRIGGER\b", rest, re.I):
            end = re.search(r"\bEND\s*;", rest, re.I)
            if not end:
                raise PortError("CREATE TRIGGER without END;")
            out.append(rest[:end.end() - 1])
            i += end.end()
        else:
            end = rest.find(";")
            end = len(rest) if end < 0 else end
            out.append(rest[:end])
            i += end + 1
    return [s.strip() for s in out if s.strip()]


_TRIGGER = re.compile(
    r"CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+(AFTER|BEFORE)\s+(INSERT|DELETE|UPDATE(?:\s+OF\s+[\w\s,]+?)?)\s+ON\s+(\w+)"
    r"(?:\s+FOR\s+EACH\s+ROW)?(?:\s+WHEN\s+(.*?))?\s+BEGIN\b(.*)\bEND$", re.I | re.S)


_RAISE = re.compile(r"^SELECT\s+RAISE\s*\(\s*(ABORT|FAIL|ROLLBACK)\s*,\s*(.*)\)\s*(?:WHERE\s+(.*))?$",
                    re.I | re.S)


_UPSERT_SELECT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*(SELECT\b.*?)\s*(ON\s+CONFLICT\b.*)$",
                            re.I | re.S)


def _row_by_row(ported: str) -> str:
    """``INSERT … SELECT … ON CONFLICT DO UPDATE`` one selected row at a time, as SQLite runs it:
    PostgreSQL refuses one command that updates the same row twice (a span starting and ending
    in one month adds +1 and -1 to one counter), and a loop gives SQLite's sum."""
    match = _UPSERT_SELECT.match(ported)
    if not match or not re.search(r"\bDO\s+UPDATE\b", match[4], re.I):
        return ported
    table, columns, select, conflict = match.groups()
    names = [f"c{i}" for i in range(1, len(_split_top(columns)) + 1)]
    values = ", ".join(f"tpk_row.{n}" for n in names)
    return (f"FOR tpk_row IN SELECT * FROM ({select}) AS tpk_rows ({', '.join(names)}) LOOP\n"
            f"        INSERT INTO {table} ({columns}) VALUES ({values}) {conflict};\n    END LOOP")


def _trigger_statement(statement: str, primary_key: PrimaryKey) -> str:
    """One statement of a trigger body; ``SELECT RAISE(ABORT, 'why') [WHERE …]`` (SQLite's way to
    refuse a write) becomes PL/pgSQL's ``RAISE EXCEPTION`` (under ``IF …`` for a WHERE)."""
    match = _RAISE.match(statement.strip())
    if not match:
        return _row_by_row(_port_masked(statement, primary_key))
    message, where = match[2].strip(), match[3]
    refusal = f"RAISE EXCEPTION USING MESSAGE = {message}, ERRCODE = 'integrity_constraint_violation'"
    if where:
        return f"IF {_port_masked('WHERE ' + where, primary_key)[6:]} THEN {refusal}; END IF"
    return refusal


def _port_trigger(statement: str, primary_key: PrimaryKey) -> str:
    match = _TRIGGER.match(statement)
    if not match:
        raise PortError(f"trigger not understood: {statement[:80]}")
    name, timing, event, table, when, body = match.groups()
    event = re.sub(r"\s+", " ", event.strip())
    timing = timing.upper()
    statements = [_trigger_statement(s, primary_key) for s in _statements(body)]
    condition = f"\n    WHEN ({_flags_as_truth(_null_safe_is('WHEN ' + when.strip()))[5:]})" if when else ""
    joined = ";\n    ".join(statements)
    # An AFTER row trigger's result is ignored; a BEFORE trigger that raised nothing lets the row through.
    result = "NULL" if timing == "AFTER" else ("OLD" if event.upper() == "DELETE" else "NEW")
    declare = "DECLARE tpk_row record;\n" if "tpk_row" in joined else ""
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $tpk$\n{declare}BEGIN\n    {joined};\n"
            f"    RETURN {result};\nEND $tpk$;\n"
            f"CREATE TRIGGER {name} {timing} {event} ON {table} FOR EACH ROW{condition}\n"
            f"    EXECUTE FUNCTION {name}()")


def _port_ddl(statement: str) -> str:
    # A bare column as a CHECK (SQLite's 0/1 as truth): PostgreSQL wants a boolean there.
    statement = re.sub(r"\bCHECK\s*\(\s*(\w+)\s*\)", r"CHECK (\1 <> 0)", statement, flags=re.I)
    statement = re.sub(r"\b(\w+)(\s+)INTEGER\s+PRIMARY\s+KEY\b(?!\s*\()", _identity, statement, flags=re.I)
    statement = re.sub(r"\bINTEGER\b", "BIGINT", statement, flags=re.I)
    statement = re.sub(r"\bREAL\b", "DOUBLE PRECISION", statement, flags=re.I)
    return re.sub(r"\)\s*WITHOUT\s+ROWID\s*$", ")", statement, flags=re.I)


def _identity(match: re.Match[str]) -> str:
    if match[1].lower() == "id":
        return f"{match[1]}{match[2]}BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    return f"{match[1]}{match[2]}BIGINT PRIMARY KEY"


def primary_keys_of(script: str) -> dict[str, tuple[str, ...]]:
    """The primary keys a SQLite script declares (for upserts without a target)."""
    masked, _ = _mask(script)
    keys: dict[str, tuple[str, ...]] = {}
    for statement in _statements(masked):
        table = re.match(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\((.*)\)", statement, re.I | re.S)
        if not table:
            continue
        body = table[2]
        composite = re.search(r"PRIMARY\s+KEY\s*\(([^)]*)\)", body, re.I)
        if composite:
            keys[table[1]] = tuple(c.strip() for c in composite[1].split(","))
            continue
        for column in _split_top(body):
            if re.search(r"\bPRIMARY\s+KEY\b", column, re.I):
                keys[table[1]] = (column.split()[0],)
    return keys


_SQLITE_ONLY = re.compile(r"^[ \t]*--[ \t]*sqlite only:[ \t]*begin\b.*?^[ \t]*--[ \t]*sqlite only:[ \t]*end\b[^\n]*",
                          re.I | re.S | re.M)


def without_sqlite_only(script: str) -> str:
    """The script without its ``-- sqlite only: begin`` … ``-- sqlite only: end`` blocks: SQL
    that is SQLite's own machinery (``writable_schema``, ``sqlite_master``), whose PostgreSQL
    equivalent the migration's ``NNNN_name.postgresql.sql`` holds."""
    text = _SQLITE_ONLY.sub("", script)
    if re.search(r"--[ \t]*sqlite only:", text, re.I):
        raise PortError("a '-- sqlite only: begin' without its '-- sqlite only: end' (or the other way round)")
    return text


_WIDEN = re.compile(r"^UPDATE\s+sqlite_master\s+SET\s+sql\s*=\s*replace\s*\(\s*sql\s*,\s*(\x00\d+\x00)\s*,\s*"
                    r"(\x00\d+\x00)\s*\)\s*WHERE\s+type\s*=\s*(\x00\d+\x00)\s+AND\s+name\s*=\s*(\x00\d+\x00)$",
                    re.I | re.S)


def _sqlite_master(statement: str) -> str | None:
    """SQLite's schema table on PostgreSQL: the CHECK widening idiom (``UPDATE sqlite_master SET
    sql = replace(sql, old, new) WHERE type = 'table' AND name = t``) becomes
    ``tpk_widen_check`` (0001's prelude); any other statement reading it (the check rows that
    verify the edit) is dropped — the function fails by itself when nothing matched."""
    match = _WIDEN.match(statement.strip())
    if match:
        return f"SELECT tpk_widen_check({match[4]}, {match[1]}, {match[2]})"
    if re.search(r"\bUPDATE\s+sqlite_master\b|\bINSERT\s+INTO\s+sqlite_master\b|\bDELETE\s+FROM\s+sqlite_master\b",
                 statement, re.I):
        raise PortError(f"a change of sqlite_master other than widening a CHECK: {statement[:80]} — fence it with "
                        "'-- sqlite only: begin/end' and write NNNN_name.postgresql.sql")
    return ""


def port_script(script: str, primary_keys: dict[str, tuple[str, ...]] | None = None) -> str:
    """A whole SQLite migration as PostgreSQL, statement by statement."""
    script = without_sqlite_only(script)
    keys = dict(primary_keys or {})
    keys.update(primary_keys_of(script))
    masked, strings = _mask(script)
    out = []
    for statement in _statements(masked):
        head = statement.split(None, 3)[:3]
        verb = " ".join(head[:2]).upper()
        if verb == "CREATE TEMP" or verb == "CREATE TEMPORARY":
            verb = "CREATE TABLE"
        if re.search(r"\bsqlite_(?:temp_)?master\b", statement, re.I):
            ported = _sqlite_master(statement) or ""
            if not ported:
                continue
        elif verb == "CREATE TRIGGER":
            ported = _port_trigger(statement, lambda t: keys.get(t, ()))
        elif verb in ("CREATE TABLE", "ALTER TABLE"):
            ported = _port_ddl(statement)
        elif verb in ("CREATE INDEX", "CREATE UNIQUE", "CREATE VIEW"):
            # Partial indexes' WHERE and views' SELECT are expressions like any statement's.
            ported = _port_masked(statement, lambda t: keys.get(t, ()))
        elif verb.startswith("PRAGMA"):
            continue  # SQLite's connection and file settings: nothing on PostgreSQL
        elif verb.split()[0] == "DROP":
            ported = statement
        else:
            ported = _port_masked(statement, lambda t: keys.get(t, ()))
        out.append(ported + ";")
    return _unmask("\n\n".join(out), strings) + "\n"

