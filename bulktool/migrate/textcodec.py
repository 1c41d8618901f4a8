"""Which encoding a text file is in, decided by a few explicit rules rather than assumed.

Files reach bulktool from Excel on Windows, from old ERPs and from web exports, so the
candidates are few and known: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode
text", with BOM; without one it is recognised by its NUL bytes), Windows-1252 and
ISO-8859-1. A statistical detector (charset-normalizer) picks among dozens of code pages
and on a short Nordic file may well answer cp1250 or mac_roman; these rules never do,
and each guess is named in a warning so the user can override it.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from ..errors import WorkbookError

# Bytes Windows-1252 leaves undefined: a file holding one is not cp1252, so it is ISO-8859-1.
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_SNIFF = 4096
_CANONICAL = {"iso8859-1": "latin-1", "utf-8-sig": "utf-8"}  # the names detection uses too
_LABEL = {"cp1252": "Windows-1252", "latin-1": "ISO-8859-1", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-16-le", "utf-16-be", "cp1252", "latin-1", or the codec asked for
    warning: str | None = None  # set when the encoding was guessed to be something other than UTF-8


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte, on one side only."""
    head = data[:_SNIFF]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even = sum(1 for i in range(0, pairs * 2, 2) if head[i] == 0)
    odd = sum(1 for i in range(1, pairs * 2, 2) if head[i] == 0)
    if odd >= pairs * 0.3 and even <= pairs * 0.02:
        return "utf-16-le"
    if even >= pairs * 0.3 and odd <= pairs * 0.02:
        return "utf-16-be"
    return None


def _strict(name: str, data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise WorkbookError(
            f"{name} is not {_LABEL.get(codec, codec)} text (byte 0x{data[exc.start]:02X} at offset "
            f"{exc.start}); give its encoding or save it as CSV UTF-8"
        ) from None


def decode_bytes(name: str, data: bytes, encoding: str | None = None) -> Decoded:
    """The text of a file called ``name``; ``encoding`` (any Python codec name) overrides detection.

    A file that is UTF-8 up to some byte and then is not is refused rather than turned into
    mojibake: it was most likely cut or concatenated, and no single encoding reads it.
    """
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
            codec = _CANONICAL.get(codec, codec)
        except LookupError:
            raise WorkbookError(f"{name}: unknown encoding {encoding!r} (try utf-8, cp1252, latin-1, utf-16)") \
                from None
        text = _strict(name, data, codec)
        return Decoded(text.removeprefix("\ufeff"), codec)
    for mark, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                        (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(mark):
            text = _strict(name, data[len(mark):], codec)
            note = None if codec == "utf-8" else f"{name} is UTF-16 text (Excel's 'Unicode text'); read as such"
            return Decoded(text, codec, note)
    if b"\x00" in data[:_SNIFF]:
        wide = _utf16_without_bom(data)
        if wide is None:
            raise WorkbookError(f"{name} contains NUL bytes: it is not a text file (save as CSV UTF-8)")
        return Decoded(_strict(name, data, wide), wide,
                       f"{name} has no byte order mark but reads as {wide.upper()} text; read as such")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start
    where = f"byte 0x{data[at]:02X} at offset {at}"
    if not data[:at].isascii():
        raise WorkbookError(f"{name} is UTF-8 text up to {where}, which is not UTF-8; save it again as CSV UTF-8")
    if CP1252_UNDEFINED.intersection(data):
        codec, why = "latin-1", "ISO-8859-1, as it holds bytes Windows-1252 does not define"
    else:
        codec, why = "cp1252", "Windows-1252, the encoding of Excel's 'CSV (semikolonavgränsad)'"
    return Decoded(data.decode(codec), codec,
                   f"{name} is not UTF-8 ({where}), so it was read as {why}; "
                   "if letters such as åäö look wrong, save it as CSV UTF-8")
