"""The web edition of a case book: the ``casebooks/{year}/`` page's content."""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from ... import theme
from .content import gather


def _editorial_html(ed, config, page_url: str) -> str:
    if ed is None:
        return ""
    from ..markdown import render_markdown

    return render_markdown(ed.body, source=ed.path, line=ed.body_line, config=config, page_url=page_url)


def web_edition_html(net, book, config) -> str:
    """HTML fragment: title, preface, contents by chapter with units (linked to case pages), afterword."""
    content = gather(net, book, config)
    page_url = f"casebooks/{book.year}/"
    env = theme.environment(theme.project_dirs(config), autoescape=jinja2.select_autoescape(["html"]))
    return env.get_template("casebook/web.html").render(
        book=content,
        preface=content.preface, afterword=content.afterword,
        preface_html=Markup(_editorial_html(content.preface, config, page_url)),
        afterword_html=Markup(_editorial_html(content.afterword, config, page_url)),
        parts=content.parts,
        pdf_name=f"casebook-{book.year}.pdf",
    )


__all__ = ["web_edition_html"]
