"""The public website: station, project, person and case pages plus directory and index pages.

Engine-neutral: :class:`SiteBuilder` turns a :class:`~generator.graph.Network` into page
data, HTML fragments and finished record pages; :mod:`generator.build` runs it under
an engine (MkDocs + Material through ``generator.mkdocs_plugin``). Templates live in the
theme's ``templates/site/`` (:mod:`generator.theme`) and may be overridden, whole or by
block, under the project's ``themes/site/``.
"""

from .builder import (
           CONTENT_MARK,
           DESC_MARK,
           SHELL_ID,
           TITLE_MARK,
           Hub,
           Shell,
           SiteBuilder,
)
from .util import KIND_FOLDERS, relurl

__all__ = ["CONTENT_MARK", "DESC_MARK", "KIND_FOLDERS", "SHELL_ID", "TITLE_MARK", "Hub",
           "Shell", "SiteBuilder", "relurl"]
