"""Record bodies (Markdown) to safe HTML.

Uses :func:`generator.render.markdown.render_markdown` (sanitising, link and image
rewriting, broken-link reports) when it is installed; otherwise a conservative
fallback: Python-Markdown, then nh3 with a small allow-list, images dropped unless
they are already published.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_shared_render: Callable[..., str] | None
try:  # the shared Markdown pipeline (helper HARDEN)
    from ..markdown import render_markdown as _shared_render
except ImportError:  # pragma: no cover - depends on what is installed
    _shared_render = None

_MD_EXTENSIONS = ["tables", "sane_lists", "attr_list", "def_list", "footnotes"]


def _fallback(text: str) -> str:
    import markdown
    import nh3

    html = markdown.markdown(text, extensions=_MD_EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags={"p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i",
              "blockquote", "table", "thead", "tbody", "tr", "th", "td", "a", "hr", "code", "pre",
              "dl", "dt", "dd", "sup", "sub", "div", "span", "figure", "figcaption"},
        attributes={"a": {"href", "title"}, "td": {"align"}, "th": {"align"}, "*": {"id"}},
        url_schemes={"http", "https", "tel", "sms", "mailto"},
        link_rel="noopener",
    )


def render_body(text: str, *, source: str, line: int, config: Any, page_url: str,
                problems: Any = None, images: Any = None, trusted: bool = False) -> str:
    """Safe HTML for a record body written in Markdown."""
    if not text or not text.strip():
        return ""
    if _shared_render is not None:
        return _shared_render(text, source=source, line=line, config=config, page_url=page_url,
                              problems=problems, trusted=trusted, images=images)
    return _fallback(text)
