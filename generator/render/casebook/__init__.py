"""案例选编: print-ready annual case books (PDF via WeasyPrint, Word drafts, the web edition).

``wenming casebook YEAR`` (see :mod:`.cli`) gathers a book's cases with
:func:`.content.gather`, typesets them for Chinese (:mod:`.typography`), lays
them out with WeasyPrint and justifies every line between the characters
(:mod:`.justify`), then writes the PDF (:mod:`.pdf`) or a Word draft
(:mod:`.word`). :func:`.web.web_edition_html` gives the site's edition.
"""
