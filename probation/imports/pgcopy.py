"""The PostgreSQL path of a CSV import: the file goes to the server with ``COPY``, rows are checked set-based.

Same result as the row path of ``probation.imports.loader`` (same rows written, same counts, same errors
with the same lines, columns and reasons), at the speed of ``COPY``:

1. the header is read in Python (encoding, BOM, English names or Chinese aliases); the raw bytes are
   then streamed into a temporary table of text columns (one per column of the file) with ``COPY …
   (FORMAT csv, HEADER, ENCODING …)``; an identity column numbers the rows in file order (the line);
2. one SQL expression per column ACCEPTS the values of the exact common forms (a trimmed text within
   the length, ``YYYY-MM-DD HH:MM:SS`` with an optional ``Z``/``±HH:MM``, an amount with at most two
   decimals, a status word or code as written in DATA.md, a reference found by a join) and converts
   them; a row with every value accepted is good. Every other non-blank row — bad rows, and valid
   rarer forms such as ``PAID``, fractions of a second or a padded cell — goes through the row
   validator of the Python path, which reports the errors or converts the row into a small typed table.
   So SQL only ever decides "certainly good"; every reason is worded by the one validator;
3. duplicate keys are found by the target's unique key itself: ``INSERT … ON CONFLICT DO UPDATE`` refuses
   to touch a row twice, and only then (in a savepoint) a window query lists the lines, as the row path does.

Two speed-ups, both measured in bench/RESULTS.md:
- times are first accepted by the cheap *fast* checks: the ``YYYY-MM-DD HH:MM:SS`` shape by ``LIKE`` and the
  value by a round trip through ``timestamp`` (the cast text must be the value itself), instead of a regular
  expression (1.7 µs a value, most of the import's checking time). A shaped value PostgreSQL cannot cast
  (``2024-02-30 10:00:00``) fails the statement: the caller then rolls back to its savepoint and runs the
  same steps with the exact checks (``precise``), which never raise. Only bad files pay for two passes;
- a plain ``INSERT`` of more rows than the table holds (a campaign's first import) drops the secondary
  indexes of the model's ``Meta.indexes`` and builds them again after the insert, in the same transaction
  (sorting once is several times cheaper than millions of random B-tree insertions). The table is locked
  for the import's transaction then: readers wait for it to commit.

A file ``COPY`` cannot read as a table (rows of different lengths, an encoding error, a blank line)
returns ``None``: the caller imports it on the row path. Memory stays flat: the file is streamed, and only
the rows not accepted by SQL pass through Python (server-side cursor).
"""

import psycopg
from django.db import connection, transaction

from ..enums import ORDER_STATUS_ALIASES
from . import values
from .kinds import REFERENCES, _rejoined_after_exit

RAW = "probation_import_raw"
FIXED = "probation_import_fixed"
CHUNK = 1 << 20
# Characters ``str.strip()`` removes (Unicode White_Space plus the ASCII separators Python counts).
_SPACE = r"[\s\x1c-\x1f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
EDGE_SPACE = rf"^{_SPACE}|{_SPACE}$"
# Years 1992+ only: Beijing time has had no daylight saving since 1991, so PostgreSQL's zone rules and
# Python's agree on every accepted wall time; earlier years take the row path. The accepted range of
# ``values.parse_time`` (2000–2100, Beijing time) is checked on the converted instant.
TIME = (
    r"^(199[2-9]|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?$"
)
AMOUNT = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"  # below 1e12 by construction
# What ``values.parse_text`` refuses: a formula start (by code point) and control characters (as
# ``values.CONTROL_RE``; a file holding NUL never reaches COPY).
FORMULA_CODES = ", ".join(str(ord(char)) for char in values.FORMULA_START)
CONTROL = r"[\x01-\x1f\x7f-\x9f]"
# A plain INSERT of at least this many rows, more than the table holds, rebuilds the secondary indexes.
REBUILD_INDEXES_FROM = 50_000


def _time(raw):
    day = f"substr({raw}, 9, 2)"
    convert = (
        f"CASE WHEN length({raw}) > 19 THEN {raw}::timestamptz "
        f"ELSE {raw}::timestamp AT TIME ZONE 'Asia/Shanghai' END"
    )
    in_range = f"({convert}) BETWEEN '{values.EARLIEST.isoformat()}' AND '{values.LATEST.isoformat()}'"
    accept = (
        f"CASE WHEN {raw} !~ '{TIME}' THEN false WHEN {day}::int <= 28 THEN {in_range} "
        f"WHEN {day}::int <= extract(day FROM make_date(substr({raw}, 1, 4)::int, substr({raw}, 6, 2)::int, 1)"
        f" + interval '1 month - 1 day') THEN {in_range} ELSE false END"
    )
    return accept, convert


