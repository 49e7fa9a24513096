"""Validate and apply one export file, all or nothing (DATA.md): the one path for the command and the admin.

How it works, whatever the size of the file:
1. stream the rows; parse and check every cell (format, status word, credit code, reference to a
   leader / merchant / activity of the campaign); collect every bad row; write the good rows,
   converted to database values, into a temporary staging table (PostgreSQL: ``COPY``; SQLite:
   batched ``executemany``);
2. find keys repeated inside the file with one self-join on the staging table;
3. if anything is wrong, roll back and return the errors; otherwise count the keys that already
   exist and apply the file with ONE ``INSERT … SELECT … ON CONFLICT (key) DO UPDATE`` (the same SQL
   on PostgreSQL and SQLite), in the same transaction.
Memory stays bounded: one batch of rows, the reference maps (leaders, merchants, activities) and
the errors.
"""

import csv
import os
import zipfile
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial

from django.db import DEFAULT_DB_ALIAS, DataError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from recruitment import uploads

from .. import alerting, datamark, decisions
from . import pgcopy, values
from .kinds import KINDS, REFERENCES
from .readers import UnreadableFile, _binary, read_rows

STAGING = "probation_import_staging"
BATCH = 5000


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line of the file; the header is line 1
    column: str
    reason: str

    def __str__(self):
        return f"line {self.line}, {self.column}: {self.reason}"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


class UnknownKind(ValueError):
    pass


# What a file that is not CSV in UTF-8/GB18030 nor a real XLSX may still raise while it is read (the
# readers turn what they can name into ``UnreadableFile``).
UNREADABLE = (UnicodeDecodeError, zipfile.BadZipFile, InvalidFileException, csv.Error)


def import_file(kind_name, source, *, campaign, file_name=""):
    """Import ``source`` (a path or a binary file object) of ``kind_name`` into ``campaign``.

    Returns an ``ImportResult``: on any bad row, ``errors`` lists every one and nothing is written. A file
    that cannot be read is one error, at the line where reading stopped, after the bad rows before it. While
    it runs, decisions of the campaign refuse to start (they would judge half a file); a successful import
    is recorded (the data-mark step lists it) and the stored verdicts are compared with the new data. A refused
    import raises a DingTalk alert to the campaign's group (``probation.alerting.import_failed``).
    """
    try:
        kind = KINDS[kind_name]
    except KeyError:
        raise UnknownKind(_("unknown kind %(kind)s; expected one of: %(kinds)s")
                          % {"kind": kind_name, "kinds": ", ".join(KINDS)}) from None
    named = file_name or (source if isinstance(source, str | os.PathLike) else getattr(source, "name", ""))
    try:
        result = _import_file(kind, source, campaign=campaign, file_name=named)
    except Exception as error:  # unreadable in a way the readers do not name, the database failed: said, re-raised
        alerting.import_failed(campaign, kind=kind.name, file_name=os.path.basename(str(named)),
                               errors=[f"{type(error).__name__}: {error}"[:300]])
        raise
    if not result.ok:  # the campaign's DingTalk group hears of it (nothing was written)
        alerting.import_failed(campaign, kind=kind.name, file_name=os.path.basename(str(named)),
                               errors=[str(error) for error in result.errors])
    return result


def _import_file(kind, source, *, campaign, file_name):
    refused = uploads.refusal(source)
    if refused:  # the upload stopped at its size limit: there is no file to read
        return ImportResult(kind=kind.name, errors=[RowError(1, "-", refused)])
    try:
        with transaction.atomic():
            decisions.hold_import_lock(campaign)
            result = _import(kind, source, campaign)
            if result.ok:
                datamark.record_import(campaign, kind=kind.name, result=result, file_name=file_name)
            return result
    except UnreadableFile as error:
        # Raised inside the transaction, so nothing was written.
        return ImportResult(kind=kind.name, errors=[RowError(error.line, "-", error.reason)])
    except UNREADABLE as exc:
        reason = _("the file cannot be read (%(error)s): save it as CSV in UTF-8 or GBK, or as XLSX") % {
            "error": type(exc).__name__
        }
        return ImportResult(kind=kind.name, errors=[RowError(1, "-", reason)])


def _import(kind, source, campaign):
    result = ImportResult(kind=kind.name)
    with transaction.atomic():
        with closing(read_rows(source)) as rows:
            header = next(rows, None)
            if header is None:
                result.errors.append(RowError(1, "-", _("the file is empty")))
                return result
            positions, errors = _match_header(kind, header[1])
            if errors:
                result.errors = errors
                return result
            if not (connection.vendor == "postgresql" and rows.copyable and pgcopy.supports(kind)):
                return _import_rows(kind, campaign, positions, rows, result)
            job = pgcopy.CopyImport(kind, campaign, positions, len(header[1]), rows.encoding,
                                    validator=_RowValidator, staging=_Staging, controls=rows.controls)
        if _import_by_copy(job, source, result):
            return result
        # COPY could not read the file as a table: the row path reads it again, from the start (the COPY
        # consumed the stream an uploaded file shares with the first reader).
        with closing(read_rows(source)) as rows:
            next(rows)
            return _import_rows(kind, campaign, positions, rows, result)


