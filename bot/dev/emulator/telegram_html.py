"""Telegram's ``parse_mode=HTML`` subset: validation and conversion to entities.

Telegram does not run a browser-grade HTML parser; it accepts a small tag set and
rejects the whole message (``400 can't parse entities``) on anything else. A bot that
interpolates user input without ``html.escape`` works until somebody is called
``<Budi>``; the emulator must fail exactly there, so this module is a strict tokenizer
modelled on tdlib's ``parse_html`` rather than a lenient ``html.parser`` subclass
(``html.parser`` silently accepts comments, ``<!doctype>``, bare ``<`` and treats
``AT&T`` as an entity reference, all of which would hide bugs or invent them).

Deliberate strictness beyond tdlib: an unknown *named* entity such as ``&foo;`` is an
error here (tdlib keeps it as literal text). Seeing one almost always means text was
escaped with the wrong function or escaped twice, which is worth a red test. A bare
``&`` that does not look like an entity (``Siti & Budi``) is accepted, as Telegram does.

Offsets and lengths of the produced entities are in UTF-16 code units, like the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EntityParseError", "ParsedText", "parse_html", "utf16_len"]

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z][a-zA-Z0-9]{0,31}));")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]+")

# tag -> entity type; span/a/pre/code/blockquote/tg-emoji/tg-time get special handling.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_SUPPORTED_TAGS = frozenset({*_SIMPLE_TAGS, "span", "a", "code", "pre", "blockquote", "tg-emoji", "tg-time"})


class EntityParseError(ValueError):
    """The text would be rejected by Telegram with ``can't parse entities: <message>``."""


@dataclass(frozen=True)
class ParsedText:
    """The text a user reads plus the entities Telegram would attach to it."""

    text: str
    entities: list[dict[str, Any]]


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the output text
    byte_offset: int
    children: list[_OpenTag] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts limits and offsets in."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(match: re.Match[str]) -> str:
    """Decode one ``&...;`` reference or raise for named entities Telegram lacks."""
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name.lower() not in _NAMED_ENTITIES:
            raise EntityParseError(
                f'Unsupported HTML entity "&{name};"; only &lt; &gt; &amp; &quot; and numeric entities are supported'
            )
        return _NAMED_ENTITIES[name.lower()]
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)  # tdlib keeps invalid code points as literal text
    return chr(code)


def _unescape_attr(value: str) -> str:
    return _ENTITY_RE.sub(_decode_entity, value)


