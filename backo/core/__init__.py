"""The domain core of backo: Items, Collections, the Backoffice, references, files, selections.

Imports allowed here: stricto, the standard library, :mod:`backo.error`, :mod:`backo.log`,
:mod:`backo.current_user` and the storage *interfaces* (``backo.storage.db.base``,
``backo.storage.files.base``). No Flask, no werkzeug, no ``backo.http``: scripts use the
core without a web server, and the HTTP layer is a thin edge over it.
"""