def _import_rows(kind, campaign, positions, rows, result):
    """The row path: every row through the validator into the staging table, then one upsert."""
    staging = _Staging(kind)
    validator = _RowValidator(kind, campaign, positions)
    batch = []
    unreadable = []
    try:
        for line, cells in rows:
            if all(values.is_empty(cell) for cell in cells):
                continue
            result.rows += 1
            staged = validator.validate(line, cells)
            if staged is not None:
                batch.append(staged)
                if len(batch) >= BATCH:
                    staging.load(batch)
                    batch = []
    except UnreadableFile as error:  # every bad row before it is reported too
        unreadable.append(RowError(error.line, "-", error.reason))
    staging.load(batch)
    result.errors = validator.errors + staging.duplicate_errors(validator.labels) + unreadable
    if result.errors:
        result.errors.sort(key=lambda e: e.line)
        transaction.set_rollback(True)
        return result
    result.updated = staging.count_existing(campaign)
    result.created = result.rows - result.updated
    staging.apply(campaign, now=timezone.now())
    staging.drop()
    return result


def _import_by_copy(job, source, result):
    """The PostgreSQL path (``pgcopy``): fills ``result`` and returns True, or False to use the row path.

    Written optimistically: the rows SQL accepts are upserted at once; the rare other rows are checked
    next, and any error (or a key twice in the file) rolls everything back. The steps run with the fast
    checks first; a value they let through that PostgreSQL cannot convert fails a statement, and the
    steps run again with the exact checks (``job.precise()``) from a savepoint taken after the COPY.
    """
    with _binary(source) as stream:
        if not job.load(stream):
            return False
    try:
        with transaction.atomic():
            _copy_steps(job, result)
    except DataError:
        job.precise()
        with transaction.atomic():
            _copy_steps(job, result)
    if result.errors:
        transaction.set_rollback(True)  # nothing of the file is kept (the temporary tables go too)
    else:
        job.drop()
    return True


def _copy_steps(job, result):
    rows = job.count_rows()
    new_only = job.campaign_is_empty()
    updated = 0 if new_only else job.count_existing(job.accepted)
    now = timezone.now()
    written = job.apply(job.accepted, now, new_only=new_only, rebuild=new_only and job.rebuilds_indexes(rows))
    if written is None and new_only and not job.duplicates():  # a concurrent import wrote the campaign's rows
        updated = job.count_existing(job.accepted)
        written = job.apply(job.accepted, now)
    flagged = errors = None
    if written is not None and written < rows:
        flagged, errors, _fixed = job.check_rows()
        if not errors and not job.duplicates():
            updated += job.count_existing(job.fixed)
            written += job.apply(job.fixed, now)
    if written == rows:
        result.rows, result.updated, result.created, result.errors = rows, updated, rows - updated, []
        return
    # Bad rows, or a key twice in the file: list every bad row; the caller writes nothing.
    if flagged is None:
        flagged, errors, _fixed = job.check_rows()
    result.rows = job.count_good() + flagged
    result.errors = errors + [
        RowError(line, job.key_label, _("duplicate key: already on line %(line)d") % {"line": first})
        for line, first in job.duplicates()
    ]
    result.errors.sort(key=lambda e: e.line)
    transaction.set_rollback(True)


def _match_header(kind, cells):
    """Map each column of ``kind`` to its position in the header (any of its ``header_names``, English ones in
    any case); a column the kind does not name is ignored."""
    names = {name.lower(): column for column in kind.columns for name in column.header_names}
    positions, errors = {}, []
    for index, cell in enumerate(cells):
        text = values.as_text(cell).lstrip("\ufeff") if not values.is_empty(cell) else ""
        column = names.get(text.lower())
        if column is None:
            continue  # extra columns of the export are ignored
        if column.name in positions:
            errors.append(RowError(1, text, _("column given twice")))
        positions[column.name] = (index, text)
    for column in kind.columns:
        if column.name not in positions and column.required:
            errors.append(RowError(1, column.label, _("missing column")))
    return positions, errors


