"""The standards and coverage report's figures, engine- and format-neutral.

* :mod:`.profile` - standards profiles (YAML data in ``generator/profiles/``);
* :mod:`.compute` - every figure, as one plain dict (the JSON shape).

Its views (terminal, CSV, XLSX, JSON, the site's 统计 page) are in ``generator/render/report/``.
"""
