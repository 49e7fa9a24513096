"""Reading an alliance export row by row: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX, streamed.

``read_rows(source)`` yields ``(line_number, cells)`` with the header as line 1. Nothing is held in
memory beyond the current row, so an orders file of millions of rows costs a constant amount, and so
does a row of any length: a CSV row is read at most ``ROW_LIMIT`` characters at a time and a longer
one (or a longer value) is refused with its line number, without reading the rest of it.

A file that cannot be read (not CSV in UTF-8 or GB18030, a ZIP that is no workbook, a workbook without
sheets, a row too long) raises ``UnreadableFile`` with the line where reading stopped and the reason.
An XLSX is streamed row by row too, except its table of distinct texts (``SHARED_STRINGS_LIMIT``).
"""

import codecs
import csv
import io
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
# The longest CSV row (the characters of one record, separators included) and the longest value. The
# csv module's own default field limit; real rows are under 1,000 characters.
ROW_LIMIT = 131_072
# The encoding scan reads this many bytes at a time; its line check relies on CHUNK <= ROW_LIMIT.
CHUNK = ROW_LIMIT
# An XLSX's shared strings (every distinct text cell) are read into memory: at most this much XML (the
# size the archive declares, which also bounds what it inflates to).
SHARED_STRINGS_LIMIT = 128 * 1024 * 1024


class UnreadableFile(Exception):
    """The file cannot be read from ``line`` on (1: not at all); ``reason`` says why, for people."""

    def __init__(self, line, reason):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@contextmanager
def _binary(source):
    """A readable, seekable binary stream for a path or an uploaded file."""
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            yield stream
    else:
        source.seek(0)
        yield source


@dataclass(frozen=True)
class Scan:
    encoding: str  # "utf-8-sig" or "gb18030"
    copyable: bool  # every row one line of at most ROW_LIMIT bytes, and the file decodes
    bad_line: int | None = None  # the first line the encoding cannot decode (GB18030 only)
    controls: bool = True  # the file may hold a control character inside a value (False: certainly not)


def scan(stream):
    """What reading a CSV stream needs to know first, read once in chunks and rewound (``Scan``).

    The encoding is ``utf-8-sig`` when the whole stream decodes as UTF-8 (with or without BOM), else
    ``gb18030`` (a superset of GBK, which Chinese Excel saves CSV in), checked in a second pass that
    finds the first line it cannot decode. ``copyable``: every row is one line of at most ``ROW_LIMIT``
    bytes (no value holds a line break), so the row path would read every row too; the PostgreSQL path
    takes only such files, and its rows are as bounded as the row path's. ``controls``: whether a byte
    sequence of a control character other than a line break occurs anywhere (the PostgreSQL path then
    checks every text value for one; a file without any skips that check).
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    line_bytes = 0  # bytes of the current line so far
    fits = True
    quoted = b""  # b'"' while inside a quoted value at the end of the previous chunk
    c0 = c1_utf8 = c1_gb18030 = False  # a control character other than a line break (LF, CRLF) seen
    carried_cr = False  # the previous chunk ended with CR (its LF may start this one)
    while chunk := stream.read(CHUNK):
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        if not c0:
            # Bytes only, at the speed of C: C0 controls but LF and CR, DEL; then any CR not before an LF.
            lone_cr = chunk.count(b"\r") - chunk.count(b"\r\n") - chunk.endswith(b"\r")
            c0 = bool(chunk.translate(None, _NOT_CONTROL_BYTE)) or lone_cr > 0 or (
                carried_cr and not chunk.startswith(b"\n"))
            carried_cr = chunk.endswith(b"\r")
        # C1 controls as each encoding writes them (the GB18030 pattern may also match across characters).
        c1_utf8 = c1_utf8 or _C1_IN_UTF8.search(chunk) is not None
        c1_gb18030 = c1_gb18030 or _C1_IN_GB18030.search(chunk) is not None
        last = chunk.rfind(b"\n")
        if last == -1:
            line_bytes += len(chunk)
        else:
            # A chunk is at most ROW_LIMIT bytes: only the line ending at its first newline can be longer.
            fits = fits and line_bytes + chunk.find(b"\n") + 1 <= ROW_LIMIT
            line_bytes = len(chunk) - last - 1
        fits = fits and line_bytes <= ROW_LIMIT
        if fits and (quoted or b'"' in chunk):
            # Keep quotes and newlines only; quote pairs cancel. A quote left anywhere but last opens a
            # value that holds a line break.
            marks = (quoted + chunk.translate(None, _NOT_QUOTE_OR_NEWLINE)).replace(b'""', b"")
            fits = b'"' not in marks[:-1]
            quoted = marks[-1:] if marks.endswith(b'"') else b""
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    stream.seek(0)
    c0 = c0 or carried_cr
    if utf8:
        return Scan("utf-8-sig", fits, controls=c0 or c1_utf8)
    bad_line = _first_undecodable_line(stream, "gb18030")
    stream.seek(0)
    return Scan("gb18030", fits and bad_line is None, bad_line, controls=c0 or c1_gb18030)


def _first_undecodable_line(stream, encoding):
    """The 1-based line holding the first bytes ``encoding`` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines = 0
    while chunk := stream.read(CHUNK):
        pending = len(decoder.getstate()[0])  # bytes of a character begun in the previous chunk
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            # A line break is never part of a multibyte character, so counting them in the chunk up to
            # the error is exact.
            return newlines + chunk[: max(error.start - pending, 0)].count(b"\n") + 1
        newlines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return newlines + 1
    return None


