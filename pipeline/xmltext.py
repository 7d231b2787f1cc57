"""Escaping text for XML: what xml.sax.saxutils' escape, unescape and quoteattr give, character for character.

Our own because importing xml.sax.saxutils imports urllib.request, and with it http.client, email and ssl
(about 20 ms every run) for three string functions. tests/test_lean_start.py compares them with saxutils.
"""
from __future__ import annotations

from collections.abc import Mapping

_NO_ENTITIES: Mapping[str, str] = {}
_ATTRIBUTE_ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _replaced(text: str, entities: Mapping[str, str]) -> str:
    for key, value in entities.items():  # one after the other, in order, as saxutils does
        text = text.replace(key, value)
    return text


def escape(data: str, entities: Mapping[str, str] = _NO_ENTITIES) -> str:
    """&, < and > as entities, then each key of `entities` replaced by its value."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")  # ampersand first
    return _replaced(data, entities) if entities else data


def unescape(data: str, entities: Mapping[str, str] = _NO_ENTITIES) -> str:
    """&lt; and &gt; back, then each key of `entities` replaced by its value, then &amp; (last)."""
    data = data.replace("&lt;", "<").replace("&gt;", ">")
    if entities:
        data = _replaced(data, entities)
    return data.replace("&amp;", "&")


def quoteattr(data: str, entities: Mapping[str, str] = _NO_ENTITIES) -> str:
    """An attribute value, escaped and quoted: newline, return and tab as character references too; in double
    quotes, or in single quotes when it holds a double quote and no single one, else with " as &quot;."""
    data = escape(data, {**entities, **_ATTRIBUTE_ENTITIES})
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"' + data.replace('"', "&quot;") + '"'
