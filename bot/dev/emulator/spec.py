"""The machine-readable Bot API spec and checks of values against it.

The emulator is only a useful test double if it refuses what Telegram refuses, so every
request is decoded and checked against ``data/telegram/bot-api.json`` (methods with their
parameters, types with their fields) instead of a hand-written list that would drift.

Two input encodings reach the server:

* ``application/json`` bodies carry typed values;
* form bodies (url-encoded or multipart, which is what python-telegram-bot always sends)
  carry strings: plain strings as-is, everything else JSON-encoded. ``decode_form_value``
  reverses that using the parameter's declared types, the way Telegram does.

A ``Problem`` is *fatal* when Telegram would answer 400 — and for a parameter the method does
not define, which Telegram ignores but which is always a bug in the bot — and non-fatal when
Telegram would silently ignore it (an unknown field of an object) but it still points at a bug.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["SPEC_PATH", "BotApiSpec", "Field", "MethodSpec", "Problem", "TypeSpec", "Upload"]

SPEC_PATH = Path(__file__).resolve().parents[3] / "data" / "telegram" / "bot-api.json"

_PRIMITIVES = frozenset({"String", "Integer", "Float", "Boolean", "True", "InputFile"})
_TAG_RE = re.compile(r"(?:must be|always)\s+[“\"]?([a-z_]+)")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: dict[str, Field]
    subtypes: tuple[str, ...]
    tag: tuple[str, str] | None  # (field, value) that identifies this subtype, e.g. type=chat


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: dict[str, Field]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    message: str
    fatal: bool


def _fields(raw: dict[str, Any]) -> dict[str, Field]:
    return {f["name"]: Field(f["name"], tuple(f["types"]), bool(f["required"])) for f in raw.get("fields", [])}


def _tag(fields: dict[str, Field], raw: dict[str, Any]) -> tuple[str, str] | None:
    for f in raw.get("fields", []):
        if f["name"] in ("type", "status", "source") and f["name"] in fields:
            match = _TAG_RE.search(f.get("description", ""))
            if match:
                return f["name"], match.group(1)
    return None


class BotApiSpec:
    """Lookup of methods and types, and structural validation of values."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = raw.get("version", "?")
        self.methods: dict[str, MethodSpec] = {}
        self._methods_ci: dict[str, MethodSpec] = {}
        for name, m in raw["methods"].items():
            spec = MethodSpec(name, _fields(m), tuple(m.get("returns", [])))
            self.methods[name] = spec
            self._methods_ci[name.lower()] = spec
        self.types: dict[str, TypeSpec] = {}
        for name, t in raw["types"].items():
            fields = _fields(t)
            self.types[name] = TypeSpec(name, fields, tuple(t.get("subtypes", [])), _tag(fields, t))

    @classmethod
    def load(cls, path: Path | str = SPEC_PATH) -> BotApiSpec:
        """Parse the spec file once per path; it is immutable and ~650 kB."""
        return _load(str(path))

    def method(self, name: str) -> MethodSpec | None:
        """Telegram matches method names case-insensitively."""
        return self._methods_ci.get(name.lower())

    # -- decoding -------------------------------------------------------------------------

    def decode_form_value(self, field: Field | None, raw: str | Upload) -> tuple[Any, str | None]:
        """Turn one form value back into its typed value; returns (value, error)."""
        if isinstance(raw, Upload) or field is None:
            return raw, None
        types = field.types
        if types == ("String",):
            return raw, None
        try:
            value = json.loads(raw)
        except ValueError:
            if "String" in types or "InputFile" in types:
                return raw, None
            return raw, f"can't parse {field.name} JSON object"
        if any(_shallow_match(t, value) for t in types):
            return value, None
        if "String" in types or "InputFile" in types:
            return raw, None
        return value, None  # the structural check reports the mismatch

    @staticmethod
    def coerce_json_value(field: Field | None, value: Any) -> Any:
        """Telegram accepts numbers for strings and numeric strings for integers.

        A numeric string becomes an int whenever Integer is allowed, also for the
        "Integer or String" chat_id: ``"1001"`` addresses the same chat as ``1001``.
        """
        if field is None:
            return value
        types = field.types
        if isinstance(value, str):
            if "Integer" in types and re.fullmatch(r"-?\d+", value):
                return int(value)
            if types == ("Boolean",) and value in ("true", "false"):
                return value == "true"
        if isinstance(value, int | float) and not isinstance(value, bool) and types == ("String",):
            return str(value)
        return value

    # -- validation -----------------------------------------------------------------------

    def check(self, types: tuple[str, ...], value: Any, where: str) -> list[Problem]:
        """Problems of ``value`` against a union of declared types ('Array of X' allowed)."""
        best: list[Problem] | None = None
        for type_name in types:
            problems = self._check_one(type_name, value, where)
            if not any(p.fatal for p in problems):
                return problems
            if best is None or _badness(problems) < _badness(best):
                best = problems
        return best or []

    def _check_one(self, type_name: str, value: Any, where: str) -> list[Problem]:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [Problem(f"{where} must be an Array", True)]
            inner = type_name.removeprefix("Array of ")
            problems: list[Problem] = []
            for i, item in enumerate(value):
                problems += self.check((inner,), item, f"{where}[{i}]")
            return problems
        if type_name in _PRIMITIVES:
            ok = _shallow_match(type_name, value)
            return [] if ok else [Problem(f"{where} must be of type {type_name}", True)]
        spec = self.types.get(type_name)
        if spec is None:
            return [Problem(f"{where}: unknown type {type_name} in spec", False)]
        if not isinstance(value, dict):
            return [Problem(f"{where} must be an object of type {type_name}", True)]
        if spec.subtypes:
            return self._check_subtypes(spec, value, where)
        problems = []
        for name, f in spec.fields.items():
            if name not in value:
                if f.required:
                    problems.append(Problem(f'{where}: field "{name}" is required', True))
                continue
            problems += self.check(f.types, value[name], f"{where}.{name}")
        for name in value:
            if name not in spec.fields:
                problems.append(Problem(f'{where}: unknown field "{name}" of {type_name}', False))
        if spec.tag and spec.tag[0] in value and value[spec.tag[0]] != spec.tag[1]:
            problems.append(Problem(f"{where}.{spec.tag[0]} must be {spec.tag[1]!r} for {type_name}", True))
        return problems

    def _check_subtypes(self, spec: TypeSpec, value: dict[str, Any], where: str) -> list[Problem]:
        candidates = list(spec.subtypes)
        tagged = [s for s in candidates if (t := self.types[s].tag) is not None and value.get(t[0]) == t[1]]
        if tagged:
            candidates = tagged
        elif any(self.types[s].tag for s in candidates):
            return [Problem(f"{where}: unsupported {spec.name} variant", True)]
        return self.check(tuple(candidates), value, where)


def _badness(problems: list[Problem]) -> tuple[int, int]:
    """Rank failed union candidates: the closest match explains the error best."""
    return sum(p.fatal for p in problems), len(problems)


def _shallow_match(type_name: str, value: Any) -> bool:
    """Whether a decoded JSON value has the right Python shape for a declared type."""
    match type_name:
        case "String":
            return isinstance(value, str)
        case "Integer":
            return isinstance(value, int) and not isinstance(value, bool)
        case "Float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "Boolean":
            return isinstance(value, bool)
        case "True":
            return value is True
        case "InputFile":
            return isinstance(value, Upload) or (isinstance(value, str) and value.startswith("attach://"))
    if type_name.startswith("Array of "):
        return isinstance(value, list)
    return isinstance(value, dict)


@cache
def _load(path: str) -> BotApiSpec:
    with open(path, encoding="utf-8") as fh:
        return BotApiSpec(json.load(fh))
