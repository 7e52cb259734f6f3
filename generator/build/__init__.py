"""Where a build runs: the engine-neutral core of ``mkdocs build``, ``wenming build`` and the preview.

* :mod:`.site` — one build, in order: check the project, render the pages, write records,
  hubs, sitemap, search index and QR pages (:class:`~.site.SiteBuild`);
* :mod:`.output` — the output folder: locks, the staging folder, the atomic swap;
* :mod:`.preview` — the live preview: incremental rebuilds, the hub cache, deferred hubs;
* :mod:`.standalone` — the same build driven without any site engine, with a plain Jinja
  page template (how another engine would drive the core).

None of these imports MkDocs: ``generator/mkdocs_plugin.py`` maps MkDocs' events onto them.
"""


class BuildFailed(Exception):
    """The build stops: the message lists the problems as ``wenming check`` does (an engine
    shows it as its own build error, without a traceback)."""
