"""File fields: :class:`File` (content in a FileConnector) and :class:`BlobFile` (content in the document).

Imports allowed here, as in the rest of the core: stricto, python-magic, the standard
library, ``backo.error``, ``backo.log`` and the file storage *interface*
(``backo.storage.files.base``), plus ``FileBlobConnector``, BlobFile's default connector.
No Flask, no werkzeug: an upload is anything shaped like werkzeug's ``FileStorage``
(the :class:`~backo.core.files.upload.UploadedFile` protocol).
"""

from .blob_file import BlobFile as BlobFile
from .file import File as File
from .upload import UploadedFile as UploadedFile

__all__ = ["BlobFile", "File", "UploadedFile"]
