"""案例选编: print-ready annual case books (PDF via Typst, Word drafts, the web edition).

``wenming casebook YEAR`` (see :mod:`.cli`) gathers a book's cases with
:func:`.content.gather` and typesets them with Typst (:mod:`.typeset`, template
the theme's ``casebook/book.typ``): the reading copy, the text block (内文) and the
cover spread (封面), made print-ready by :mod:`generator.render.pdfx`.
:mod:`.readback` reads the clreq counts back from a PDF; :mod:`.word` writes the
Word draft and :func:`.web.web_edition_html` the site's edition.

:mod:`.pdf` (HTML/CSS laid out by WeasyPrint and justified by :mod:`.justify`) was
the engine before Typst; it is kept for its helpers (page geometry, print copies of
photos) and for ``benchmarks/bench_casebook.py``, which compares the two engines.
"""
