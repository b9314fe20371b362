"""Compatibility module: backo 0.2.1's `backo.db_mongo_connector`; the code lives in `backo.storage.db.mongo`.

``MongoClient`` and ``ObjectId`` are module globals here, as in 0.2.1: ``DBMongoConnector``
looks ``MongoClient`` up in this module each time it builds a client, so a test can patch
it (``monkeypatch.setattr(backo.db_mongo_connector, "MongoClient", mongomock.MongoClient)``).
"""

from bson import ObjectId  # noqa: F401
from pymongo import MongoClient  # noqa: F401

from .storage.db.mongo import DBMongoConnector  # noqa: F401