_NOT_QUOTE_OR_NEWLINE = bytes(b for b in range(256) if b not in b'"\n')
_NOT_CONTROL_BYTE = b"\n\r" + bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
_C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")  # U+0080-U+009F
_C1_IN_GB18030 = re.compile(rb"\x810[\x81-\x84][0-9]")  # U+0080-U+009F are 81 30 81 30 - 81 30 84 31


def detect_encoding(stream):
    return scan(stream).encoding


class _BoundedLines:
    """The physical lines of a text stream for ``csv.reader``, never more than ``ROW_LIMIT`` characters of a
    record in memory: ``fed`` counts the characters given since the reader last completed a record."""

    def __init__(self, text):
        self.text = text
        self.fed = 0
        self.newlines = 0  # line feeds read
        self.line = 0  # the number (as ``scan`` counts, by line feeds) of the last line read

    def __iter__(self):
        return self

    def __next__(self):
        line = self.text.readline(ROW_LIMIT - self.fed + 1)
        if not line:
            raise StopIteration
        self.fed += len(line)
        if self.fed > ROW_LIMIT:
            raise _RowTooLong
        self.line = self.newlines + 1
        self.newlines += line.endswith("\n")
        return line


class _RowTooLong(Exception):
    pass


def _too_long(line):
    return UnreadableFile(line, _("the row is longer than %(limit)s characters; the file cannot be read from "
                                  "this line on (is it a CSV export?)") % {"limit": f"{ROW_LIMIT:,}"})


def _csv_rows(stream, encoding, bad_line=None):
    """``(line, cells)``; the row holding physical line ``bad_line`` (undecodable) stops the reading."""
    # Decoding cannot fail: ``scan`` found the first undecodable line, and the reading stops at its row.
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    lines = _BoundedLines(text)
    reader = csv.reader(lines)
    line = 0
    try:
        while True:
            lines.fed = 0
            try:
                cells = next(reader)
            except StopIteration:
                if bad_line is not None:  # the undecodable bytes end the file
                    raise _undecodable(line + 1, encoding) from None
                return
            except _RowTooLong:
                raise _too_long(line + 1) from None
            except csv.Error as error:
                if "field larger than field limit" in str(error):
                    raise _too_long(line + 1) from None
                reason = _("the row cannot be read as CSV (%(error)s)") % {"error": error}
                raise UnreadableFile(line + 1, reason) from None
            line += 1
            if bad_line is not None and lines.line >= bad_line:
                raise _undecodable(line, encoding)
            yield line, cells
    finally:
        text.detach()


def _undecodable(line, encoding):
    return UnreadableFile(line, _("the row cannot be decoded as %(encoding)s: save the file as CSV in UTF-8 or "
                                  "GBK, or as XLSX") % {"encoding": encoding})


def _xlsx_rows(stream):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(stream) as archive:
            parts = {info.filename: info.file_size for info in archive.infolist()}
        stream.seek(0)
        if "[Content_Types].xml" not in parts:
            raise UnreadableFile(1, _("the file is a ZIP archive but not an Excel workbook (it has no "
                                      "[Content_Types].xml): save it as XLSX or CSV"))
        if parts.get("xl/sharedStrings.xml", 0) > SHARED_STRINGS_LIMIT:
            # openpyxl holds the workbook's table of texts in memory (the rows themselves are streamed).
            raise UnreadableFile(1, _("the workbook's texts take more than %(limit)s MB: save it as CSV")
                                 % {"limit": SHARED_STRINGS_LIMIT // (1024 * 1024)})
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise UnreadableFile(1, _("the file starts as an XLSX (ZIP) file but the archive is damaged: save it "
                                  "again as XLSX or CSV")) from None
    except Exception as error:  # openpyxl raises many kinds (KeyError for a missing part, XML errors …)
        raise UnreadableFile(1, _("the file is a ZIP archive but not an Excel workbook (%(error)s): save it as "
                                  "XLSX or CSV") % {"error": type(error).__name__}) from None
    line = 0
    try:
        if not workbook.worksheets:
            raise UnreadableFile(1, _("the workbook has no sheet"))
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception as error:  # a damaged sheet, found while reading it
                raise UnreadableFile(line + 1, _("the sheet cannot be read from this line on (%(error)s)")
                                     % {"error": type(error).__name__}) from None
            line += 1
            yield line, list(cells)
    finally:
        workbook.close()


class Rows:
    """Iterator of ``(line, cells)`` over ``source``; ``encoding`` is the CSV's (``None`` for XLSX).

    ``copyable``: a CSV whose every line fits ``ROW_LIMIT`` (the PostgreSQL COPY path may take it);
    ``controls``: whether a value of the CSV may hold a control character (the COPY path checks only then).
    """

    def __init__(self, source):
        self._binary = _binary(source)
        stream = self._binary.__enter__()
        is_xlsx = stream.read(len(XLSX_MAGIC)) == XLSX_MAGIC
        stream.seek(0)
        if is_xlsx:
            self.encoding, self.copyable, self.controls = None, False, True
            self._rows = _xlsx_rows(stream)
        else:
            found = scan(stream)
            self.encoding, self.copyable, self.controls = found.encoding, found.copyable, found.controls
            self._rows = _csv_rows(stream, found.encoding, found.bad_line)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._rows)

    def close(self):
        self._rows.close()
        self._binary.__exit__(None, None, None)


def read_rows(source):
    """``(line, cells)`` for every row of ``source`` (a path or a binary file object); close it after use."""
    return Rows(source)
