"""Record bodies (Markdown) to safe HTML, through :func:`generator.render.markdown.render_markdown`
(sanitising, link and image rewriting, broken-link reports)."""

from __future__ import annotations

from typing import Any

from ..markdown import render_markdown


def render_body(text: str, *, source: str, line: int, config: Any, page_url: str,
                problems: Any = None, images: Any = None, trusted: bool = False) -> str:
    """Safe HTML for a record body written in Markdown."""
    if not text or not text.strip():
        return ""
    return render_markdown(text, source=source, line=line, config=config, page_url=page_url,
                           problems=problems, trusted=trusted, images=images)
