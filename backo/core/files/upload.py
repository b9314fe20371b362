"""What a File accepts as content: the :class:`UploadedFile` protocol and the text/bytes forms.

werkzeug's ``FileStorage`` (a multipart upload) satisfies :class:`UploadedFile` as it
is, so the core reads uploads without importing werkzeug. Text and bytes are turned
into the same shape by :func:`transform_to_filestorage`, so a File reads every kind of
content through one code path.
"""

import base64
import binascii
import io
from collections.abc import Iterator
from typing import IO, Any, Protocol, runtime_checkable

from stricto import STypeError

#: A str starting with this prefix carries base64-encoded bytes.
BASE64_PREFIX = "base64:"

#: How much of an invalid base64 value an error message repeats.
_SHOWN_CHARACTERS = 80


@runtime_checkable
class UploadedFile(Protocol):
    """An uploaded file, as werkzeug's ``FileStorage`` presents it.

    ``mimetype`` is the type the client declared ("" or None if none); ``content_length``
    the size it declared (0 or None when unknown: only a hint).
    """

    filename: str | None
    mimetype: str | None
    stream: IO[bytes]
    content_length: int | None


class BytesUpload:
    """Content given as bytes, presented as an :class:`UploadedFile` with no name and no type."""

    __slots__ = ("content_length", "filename", "mimetype", "stream")

    def __init__(self, data: bytes) -> None:
        self.filename: str | None = None
        self.mimetype: str | None = None
        self.stream: IO[bytes] = io.BytesIO(data)
        self.content_length: int | None = len(data)


def decode_text_content(value: str) -> bytes:
    """The bytes a str stands for: ``"base64:<data>"`` decoded, any other text in UTF-8.

    :raises STypeError: ``"base64:..."`` whose data is not valid base64, or text UTF-8
        cannot encode (a lone surrogate such as ``"\\ud800"``: it used to escape as a
        ``UnicodeEncodeError``, a 500 over HTTP).
    """
    if not value.startswith(BASE64_PREFIX):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as exc:
            character = f"\\u{ord(value[exc.start]):04x}"
            raise STypeError(
                "The text content cannot be encoded in UTF-8 (it holds the lone surrogate {character})",
                character=character,
            ) from exc
    try:
        return base64.b64decode(value[len(BASE64_PREFIX) :].encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        shown = value if len(value) <= _SHOWN_CHARACTERS else f"{value[:_SHOWN_CHARACTERS]}..."
        shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate as \ud800
        raise STypeError('"{value}" is not a valide base64 encoded string', value=shown) from exc


def transform_to_filestorage(value: Any, root: Any = None) -> Any:
    """Turn content given as ``str``, ``bytes`` or ``bytearray`` into an :class:`UploadedFile`.

    This is the ``transform`` of every File (it replaces any user transform): a str is
    text, or base64 after a ``"base64:"`` prefix. Other values (uploads, metadata dicts,
    None) are returned unchanged. ``root`` is the stricto transform argument, unused.
    """
    if isinstance(value, str):
        return BytesUpload(decode_text_content(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return BytesUpload(bytes(value))
    return value


def iter_stream(stream: IO[bytes], buffer_size: int) -> Iterator[bytes]:
    """Read ``stream`` to its end in chunks of ``buffer_size`` bytes."""
    while True:
        chunk = stream.read(buffer_size)
        if not chunk:
            return
        yield chunk