class _RowValidator:
    """Parses and checks one row at a time; remembers the errors; returns staged database values."""

    def __init__(self, kind, campaign, positions):
        self.kind = kind
        self.positions = positions
        self.labels = {name: text for name, (_index, text) in positions.items()}
        self.errors = []
        self.fields = {c.name: kind.model._meta.get_field(c.field) for c in kind.columns}
        # psycopg adapts Python values itself (COPY); SQLite needs Django's conversion (UTC text times).
        database = connections[DEFAULT_DB_ALIAS]
        self.to_db = (
            [lambda value: value for _c in kind.columns]
            if database.vendor == "postgresql"
            else [partial(self.fields[c.name].get_db_prep_save, connection=database) for c in kind.columns]
        )
        self.references = {}
        for column in kind.columns:
            if column.ref and column.ref not in self.references:
                model, key, _message = REFERENCES[column.ref]
                self.references[column.ref] = dict(
                    model.objects.filter(campaign=campaign).values_list(key, "pk").iterator()
                )

    def validate(self, line, cells):
        parsed, bad = {}, []
        for column in self.kind.columns:
            position = self.positions.get(column.name)
            raw = cells[position[0]] if position is not None and position[0] < len(cells) else None
            label = self.labels.get(column.name, column.name)
            if values.is_empty(raw):
                if column.required:
                    bad.append(RowError(line, label, _("missing value")))
                parsed[column.name] = None
                continue
            try:
                value = column.parse(raw)
            except ValueError as error:
                bad.append(RowError(line, label, str(error)))
                continue
            if column.ref:
                model, _key, message = REFERENCES[column.ref]
                pk = self.references[column.ref].get(value)
                if pk is None:
                    bad.append(RowError(line, label, str(message) % {"value": values.shown(value)}))
                    continue
                value = pk
            else:
                max_length = getattr(self.fields[column.name], "max_length", None)
                if max_length and isinstance(value, str) and len(value) > max_length:
                    bad.append(RowError(line, label, _("longer than %(n)d characters") % {"n": max_length}))
                    continue
            parsed[column.name] = value
        if not bad:
            for check in self.kind.row_checks:
                bad.extend(RowError(line, self.labels.get(name, name), reason) for name, reason in check(parsed))
        if bad:
            self.errors.extend(bad)
            return None
        return [line] + [to_db(parsed[c.name]) for to_db, c in zip(self.to_db, self.kind.columns, strict=True)]


class _Staging:
    """A temporary table shaped like the kind's columns (database types of the target fields) plus the line."""

    def __init__(self, kind, table=STAGING):
        self.table = table
        self.kind = kind
        self.model = kind.model
        meta = kind.model._meta
        self.fields = [meta.get_field(c.field) for c in kind.columns]
        self.columns = [f.column for f in self.fields]
        self.key = [meta.get_field(name) for name in kind.key]
        self.is_postgres = connection.vendor == "postgresql"
        definition = ", ".join(
            ["_line integer NOT NULL"] + [f"{f.column} {f.db_type(connection)}" for f in self.fields]
        )
        staged_key = ", ".join(f.column for f in self.key if f.name != "campaign")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.table} ({definition})")
            cursor.execute(f"CREATE INDEX {self.table}_key ON {self.table} ({staged_key}, _line)")

    def load(self, rows):
        if not rows:
            return
        names = ", ".join(["_line", *self.columns])
        with connection.cursor() as cursor:
            if self.is_postgres:
                with cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * (len(self.columns) + 1))
                cursor.executemany(f"INSERT INTO {self.table} ({names}) VALUES ({marks})", rows)

    def _key_columns(self):
        return [f.column for f in self.key if f.name != "campaign"]

    def duplicate_errors(self, labels):
        """Every row whose key already appeared on an earlier line of the file."""
        join = " AND ".join(f"f.{c} = s.{c}" for c in self._key_columns())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s._line, MIN(f._line) FROM {self.table} s JOIN {self.table} f ON {join} AND f._line < s._line "
                f"GROUP BY s._line ORDER BY s._line"
            )
            found = cursor.fetchall()
        first_key = next(c for c in self.kind.columns if c.field == self._key_field_names()[0])
        label = labels.get(first_key.name, first_key.name)
        return [
            RowError(line, label, _("duplicate key: already on line %(line)d") % {"line": first})
            for line, first in found
        ]

    def _key_field_names(self):
        return [f.name for f in self.key if f.name != "campaign"]

    def _scope(self):
        scoped = any(f.name == "campaign" for f in self.key)
        return (" AND t.campaign_id = %s", True) if scoped else ("", False)

    def count_existing(self, campaign):
        match = " AND ".join(f"t.{c} = s.{c}" for c in self._key_columns())
        scope, scoped = self._scope()
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {self.table} s WHERE EXISTS (SELECT 1 FROM {table} t WHERE {match}{scope})",
                [campaign.pk] if scoped else [],
            )
            return cursor.fetchone()[0]

    def apply(self, campaign, *, now):
        meta = self.model._meta
        constants = {"campaign": campaign.pk, "imported_at": now}
        inserted_only = {meta.get_field(name).column: value for name, value in self.kind.insert_only.items()}
        constant_columns = [meta.get_field(name).column for name in constants]
        params = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in constants.items()]
        params += list(inserted_only.values())
        target = constant_columns + list(inserted_only) + self.columns
        selected = ["%s"] * (len(constant_columns) + len(inserted_only)) + self.columns
        conflict = ", ".join(f.column for f in self.key)
        updates = ", ".join(f"{c} = excluded.{c}" for c in [*self.columns, meta.get_field("imported_at").column])
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {meta.db_table} ({', '.join(target)}) "
                f"SELECT {', '.join(selected)} FROM {self.table} WHERE true "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                params,
            )

    def drop(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
