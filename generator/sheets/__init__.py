"""Spreadsheets in and out: ``wenming import`` / ``wenming export`` for the 台账 (ledgers).

County offices keep their records in Excel. :mod:`.read` turns a workbook or a CSV
export into rows keyed by column, :mod:`.columns` says which column is which field
for every kind, :mod:`.importer` plans and validates the changes (the same rules as
``wenming check``) and writes them, :mod:`.export` writes records back in the same
layout, and :mod:`.yamledit` edits front matter in place so that comments, the body
and every field the sheet does not have stay byte for byte as they were.
"""

KINDS = ("stations", "projects", "people", "teams", "activities")