class _Parser:
    """Single-pass tokenizer; keeps the output length in UTF-16 units as it goes."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # UTF-16 units emitted so far
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += utf16_len(text)

    def error(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def run(self) -> ParsedText:
        src = self.src
        while self.pos < len(src):
            nxt = min(
                (i for i in (src.find("<", self.pos), src.find("&", self.pos)) if i != -1),
                default=len(src),
            )
            if nxt > self.pos:
                self.emit(src[self.pos : nxt])
                self.pos = nxt
                continue
            if src[self.pos] == "&":
                match = _ENTITY_RE.match(src, self.pos)
                if match is None:
                    self.emit("&")  # bare ampersand: literal, like Telegram
                    self.pos += 1
                else:
                    self.emit(_decode_entity(match))
                    self.pos = match.end()
            else:
                self.tag()
        if self.stack:
            raise self.error(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.out), self.entities)

    def tag(self) -> None:
        src = self.src
        begin = self.pos
        closing = src.startswith("</", begin)
        self.pos += 2 if closing else 1
        name_match = _TAG_NAME_RE.match(src, self.pos)
        assert name_match is not None
        name = name_match.group(0).lower()
        self.pos = name_match.end()
        if closing:
            self.end_tag(name, begin)
            return
        if name not in _SUPPORTED_TAGS:
            raise self.error(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, begin)}')
        attrs = self.attributes(name, begin)
        self.start_tag(name, attrs, begin)

    def attributes(self, tag: str, begin: int) -> dict[str, str]:
        src = self.src
        attrs: dict[str, str] = {}
        while True:
            while self.pos < len(src) and src[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(src):
                raise self.error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
            if src[self.pos] == ">":
                self.pos += 1
                return attrs
            name_match = _ATTR_NAME_RE.match(src, self.pos)
            if name_match is None:
                raise self.error(f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(src, begin)}')
            attr = name_match.group(0).lower()
            self.pos = name_match.end()
            while self.pos < len(src) and src[self.pos].isspace():
                self.pos += 1
            if self.pos < len(src) and src[self.pos] == "=":
                self.pos += 1
                while self.pos < len(src) and src[self.pos].isspace():
                    self.pos += 1
                attrs[attr] = self.attribute_value(tag, begin)
            else:
                attrs[attr] = ""

    def attribute_value(self, tag: str, begin: int) -> str:
        src = self.src
        if self.pos >= len(src):
            raise self.error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        quote = src[self.pos]
        if quote in "'\"":
            end = src.find(quote, self.pos + 1)
            if end == -1:
                raise self.error(f'Unclosed start tag "{tag}" at byte offset {_byte_offset(src, begin)}')
            raw = src[self.pos + 1 : end]
            self.pos = end + 1
        else:
            end = self.pos
            while end < len(src) and not src[end].isspace() and src[end] != ">":
                end += 1
            raw = src[self.pos : end]
            self.pos = end
        return _unescape_attr(raw)

    def start_tag(self, name: str, attrs: dict[str, str], begin: int) -> None:
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise self.error('Tag "span" must have class "tg-spoiler"')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise self.error('Tag "tg-emoji" must have attribute "emoji-id"')
        if name == "tg-time" and not attrs.get("unix", "").isdigit():
            raise self.error('Tag "tg-time" must have attribute "unix"')
        tag = _OpenTag(name, attrs, self.out_len, _byte_offset(self.src, begin))
        if self.stack:
            self.stack[-1].children.append(tag)
        self.stack.append(tag)

    def end_tag(self, name: str, begin: int) -> None:
        src = self.src
        if not self.stack:
            raise self.error(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
        while self.pos < len(src) and src[self.pos].isspace():
            self.pos += 1
        if self.pos >= len(src) or src[self.pos] != ">":
            raise self.error(f"Can't find end of tag at byte offset {_byte_offset(src, begin)}")
        self.pos += 1
        expected = self.stack[-1].name
        if name != expected:
            raise self.error(
                f"Unmatched end tag at byte offset {_byte_offset(src, begin)}, "
                f'expected "</{expected}>", found "</{name}>"'
            )
        self.close(self.stack.pop())

    def close(self, tag: _OpenTag) -> None:
        length = self.out_len - tag.start
        entity: dict[str, Any] | None
        if tag.name in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[tag.name]}
        elif tag.name == "span":
            entity = {"type": "spoiler"}
        elif tag.name == "a":
            entity = {"type": "text_link", "url": tag.attrs.get("href", "")}
        elif tag.name == "code":
            language = tag.attrs.get("class", "").removeprefix("language-")
            parent = self.stack[-1] if self.stack else None
            if parent is not None and parent.name == "pre" and tag.attrs.get("class"):
                parent.attrs["_language"] = language  # merged into the pre entity
                entity = None
            else:
                entity = {"type": "code"}
        elif tag.name == "pre":
            entity = {"type": "pre"}
            if tag.attrs.get("_language"):
                entity["language"] = tag.attrs["_language"]
        elif tag.name == "blockquote":
            expandable = "expandable" in tag.attrs
            entity = {"type": "expandable_blockquote" if expandable else "blockquote"}
        elif tag.name == "tg-emoji":
            entity = {"type": "custom_emoji", "custom_emoji_id": tag.attrs["emoji-id"]}
        else:  # tg-time
            entity = {"type": "date_time", "unix_time": int(tag.attrs["unix"])}
            if tag.attrs.get("format"):
                entity["date_time_format"] = tag.attrs["format"]
        if entity is not None and length > 0:
            entity.update(offset=tag.start, length=length)
            self.entities.append(entity)


def parse_html(source: str) -> ParsedText:
    """Parse Telegram-flavoured HTML.

    Raises ``EntityParseError`` with a tdlib-like message when Telegram would answer
    ``400 Bad Request: can't parse entities: ...``.
    """
    return _Parser(source).run()
