"""wenming: records of a 新时代文明实践 network -> website, QR signage, case books.

The pipeline, in the order it runs (see STYLE.md): ``read`` files -> ``model`` records
-> ``graph`` checks and links -> ``render``. A site build runs in :mod:`generator.build`;
only :mod:`generator.mkdocs_plugin` imports MkDocs.
"""

__version__ = "0.1.0"
