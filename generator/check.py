"""One verdict on a project: every rule a build enforces, in the order it enforces them.

``check_project(config)`` is what ``wenming check``, ``mkdocs build``, the live preview
and the spreadsheet importer ask, so that they can never disagree about a tree:

1. read and model every record, then the graph: parents, references between records,
   case-book chapters and ledger rows (:func:`generator.load.load`); what mkdocs.yml lacks
   (:func:`check_settings`);
2. the published QR URLs: a URL in ``qr-lock.txt`` whose station this build would drop is
   an error, URLs denser than a version-3 symbol and a lock made for another ``site_url``
   are warnings (:func:`check_network`);
3. broken internal links and images in every body and editorial page
   (:func:`generator.render.markdown.check_links`), when the records could be read.

A new rule over the whole network goes into :func:`check_network`; a rule about one field
goes into the model (``generator/model/``), a rule between records into ``generator/graph.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from .config import Config, custom_dir_missing, missing_site_url
from .errors import Problem, Problems
from .graph import Network, check_locations

#: ``links=`` for a caller that renders every page and reports their links itself (the build):
#: the link check runs only when the verdict fails already, so that the failed build lists
#: what ``wenming check`` lists.
LINKS_IF_FAILING = "if-failing"


class Verdict(NamedTuple):
    net: Network
    problems: Problems


def check_project(config: Config, *, links: bool | Literal["if-failing"] = True,
                  progress: Callable[[int, int], None] | None = None, processes: bool = True) -> Verdict:
    """Every problem of the project under ``config``; never raises for bad content."""
    from .load import load

    net, problems = load(config, progress=progress, processes=processes)
    readable = not problems.errors
    problems.extend(check_settings(config))
    problems.extend(check_network(net, config))
    check_locations(net, problems)
    if readable and (links is True or (links == LINKS_IF_FAILING and problems.errors)):
        from .render.markdown import check_links

        problems.extend(check_links(net, config))
    return Verdict(net, problems)


def check_settings(config: Config) -> list[Problem]:
    """What mkdocs.yml lacks for a build: ``site_url`` (error), a missing ``custom_dir`` (warning)."""
    out = []
    if not config.site_url:
        zh, en = missing_site_url("二维码")
        out.append(Problem("mkdocs.yml", None, "site_url", zh, en))
    if config.missing_custom_dir:
        zh, en = custom_dir_missing(config.missing_custom_dir)
        out.append(Problem("mkdocs.yml", None, "theme.custom_dir", zh, en, "warning"))
    return out


def check_network(net: Network, config: Config) -> list[Problem]:
    """The rules over a whole network once it is read: the published-URL lock and QR density."""
    if not config.site_url:
        return []  # reported by check_settings: no QR code can be made
    from .render.qr.site import check_lock

    return check_lock(net, config)
