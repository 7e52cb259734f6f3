"""The standards and coverage report (``wenming report``) and the site's 统计 page.

* :mod:`.profile` - standards profiles (YAML data in ``generator/profiles/``);
* :mod:`.compute` - every figure, as one plain dict (the JSON shape);
* :mod:`.output` - terminal, CSV, XLSX and JSON views of that dict;
* :mod:`.svg` - bar charts as inline SVG;
* :mod:`.site` - ``stats_page_html`` and ``station_checklist`` for the site;
* :mod:`.cli` - the ``report`` verb.
"""
