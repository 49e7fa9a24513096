"""Reading an alliance export row by row: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX, streamed.

``read_rows(source)`` yields ``(line_number, cells)`` with the header as line 1. Nothing is held in
memory beyond the current row, so an orders file of millions of rows costs a constant amount.
"""

import codecs
import csv
import io
from contextlib import contextmanager
from pathlib import Path

XLSX_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 20


@contextmanager
def _binary(source):
    """A readable, seekable binary stream for a path or an uploaded file."""
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            yield stream
    else:
        source.seek(0)
        yield source


def detect_encoding(stream):
    """``utf-8-sig`` when the whole stream decodes as UTF-8 (with or without BOM), else ``gb18030``.

    GB18030 is a superset of GBK, the encoding Chinese Excel saves CSV in. The stream is read once in
    chunks and rewound.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    stream.seek(0)
    return encoding


def _csv_rows(stream, encoding):
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        yield from enumerate(csv.reader(text), start=1)
    finally:
        text.detach()


def _xlsx_rows(stream):
    from openpyxl import load_workbook

    workbook = load_workbook(stream, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(cells)
    finally:
        workbook.close()


class Rows:
    """Iterator of ``(line, cells)`` over ``source``; ``encoding`` is the CSV's (``None`` for XLSX)."""

    def __init__(self, source):
        self._binary = _binary(source)
        stream = self._binary.__enter__()
        is_xlsx = stream.read(len(XLSX_MAGIC)) == XLSX_MAGIC
        stream.seek(0)
        self.encoding = None if is_xlsx else detect_encoding(stream)
        self._rows = _xlsx_rows(stream) if is_xlsx else _csv_rows(stream, self.encoding)

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