def _time_fast(raw):
    """The canonical form only; may RAISE on a shaped value that is no time (then ``precise`` is used)."""
    # CASE keeps the order: the cast runs only on a value of the shape. Years of the accepted range (a wall
    # time in Beijing: its year is the text's); an hour 24 casts to the next day, so its round trip
    # differs and the row validator words the error.
    # COLLATE "C": a byte comparison, cheaper than the database's collation (the same order for digits).
    accept = (
        f"CASE WHEN {raw} LIKE '____-__-__ __:__:__' AND {raw} COLLATE \"C\" >= '{values.FIRST_YEAR}' "
        f"AND {raw} COLLATE \"C\" < '{values.LAST_YEAR + 1}' THEN ({raw}::timestamp)::text = {raw} ELSE false END"
    )
    return accept, f"{raw}::timestamp AT TIME ZONE 'Asia/Shanghai'"


def _amount(raw):
    return f"{raw} ~ '{AMOUNT}'", f"{raw}::numeric(14, 2)"


def _order_status(raw):
    words = ", ".join(_quote(word) for word in ORDER_STATUS_ALIASES)
    cases = " ".join(f"WHEN {_quote(word)} THEN {_quote(code.value)}" for word, code in ORDER_STATUS_ALIASES.items())
    return f"{raw} IN ({words})", f"CASE {raw} {cases} END"


def _quote(text):
    return "'" + str(text).replace("'", "''") + "'"


# Parsers with an SQL equivalent for their common forms; a kind using another parser (the credit code
# check digit) is imported on the row path.
PARSERS = {values.parse_time: _time, values.parse_amount: _amount, values.parse_order_status: _order_status}
# The fast checks (``CopyImport.fast``): cheaper, but a value they let through may fail its cast.
FAST_PARSERS = {**PARSERS, values.parse_time: _time_fast}
# Row checks with an SQL equivalent, over the converted values of the row.
ROW_CHECKS = {
    _rejoined_after_exit: lambda v: f"({v['rejoined_at']} IS NULL OR {v['rejoined_at']} > {v['exited_at']})",
}


def supports(kind):
    return all(c.parse is values.parse_text or c.parse in PARSERS for c in kind.columns) and all(
        check in ROW_CHECKS for check in kind.row_checks
    )


