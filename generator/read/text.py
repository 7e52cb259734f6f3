"""Decode a content file's bytes: UTF-8, UTF-8 with BOM, GB18030/GBK; CRLF folded.

Editors on Windows save in GBK or with a BOM; both are read correctly and
reported as a warning, because other tools (Git diffs, the web) expect UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Decoded:
    text: str | None
    encoding: str | None  # "utf-8", "utf-8-sig", "gb18030"; None when unreadable
    problem: str | None = None  # "empty", "binary", "undecodable"


def decode(data: bytes) -> Decoded:
    """Decode ``data``; ``text`` is None when the file is empty, binary or undecodable."""
    if not data.strip(b" \t\r\n" + BOM):
        return Decoded(None, None, "empty")
    if b"\x00" in data[:8192]:
        return Decoded(None, None, "binary")
    if data.startswith(BOM):
        try:
            return Decoded(_normalise(data[3:].decode("utf-8")), "utf-8-sig")
        except UnicodeDecodeError:
            return Decoded(None, None, "undecodable")
    try:
        return Decoded(_normalise(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return Decoded(None, None, "undecodable")
    if _looks_binary(text):
        return Decoded(None, None, "binary")
    return Decoded(_normalise(text), "gb18030")


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(text: str) -> bool:
    """GB18030 decodes almost any byte string; refuse text full of control characters."""
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls / len(sample) > 0.02
