"""The views of the standards and coverage report (``wenming report``) and the site's 统计 page.

The figures are computed in :mod:`generator.report` (``compute``, ``profile``); here:

* :mod:`.output` - terminal, CSV, XLSX and JSON views of that dict;
* :mod:`.svg` - bar charts as inline SVG;
* :mod:`.site` - ``stats_page_html`` and ``station_checklist`` for the site;
* :mod:`.cli` - the ``report`` verb.
"""