class CopyImport:
    """One CSV file of one kind on PostgreSQL; ``validator`` is the row path's ``_RowValidator`` factory."""

    def __init__(self, kind, campaign, positions, width, encoding, *, validator, staging, controls=True):
        self.kind = kind
        self.controls = controls  # False: the file holds no control character (``readers.scan``)
        self.campaign = campaign
        self.positions = positions
        self.width = width  # columns of the file
        self.encoding = "UTF8" if encoding.startswith("utf-8") else "GB18030"
        self.make_validator = validator
        self.make_staging = staging
        self.meta = kind.model._meta
        self.fields = [self.meta.get_field(c.field) for c in kind.columns]
        self.columns = [f.column for f in self.fields]
        first_key = next(name for name in kind.key if name != "campaign")
        key_column = next(c for c in kind.columns if c.field == first_key)
        self.key_label = positions.get(key_column.name, (None, key_column.name))[1]
        self.fast = True
        self._build()

    def precise(self):
        """Use the exact checks from now on (after a fast statement failed on a value it could not cast)."""
        self.fast = False
        self._build()

    # --- SQL -------------------------------------------------------------------------------------
    def _build(self):
        parsers = FAST_PARSERS if self.fast else PARSERS
        joins, oks, converted, texts = [], [], {}, []
        for n, (column, field) in enumerate(zip(self.kind.columns, self.fields, strict=True)):
            position = self.positions.get(column.name)
            if position is None:  # an optional column absent from the file
                converted[column.name] = f"NULL::{field.db_type(connection)}"
                continue
            raw = f"r.c{position[0]}"
            if column.ref:
                model, key, _message = REFERENCES[column.ref]
                alias = f"j{n}"
                joins.append(
                    f"LEFT JOIN {model._meta.db_table} {alias} ON {alias}.campaign_id = %(campaign)s "
                    f"AND {alias}.{model._meta.get_field(key).column} = {raw}"
                )
                accept, convert = f"{alias}.id IS NOT NULL", f"{alias}.id"
            elif column.parse is values.parse_text:
                max_length = getattr(field, "max_length", None)
                accept, convert = (f"char_length({raw}) <= {max_length}" if max_length else "true"), raw
            else:
                accept, convert = parsers[column.parse](raw)
            empty = f"{raw} IS NULL OR {raw} = ''"
            if column.ref or column.parse is values.parse_text:
                # A value ending in a space would not be the stripped value (the other accepted forms
                # cannot contain one). Printable ASCII at both ends is certain; any other end, the regex.
                # Trimmed, its first character is the value's: none a spreadsheet runs as a formula.
                trimmed = (
                    f"(ascii({raw}) BETWEEN 33 AND 126 AND ascii(reverse({raw})) BETWEEN 33 AND 126 "
                    f"OR {raw} !~ '{EDGE_SPACE}') AND ascii({raw}) NOT IN ({FORMULA_CODES})"
                )
                accept = f"CASE WHEN {trimmed} THEN {accept} ELSE false END"
                texts.append(raw)
            oks.append(f"CASE WHEN {empty} THEN {'false' if column.required else 'true'} ELSE {accept} END")
            converted[column.name] = convert if column.required else f"CASE WHEN {empty} THEN NULL ELSE {convert} END"
        if texts and self.controls:
            # No control character in any text of the row: one regular expression a row, not one a value,
            # and only when the file holds one somewhere (the scan of its bytes says).
            oks.append(f"concat({', '.join(texts)}) !~ '{CONTROL}'")
        ok = " AND ".join(oks)
        checks = [ROW_CHECKS[check](converted) for check in self.kind.row_checks]
        if checks:
            ok = f"CASE WHEN {ok} THEN {' AND '.join(checks)} ELSE false END"
        self.sources = f"{RAW} r {' '.join(joins)}"
        self.ok = ok
        self.blank = " AND ".join(f"(r.c{i} IS NULL OR r.c{i} = '')" for i in range(self.width))
        selected = ", ".join(
            f"{converted[c.name]} AS {col}" for c, col in zip(self.kind.columns, self.columns, strict=True)
        )
        names = ", ".join(self.columns)
        self.accepted = f"(SELECT r._line, {selected} FROM {self.sources} WHERE {ok}) t"
        self.fixed = f"(SELECT _line, {names} FROM {FIXED}) t"
        # Every good row, converted: those SQL accepted, and those the row validator accepted.
        self.typed = (
            f"(SELECT r._line, {selected} FROM {self.sources} WHERE {ok} "
            f"UNION ALL SELECT _line, {names} FROM {FIXED}) t"
        )

    def _params(self, **extra):
        return {"campaign": self.campaign.pk, **extra}

    # --- steps -----------------------------------------------------------------------------------
    def load(self, stream):
        """COPY the file into the raw table; False when PostgreSQL cannot read it as a table of text."""
        columns = ", ".join(f"c{i} text" for i in range(self.width))
        names = ", ".join(f"c{i}" for i in range(self.width))
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {RAW} (_line bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 2), "
                    f"{columns})"
                )
                with cursor.cursor.copy(
                    f"COPY {RAW} ({names}) FROM STDIN (FORMAT csv, HEADER true, ENCODING '{self.encoding}')"
                ) as copy:
                    while chunk := stream.read(CHUNK):
                        copy.write(chunk)
                # The raw table is never analysed: hash joins are always right for it, and the hashed
                # references (100,000+ merchants at alliance scale) must fit in memory (until ``drop``).
                cursor.execute("SELECT current_setting('enable_nestloop'), current_setting('work_mem')")
                self.settings = dict(zip(("enable_nestloop", "work_mem"), cursor.fetchone(), strict=True))
                cursor.execute(
                    "SELECT set_config('enable_nestloop', 'off', true), set_config('work_mem', '64MB', true)"
                )
        except psycopg.DataError:
            # The file is not a table of text PostgreSQL can read (ragged rows, bad bytes): the row path
            # reads it and reports each bad row. A lost connection is not a data error and propagates.
            return False
        self.fixed_table = self.make_staging(self.kind, table=FIXED)
        return True

    def count_rows(self):
        """Non-blank rows of the file (a row of empty cells is skipped, as on the row path)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {RAW} r WHERE NOT ({self.blank})")
            return cursor.fetchone()[0]

    def check_rows(self):
        """The rows SQL did not accept, through the row validator: (non-blank rows, errors, fixed rows).

        The rows it accepts are converted into the ``FIXED`` table.
        """
        fixed = self.fixed_table
        validator = None
        flagged_rows = fixed_rows = 0
        batch = []
        with connection.chunked_cursor() as cursor:
            cursor.execute(
                f"SELECT r._line, {', '.join(f'r.c{i}' for i in range(self.width))} FROM {self.sources} "
                f"WHERE NOT ({self.ok}) AND NOT ({self.blank}) ORDER BY r._line",
                self._params(),
            )
            for line, *cells in cursor:
                if all(values.is_empty(cell) for cell in cells):
                    continue
                flagged_rows += 1
                if validator is None:
                    validator = self.make_validator(self.kind, self.campaign, self.positions)
                staged = validator.validate(line, cells)
                if staged is not None:
                    fixed_rows += 1
                    batch.append(staged)
                    if len(batch) >= 5000:
                        fixed.load(batch)
                        batch = []
        fixed.load(batch)
        return flagged_rows, (validator.errors if validator else []), fixed_rows

    def count_good(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.sources} WHERE {self.ok}", self._params())
            return cursor.fetchone()[0]

    def duplicates(self):
        """``[(line, first line of the key)]`` for every good row whose key appeared on an earlier line."""
        key = ", ".join(self.meta.get_field(name).column for name in self.kind.key if name != "campaign")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT _line, first FROM (SELECT t._line, min(t._line) OVER (PARTITION BY {key}) AS first "
                f"FROM {self.typed}) d WHERE _line > first ORDER BY _line",
                self._params(),
            )
            return cursor.fetchall()

    def campaign_is_empty(self):
        """Whether the table holds no row of the campaign yet (then every row of the file is new)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT NOT EXISTS (SELECT 1 FROM {self.meta.db_table} WHERE campaign_id = %(campaign)s)",
                self._params(),
            )
            return cursor.fetchone()[0]

    def count_existing(self, rows):
        """How many of ``rows`` (``self.accepted`` or ``self.fixed``) have a key already in the table."""
        table = self.meta.db_table
        match = " AND ".join(
            f"e.{self.meta.get_field(name).column} = t.{self.meta.get_field(name).column}"
            for name in self.kind.key if name != "campaign"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {rows} WHERE EXISTS (SELECT 1 FROM {table} e WHERE {match} "
                f"AND e.campaign_id = %(campaign)s)",
                self._params(),
            )
            return cursor.fetchone()[0]

    def rebuilds_indexes(self, rows):
        """Whether a plain INSERT of ``rows`` rows should drop and rebuild the secondary indexes."""
        if rows < REBUILD_INDEXES_FROM or not self.meta.indexes:
            return False
        if any(f.many_to_one and f.db_constraint for f in self.meta.concrete_fields):
            # PostgreSQL builds no index on a table with pending (deferred) foreign-key checks.
            return False
        with connection.cursor() as cursor:  # reads at most ``rows`` rows of the table
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {self.meta.db_table} LIMIT %s) t", [rows])
            return cursor.fetchone()[0] < rows

    def apply(self, rows, now, *, new_only=False, rebuild=False):
        """Upsert ``rows``: how many; ``None`` (nothing written) when a key appears twice among them.

        ``new_only``: no key of ``rows`` is in the table yet, so a plain ``INSERT`` (cheaper than the
        speculative insertion of ``ON CONFLICT``); a key twice then breaks the unique constraint.
        ``rebuild`` (with ``new_only``): drop the model's secondary indexes first and build them after.
        """
        constants = {"campaign": self.campaign.pk, "imported_at": now}
        target = [self.meta.get_field(name).column for name in constants]
        selected = [f"%(k{i})s" for i in range(len(constants))]
        params = self._params(**{
            f"k{i}": self.meta.get_field(name).get_db_prep_save(value, connection)
            for i, (name, value) in enumerate(constants.items())
        })
        for i, (name, value) in enumerate(self.kind.insert_only.items()):
            target.append(self.meta.get_field(name).column)
            selected.append(f"%(i{i})s")
            params[f"i{i}"] = value
        conflict = ", ".join(self.meta.get_field(name).column for name in self.kind.key)
        updates = ", ".join(f"{c} = excluded.{c}" for c in [*self.columns, self.meta.get_field("imported_at").column])
        rebuild = rebuild and new_only
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if rebuild:
                    self._indexes("remove_index")
                cursor.execute(
                    f"INSERT INTO {self.meta.db_table} ({', '.join(target + self.columns)}) "
                    f"SELECT {', '.join(selected + [f't.{c}' for c in self.columns])} FROM {rows} "
                    + ("" if new_only else f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"),
                    params,
                )
                written = cursor.rowcount
                if rebuild:
                    # Sort in memory where it fits (the setting ends with the import's transaction).
                    cursor.execute("SELECT set_config('maintenance_work_mem', '256MB', true)")
                    self._indexes("add_index")
                    cursor.execute(f"ANALYZE {self.meta.db_table}")  # the next evaluation plans on fresh figures
                return written
        except Exception as error:  # Django wraps the driver's error
            refused = psycopg.errors.UniqueViolation if new_only else psycopg.errors.CardinalityViolation
            if isinstance(error, refused) or isinstance(error.__cause__, refused):
                return None
            raise

    def _indexes(self, operation):
        """Drop or create the model's ``Meta.indexes`` with Django's own DDL (names and columns as migrated)."""
        with connection.schema_editor(atomic=False) as editor:
            for index in self.meta.indexes:
                getattr(editor, operation)(self.kind.model, index)

    def drop(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
            cursor.execute(f"DROP TABLE IF EXISTS {FIXED}")
            for name, value in self.settings.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
