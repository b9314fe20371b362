"""Compatibility package: backo 0.2.1's ``backo.file``.

The code lives in ``backo.core.files`` (File, BlobFile) and ``backo.storage.files`` (the
connectors). 0.2.1 shipped it as a namespace package; this one has an ``__init__`` so that
packaging tools find it. It imports nothing: import its modules (``backo.file.file``...).
"""
