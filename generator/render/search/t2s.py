"""Traditional → Simplified Chinese for search, from OpenCC's ``t2s`` conversion.

Two uses:

* at index time, :func:`to_simplified` converts page text (OpenCC itself, with
  its phrase table, so 乾隆 stays 乾隆 while 乾淨 becomes 干净);
* at query time the browser converts what the reader typed with a compact map
  built here by :func:`browser_map` from the same dictionaries: every single
  character OpenCC changes, plus the phrases whose conversion differs from
  converting character by character.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path
from typing import Any

#: Code point ranges scanned when OpenCC's text dictionaries cannot be read:
#: CJK Unified Ideographs, Extension A and the Compatibility Ideographs.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@functools.lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` converted to Simplified Chinese (OpenCC ``t2s``, phrase-aware)."""
    return _converter().convert(text) if text else text


def _opencc_dir() -> Path | None:
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a hard dependency
        return None
    base = Path(opencc.__file__).resolve().parent / "clib"
    return base if (base / "share" / "opencc").is_dir() else None


def _dump_dict(name: str) -> list[str] | None:
    """The keys of one of OpenCC's binary dictionaries (``TSCharacters`` ...), or None."""
    base = _opencc_dir()
    if base is None:
        return None
    tool = base / "bin" / "opencc_dict"
    src = base / "share" / "opencc" / f"{name}.ocd2"
    if not tool.is_file() or not src.is_file():
        return None
    with tempfile.TemporaryDirectory(prefix="wenming-opencc-") as tmp:
        out = Path(tmp) / f"{name}.txt"
        proc = subprocess.run([str(tool), "-i", str(src), "-o", str(out), "-f", "ocd2", "-t", "text"],
                              capture_output=True, check=False, timeout=60)
        if proc.returncode != 0 or not out.is_file():
            return None
        return [line.split("\t", 1)[0] for line in out.read_text(encoding="utf-8").splitlines() if "\t" in line]


def _convert_each(items: list[str]) -> list[str]:
    """Convert each item on its own (one OpenCC call: items joined by newlines)."""
    if not items:
        return []
    out = to_simplified("\n".join(items)).split("\n")
    if len(out) != len(items):  # pragma: no cover - OpenCC keeps newlines
        out = [to_simplified(i) for i in items]
    return out


@functools.lru_cache(maxsize=1)
def char_map() -> dict[str, str]:
    """Every single character that ``t2s`` changes, mapped to its Simplified form."""
    keys: set[str] = set()
    for name in ("TSCharacters", "TSCharactersExt", "CJK_Compatibility_Ideographs", "TSPhrases"):
        dumped = _dump_dict(name)
        if dumped is None:
            keys = set()
            break
        keys.update(k for k in dumped if len(k) == 1)
    if not keys:  # no dictionary tool: ask OpenCC about every common ideograph
        keys = {chr(cp) for lo, hi in _CJK_RANGES for cp in range(lo, hi + 1)}
    ordered = sorted(keys)
    return {k: v for k, v in zip(ordered, _convert_each(ordered)) if v and v != k}


def chars_to_simplified(text: str) -> str:
    """Character-by-character conversion (what the browser does without the phrase table)."""
    table = char_map()
    return "".join(table.get(ch, ch) for ch in text)


@functools.lru_cache(maxsize=1)
def _phrases() -> dict[str, str]:
    """Every phrase of OpenCC's ``TSPhrases`` with its conversion."""
    keys = [k for k in (_dump_dict("TSPhrases") or []) if len(k) > 1]
    return dict(zip(keys, _convert_each(keys)))


@functools.lru_cache(maxsize=1)
def phrase_map() -> dict[str, str]:
    """Phrases whose OpenCC conversion differs from character-by-character conversion."""
    return {k: v for k, v in _phrases().items() if v != chars_to_simplified(k)}


@functools.lru_cache(maxsize=1)
def traditional_chars() -> frozenset[str]:
    """Characters without which ``t2s`` leaves a text unchanged (a fast pre-check)."""
    chars = set(char_map())
    for key, value in _phrases().items():
        if key == value:
            continue
        if len(key) != len(value):
            chars.update(key)
        else:
            chars.update(a for a, b in zip(key, value) if a != b)
    return frozenset(chars)


def browser_map() -> dict[str, Any]:
    """The map shipped to the browser: ``c`` is a string of (traditional, simplified)
    character pairs, ``p`` maps phrases, ``n`` is the longest phrase length."""
    chars = char_map()
    phrases = phrase_map()
    return {
        "v": 1,
        "c": "".join(k + v for k, v in sorted(chars.items()) if len(v) == 1),
        "p": dict(sorted(phrases.items())),
        "n": max((len(k) for k in phrases), default=0),
    }
