"""The PostgreSQL COPY path of the imports (probation.imports.pgcopy) against the row path (XLSX).

On PostgreSQL a CSV goes through ``COPY`` and set-based checks; an XLSX always goes through the row
validator. The same rows must give the same result: rows, counts, errors (line, column, reason), data.
"""

import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from probation.imports import RowError, import_file
from probation.models import Merchant, MerchantExit, Order
from tests.factories import CampaignFactory
from tests.probation.factories import LeaderFactory, MerchantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("english")]

ORDER_HEADER = ["order_id", "leader_account", "merchant_id", "item_id", "paid_at", "paid_amount", "status",
                "settled_at"]


def write_both(tmp_path, rows, name):
    csv_path = tmp_path / f"{name}.csv"
    csv_path.write_bytes(("\r\n".join(",".join(row) for row in rows) + "\r\n").encode("utf-8"))
    workbook = Workbook()
    for row in rows:
        workbook.active.append([cell if cell != "" else None for cell in row])
    for cells in workbook.active.iter_rows():
        for cell in cells:
            if cell.data_type == "f":  # text as the CSV holds it, never a formula (``=O1``)
                cell.data_type = "s"
    xlsx_path = tmp_path / f"{name}.xlsx"
    workbook.save(xlsx_path)
    return csv_path, xlsx_path


def import_both(kind, tmp_path, rows, campaign, name="export"):
    """(COPY result, whether COPY was used, row-path result) for the same rows, nothing kept in between."""
    csv_path, xlsx_path = write_both(tmp_path, rows, name)
    with CaptureQueriesContext(connection) as queries:
        by_copy = import_file(kind, csv_path, campaign=campaign)
    used_copy = any("TABLE probation_import_fixed" in q["sql"] for q in queries.captured_queries)  # after COPY
    by_rows = import_file(kind, xlsx_path, campaign=campaign)
    return by_copy, used_copy, by_rows


@pytest.fixture
def references(campaign):
    leader = LeaderFactory(campaign=campaign, leader_account="P01")
    MerchantFactory(leader=leader, merchant_id="M1")


def test_copy_path_reports_each_kind_of_bad_row_as_the_row_path_does(campaign, references, tmp_path):
    rows = [
        ORDER_HEADER,
        ["O1", "P01", "M1", "I1", "2024-05-25 10:00:00", "10.00", "paid", ""],
        ["O2", "P09", "M1", "I1", "2024-05-25 10:00:00", "10.00", "paid", ""],
        ["O3", "P01", "M9", "I1", "2024-05-25 10:00:00", "10.00", "paid", ""],
        ["O4", "P01", "M1", "I1", "2024/05/25", "10.00", "paid", ""],
        ["O5", "P01", "M1", "I1", "2024-05-25 10:00:00", "10.001", "paid", ""],
        ["O6", "P01", "M1", "I1", "2024-05-25 10:00:00", "10.00", "refunded", ""],
        ["O7", "P01", "M1", "", "2024-05-25 10:00:00", "10.00", "paid", ""],
        ["O8", "P01", "M1", "I1", "2024-02-30 10:00:00", "-1", "paid", "2024-05-25 24:00:00"],
        ["O9", "P01", "M1", "I" * 65, "2024-05-25 10:00:00", "1e3", "PAID", ""],
        ["O1", "P01", "M1", "I2", "2024-05-25 10:00:00", "10.00", "settled", "2024-07-10 10:00:00"],
        ["O10", "P01", "M1", "I1", "2024-05-25 10:00:00", "10.00", "3", ""],
        ["O10", "P01", "M1", "I1", "2024-05-25T10:00:00.5", "9", "Paid", ""],
    ]

    by_copy, used_copy, by_rows = import_both("orders", tmp_path, rows, campaign)

    assert used_copy is True
    assert by_copy.errors == [
        RowError(3, "leader_account", "unknown leader: P09 (import leaders first)"),
        RowError(4, "merchant_id", "unknown merchant: M9 (import merchants first)"),
        RowError(5, "paid_at", "not a time: 2024/05/25 (expected e.g. 2024-05-12 09:00:00)"),
        RowError(6, "paid_amount", "not an amount in yuan with at most 2 decimals: 10.001"),
        RowError(7, "status", "unknown order status: refunded"),
        RowError(8, "item_id", "missing value"),
        RowError(9, "paid_at", "not a time: 2024-02-30 10:00:00 (expected e.g. 2024-05-12 09:00:00)"),
        RowError(9, "paid_amount", "negative amount: -1 (a paid amount is 0 or more yuan)"),
        RowError(9, "settled_at", "not a time: 2024-05-25 24:00:00 (expected e.g. 2024-05-12 09:00:00)"),
        RowError(10, "item_id", "longer than 64 characters"),
        RowError(10, "paid_amount", "not an amount in yuan with at most 2 decimals: 1e3"),
        RowError(11, "order_id", "duplicate key: already on line 2"),
        RowError(13, "order_id", "duplicate key: already on line 12"),
    ]
    assert (by_copy.rows, by_copy.errors) == (by_rows.rows, by_rows.errors) == (12, by_copy.errors)
    assert Order.objects.count() == 0


def test_copy_path_writes_the_rarer_valid_forms_as_the_row_path_does(campaign, references, tmp_path):
    rows = [
        ORDER_HEADER,
        ["O1", "P01", "M1", "I1", "2024-05-25 10:00:00", "10.5", "订单结算", "2024-07-10T10:00:00+08:00"],
        [" O2 ", "P01 ", "M1", "I1", "2024-05-25T02:00:00Z", "0", "PAID", ""],
        ["O3", "P01", "M1", "I\u3000", "2024-05-25 10:00:00.999", "7.25", "13", "2024-05-31 23:59:59"],
        ["", "", "", "", "", "", "", ""],
        ["O4", "P01", "M1", "I1", "2024-02-29 23:59:59", "000000000001.1", "14", ""],
    ]

    by_copy, used_copy, _rows = import_both("orders", tmp_path, rows, campaign)
    stored = list(Order.objects.order_by("order_id").values_list(
        "order_id", "item_id", "paid_at", "paid_amount", "status", "settled_at"
    ))
    again_by_rows = import_file("orders", write_both(tmp_path, rows, "again")[1], campaign=campaign)

    assert used_copy is True
    assert (by_copy.ok, by_copy.rows, by_copy.created, by_copy.updated) == (True, 4, 4, 0)
    assert (again_by_rows.ok, again_by_rows.rows, again_by_rows.created, again_by_rows.updated) == (True, 4, 0, 4)
    assert list(Order.objects.order_by("order_id").values_list(
        "order_id", "item_id", "paid_at", "paid_amount", "status", "settled_at"
    )) == stored
    assert [row[0] for row in stored] == ["O1", "O2", "O3", "O4"]
    assert [row[1] for row in stored] == ["I1", "I1", "I", "I1"]


def test_copy_path_upserts_and_counts_a_second_import(campaign, references, tmp_path):
    first = [ORDER_HEADER, ["O1", "P01", "M1", "I1", "2024-05-25 10:00:00", "1.00", "paid", ""]]
    second = [*first, ["O2", "P01", "M1", "I1", "2024-05-26 10:00:00", "2.00", "paid", ""]]
    second[1] = ["O1", "P01", "M1", "I1", "2024-05-25 10:00:00", "1.00", "settled", "2024-07-10 10:00:00"]
    write_both(tmp_path, first, "first")
    write_both(tmp_path, second, "second")

    created = import_file("orders", tmp_path / "first.csv", campaign=campaign)
    updated = import_file("orders", tmp_path / "second.csv", campaign=campaign)

    assert (created.rows, created.created, created.updated) == (1, 1, 0)
    assert (updated.rows, updated.created, updated.updated) == (2, 1, 1)
    assert list(Order.objects.order_by("order_id").values_list("order_id", "status")) == [
        ("O1", "settled"), ("O2", "paid"),
    ]


def test_copy_path_checks_a_rejoin_before_the_exit(campaign, references, tmp_path):
    rows = [
        ["merchant_id", "exited_at", "rejoined_at"],
        ["M1", "2024-05-20 20:00:00", "2024-05-20 20:00:00"],
        ["M1", "2024-06-01 00:00:00", ""],
        ["M1", "2024-05-20T12:00:00Z", ""],
    ]

    by_copy, used_copy, by_rows = import_both("merchant_exits", tmp_path, rows, campaign)

    assert used_copy is True
    assert by_copy.errors == by_rows.errors == [
        RowError(2, "rejoined_at", "rejoined at or before the exit time"),
    ]
    assert MerchantExit.objects.count() == 0


def test_a_file_copy_cannot_read_as_a_table_goes_through_the_row_path(campaign, references, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_bytes(
        b"order_id,leader_account,merchant_id,item_id,paid_at,paid_amount,status,settled_at\r\n"
        b"O1,P01,M1,I1,2024-05-25 10:00:00,1.00,paid\r\n"
        b"\r\n"
        b"O2,P01,M1,I1,2024-05-25 10:00:00,1.00,paid,,extra\r\n"
    )

    result = import_file("orders", path, campaign=campaign)

    assert (result.ok, result.rows, result.created) == (True, 2, 2)
    assert list(Order.objects.order_by("order_id").values_list("order_id", flat=True)) == ["O1", "O2"]


# --- the fast checks and their fallback; the index rebuild of a first large import ------------------

FAST_SHAPE = "LIKE '____-__-__ __:__:__'"
EXACT_TIME = "!~ '^(199[2-9]"


def order_inserts(queries):
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT INTO probation_order")]


def test_a_good_file_is_written_in_one_pass_with_the_fast_checks(campaign, references, tmp_path):
    rows = [ORDER_HEADER, ["O1", "P01", "M1", "I1", "2024-05-25 10:00:00", "10.00", "paid", "2024-07-10 10:00:00"],
            ["O2", "P01", "M1", "I1", "2024-05-25T10:00:00+08:00", "1", "paid", ""]]
    csv_path, _xlsx = write_both(tmp_path, rows, "good")

    with CaptureQueriesContext(connection) as queries:
        result = import_file("orders", csv_path, campaign=campaign)

    inserts = order_inserts(queries)
    assert (result.ok, result.rows, result.created) == (True, 2, 2)
    # One INSERT of the rows SQL accepted (fast checks), one of the row the validator converted (the offset).
    assert len(inserts) == 2 and FAST_SHAPE in inserts[0] and EXACT_TIME not in inserts[0]
    assert not any(EXACT_TIME in q["sql"] for q in queries.captured_queries)
    assert list(Order.objects.order_by("order_id").values_list("order_id", "paid_at")) == [
        ("O1", datetime(2024, 5, 25, 2, 0, tzinfo=UTC)), ("O2", datetime(2024, 5, 25, 2, 0, tzinfo=UTC)),
    ]


@pytest.mark.parametrize("value", ["2024-02-30 10:00:00", "2024-13-01 10:00:00", "2024-05-1x 10:00:00"])
def test_a_time_the_fast_checks_cannot_cast_reruns_the_steps_with_the_exact_checks(
    campaign, references, tmp_path, value
):
    rows = [ORDER_HEADER, ["O1", "P01", "M1", "I1", "2024-05-25 10:00:00", "10.00", "paid", ""],
            ["O2", "P01", "M1", "I1", value, "10.00", "paid", ""]]

    with CaptureQueriesContext(connection) as queries:
        by_copy, used_copy, by_rows = import_both("orders", tmp_path, rows, campaign)

    inserts = order_inserts(queries)
    assert used_copy is True
    assert FAST_SHAPE in inserts[0] and EXACT_TIME in inserts[1]  # the fast pass failed, the exact one ran
    reason = f"not a time: {value} (expected e.g. 2024-05-12 09:00:00)"
    assert by_copy.errors == by_rows.errors == [RowError(3, "paid_at", reason)]
    assert (by_copy.rows, by_rows.rows) == (2, 2)
    assert Order.objects.count() == 0


def test_an_hour_24_is_no_time_on_the_fast_path_either(campaign, references, tmp_path):
    """``24:00:00`` casts (to the next day), so only the round trip keeps it out of the fast path."""
    rows = [ORDER_HEADER, ["O1", "P01", "M1", "I1", "2024-05-25 24:00:00", "10.00", "paid", ""]]

    with CaptureQueriesContext(connection) as queries:
        by_copy, _used, by_rows = import_both("orders", tmp_path, rows, campaign)

    assert not any(EXACT_TIME in q["sql"] for q in queries.captured_queries)  # no fallback was needed
    reason = "not a time: 2024-05-25 24:00:00 (expected e.g. 2024-05-12 09:00:00)"
    assert by_copy.errors == by_rows.errors == [RowError(2, "paid_at", reason)]


def many_orders(tmp_path, count, prefix="O"):
    path = tmp_path / f"{prefix}{count}.csv"
    lines = [",".join(ORDER_HEADER)]
    lines += [f"{prefix}{n},P01,M1,I{n % 7},2024-05-25 10:00:00,{n % 100}.5,paid," for n in range(count)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def order_index_ddl(queries):
    return [q["sql"].split(" ON ")[0] for q in queries.captured_queries
            if q["sql"].startswith(("DROP INDEX", "CREATE INDEX")) and '"probation_order_' in q["sql"]]


def secondary_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'probation_order' "
                       "AND indexname IN ('probation_order_paid_idx', 'probation_order_merch_idx') ORDER BY 1")
        return cursor.fetchall()


def test_a_first_large_import_rebuilds_the_secondary_indexes_and_keeps_them(campaign, references, tmp_path):
    from probation.imports import pgcopy

    before = secondary_indexes()
    with CaptureQueriesContext(connection) as queries:
        result = import_file("orders", many_orders(tmp_path, pgcopy.REBUILD_INDEXES_FROM), campaign=campaign)

    ddl = order_index_ddl(queries)
    assert (result.ok, result.rows, result.created) == (True, 50_000, 50_000)
    assert Order.objects.count() == 50_000
    assert ddl == [
        'DROP INDEX IF EXISTS "probation_order_paid_idx"', 'DROP INDEX IF EXISTS "probation_order_merch_idx"',
        'CREATE INDEX "probation_order_paid_idx"', 'CREATE INDEX "probation_order_merch_idx"',
    ]
    assert len(before) == 2 and secondary_indexes() == before
    assert any(q["sql"] == "ANALYZE probation_order" for q in queries.captured_queries)


def test_a_smaller_import_or_a_fuller_table_keeps_the_indexes_in_place(campaign, references, tmp_path):
    from probation.imports import pgcopy

    threshold = pgcopy.REBUILD_INDEXES_FROM
    with CaptureQueriesContext(connection) as small:  # one row short of the threshold, into an empty table
        below = import_file("orders", many_orders(tmp_path, threshold - 1), campaign=campaign)
    merchant = Merchant.objects.get(campaign=campaign, merchant_id="M1")
    Order.objects.create(campaign=campaign, order_id="X", leader=merchant.leader, merchant=merchant, item_id="I",
                         paid_at=datetime(2024, 5, 1, tzinfo=UTC), paid_amount=1, status="paid")
    other = CampaignFactory(slug="next", is_current=False)
    MerchantFactory(leader=LeaderFactory(campaign=other, leader_account="P01"), merchant_id="M1")
    with CaptureQueriesContext(connection) as fuller:  # the threshold, into a table holding as many rows
        same = import_file("orders", many_orders(tmp_path, threshold, "N"), campaign=other)

    assert (below.ok, below.created, same.ok, same.created) == (True, threshold - 1, True, threshold)
    assert order_index_ddl(small) == order_index_ddl(fuller) == []
    assert Order.objects.count() == 2 * threshold



# --- hostile text, impossible times and amounts, the alliance's names (issues 10 and 11) ---------------


def test_copy_path_refuses_formula_starts_and_control_characters_as_the_row_path_does(campaign, references,
                                                                                      tmp_path):
    rows = [
        ORDER_HEADER,
        ["=O1", "P01", "M1", "I1", "2024-05-25 10:00:00", "1.00", "paid", ""],
        ["O2", "+P01", "M1", "I1", "2024-05-25 10:00:00", "1.00", "paid", ""],
        ["O3", "P01", " @M1", "I1", "2024-05-25 10:00:00", "1.00", "paid", ""],
        ["O4", "P01", "M1", "-I1", "2024-05-25 10:00:00", "1.00", "paid", ""],
        ["O5", "P01", "M1", "I\t1", "2024-05-25 10:00:00", "1.00", "paid", ""],
        ["O-6", "P01", "M1", "I1=2", "2024-05-25 10:00:00", "1.00", "paid", ""],
    ]

    by_copy, used_copy, by_rows = import_both("orders", tmp_path, rows, campaign)

    formula = "begins with {}, which a spreadsheet would run as a formula: {}"
    assert used_copy is True
    assert by_copy.errors == by_rows.errors == [
        RowError(2, "order_id", formula.format("=", "=O1")),
        RowError(3, "leader_account", formula.format("+", "+P01")),
        RowError(4, "merchant_id", formula.format("@", "@M1")),
        RowError(5, "item_id", formula.format("-", "-I1")),
        RowError(6, "item_id", "holds a control character (U+0009): I\\x091"),
    ]
    assert by_copy.rows == by_rows.rows == 6
    assert Order.objects.count() == 0


def test_copy_path_refuses_a_published_account_that_begins_with_a_formula(campaign, tmp_path):
    """Publication copies the applicant's account to the leader row; a reference to it is refused too."""
    MerchantFactory(leader=LeaderFactory(campaign=campaign, leader_account="=P01"), merchant_id="M1")
    rows = [ORDER_HEADER, ["O1", "=P01", "M1", "I1", "2024-05-25 10:00:00", "1.00", "paid", ""]]

    by_copy, used_copy, by_rows = import_both("orders", tmp_path, rows, campaign)

    assert used_copy is True
    assert by_copy.errors == by_rows.errors == [
        RowError(2, "leader_account", "begins with =, which a spreadsheet would run as a formula: =P01"),
    ]


@pytest.mark.parametrize("precise", [False, True], ids=["fast-checks", "exact-checks"])
def test_copy_path_refuses_times_out_of_range_and_negative_amounts_as_the_row_path_does(
    campaign, references, tmp_path, precise
):
    rows = [
        ORDER_HEADER,
        ["O1", "P01", "M1", "I1", "1999-12-31 23:59:59", "1.00", "paid", ""],
        ["O2", "P01", "M1", "I1", "2000-01-01 00:00:00", "1.00", "paid", "2100-12-31 23:59:59"],
        ["O3", "P01", "M1", "I1", "2024-05-25 10:00:00", "1.00", "settled", "2101-01-01 00:00:00"],
        ["O4", "P01", "M1", "I1", "1999-12-31T16:00:00Z", "1.00", "paid", "2100-12-31T23:00:00-05:00"],
        ["O5", "P01", "M1", "I1", "1999-12-31T15:59:59Z", "-0.01", "paid", "9999-12-31 23:59:59"],
        ["O6", "P01", "M1", "I1", "0001-01-01 00:00:00", "-12", "paid", ""],
    ]
    if precise:  # a value the fast checks cannot cast sends every step to the exact checks
        rows.append(["O7", "P01", "M1", "I1", "2024-02-30 10:00:00", "1.00", "paid", ""])

    with CaptureQueriesContext(connection) as queries:
        by_copy, used_copy, by_rows = import_both("orders", tmp_path, rows, campaign)

    out = "time out of range: {} (expected a time from 2000-01-01 00:00:00 to 2100-12-31 23:59:59, Beijing time)"
    expected = [
        RowError(2, "paid_at", out.format("1999-12-31 23:59:59")),
        RowError(4, "settled_at", out.format("2101-01-01 00:00:00")),
        RowError(5, "settled_at", out.format("2100-12-31T23:00:00-05:00")),
        RowError(6, "paid_at", out.format("1999-12-31T15:59:59Z")),
        RowError(6, "paid_amount", "negative amount: -0.01 (a paid amount is 0 or more yuan)"),
        RowError(6, "settled_at", out.format("9999-12-31 23:59:59")),
        RowError(7, "paid_at", out.format("0001-01-01 00:00:00")),
        RowError(7, "paid_amount", "negative amount: -12 (a paid amount is 0 or more yuan)"),
    ]
    if precise:
        expected.append(RowError(8, "paid_at", "not a time: 2024-02-30 10:00:00 (expected e.g. 2024-05-12 09:00:00)"))
    assert used_copy is True
    assert any(EXACT_TIME in q["sql"] for q in queries.captured_queries) is precise
    assert by_copy.errors == by_rows.errors == expected
    assert Order.objects.count() == 0


def test_copy_path_writes_the_bounds_of_the_time_range_as_the_row_path_does(campaign, references, tmp_path):
    rows = [
        ORDER_HEADER,
        ["O1", "P01", "M1", "I1", "2000-01-01 00:00:00", "1.00", "settled", "2100-12-31 23:59:59"],
        ["O2", "P01", "M1", "I1", "1999-12-31T16:00:00Z", "1.00", "paid", "2100-12-31T15:59:59+00:00"],
    ]
    csv_path, xlsx_path = write_both(tmp_path, rows, "bounds")

    by_copy = import_file("orders", csv_path, campaign=campaign)
    stored = list(Order.objects.order_by("order_id").values_list("order_id", "paid_at", "settled_at"))
    by_rows = import_file("orders", xlsx_path, campaign=campaign)

    assert (by_copy.ok, by_copy.created, by_rows.ok, by_rows.updated) == (True, 2, True, 2)
    assert list(Order.objects.order_by("order_id").values_list("order_id", "paid_at", "settled_at")) == stored == [
        ("O1", datetime(1999, 12, 31, 16, tzinfo=UTC), datetime(2100, 12, 31, 15, 59, 59, tzinfo=UTC)),
        ("O2", datetime(1999, 12, 31, 16, tzinfo=UTC), datetime(2100, 12, 31, 15, 59, 59, tzinfo=UTC)),
    ]


OPEN_PLATFORM_HEADER = ["trade_parent_id", "trade_id", "tk_status", "item_title", "团长账号", "商家ID", "item_id",
                        "tk_paid_time", "alipay_total_price", "pub_share_pre_fee", "tk_earning_time"]


def test_copy_and_row_paths_import_an_open_platform_export_as_its_canonical_twin(campaign, references, tmp_path):
    canonical = [
        ORDER_HEADER,
        ["O1", "P01", "M1", "I1", "2024-05-25 10:00:00", "10.50", "paid", ""],
        ["O2", "P01", "M1", "I1", "2024-05-26 10:00:00", "20.00", "settled", "2024-07-10 10:00:00"],
        ["O3", "P01", "M1", "I2", "2024-05-27 10:00:00", "5.00", "invalid", ""],
        ["O4", "P01", "M1", "I2", "2024-05-28 10:00:00", "1.00", "paid", ""],
    ]
    aliased = [
        OPEN_PLATFORM_HEADER,
        ["T1", "O1", "已付款", "连衣裙", "P01", "M1", "I1", "2024-05-25 10:00:00", "10.50", "1.05", ""],
        ["T2", "O2", "已结算", "连衣裙", "P01", "M1", "I1", "2024-05-26 10:00:00", "20.00", "2.00",
         "2024-07-10 10:00:00"],
        ["T3", "O3", "已失效", "短裤", "P01", "M1", "I2", "2024-05-27 10:00:00", "5.00", "0.50", ""],
        ["T4", "O4", "已收货", "短裤", "P01", "M1", "I2", "2024-05-28 10:00:00", "1.00", "0.10", ""],
    ]
    fields = ("order_id", "leader_id", "merchant_id", "item_id", "paid_at", "paid_amount", "status", "settled_at")
    stored = {}
    for name, rows in (("canonical", canonical), ("aliased", aliased)):
        csv_path, xlsx_path = write_both(tmp_path, rows, name)
        for path in (csv_path, xlsx_path):
            with CaptureQueriesContext(connection) as queries:
                result = import_file("orders", path, campaign=campaign)
            assert (result.ok, result.created) == (True, 4)
            used_copy = any("TABLE probation_import_fixed" in q["sql"] for q in queries.captured_queries)
            stored[name, path.suffix, used_copy] = list(Order.objects.order_by("order_id").values_list(*fields))
            Order.objects.all().delete()

    assert set(stored) == {("canonical", ".csv", True), ("canonical", ".xlsx", False),
                           ("aliased", ".csv", True), ("aliased", ".xlsx", False)}
    assert len({tuple(rows) for rows in stored.values()}) == 1
    assert [row[6] for row in stored["aliased", ".csv", True]] == ["paid", "settled", "invalid", "paid"]


def test_an_uploaded_file_copy_cannot_read_is_read_again_whole_on_the_row_path(campaign, references):
    """COPY reads the stream an uploaded file shares with the first reader; the row path starts it again."""
    lines = [",".join(ORDER_HEADER)]
    lines += [f"O{n},P01,M1,I1,2024-05-25 10:00:00,1.00,paid," for n in range(500)]
    lines.append("O500,P01,M1,I1,2024-05-25 10:00:00,1.00,paid,,extra")  # ragged: COPY refuses the file
    upload = io.BytesIO(("\r\n".join(lines) + "\r\n").encode())

    with CaptureQueriesContext(connection) as queries:
        result = import_file("orders", upload, campaign=campaign)

    assert any("TEMPORARY TABLE probation_import_raw" in q["sql"] for q in queries.captured_queries)
    assert (result.ok, result.rows, result.created) == (True, 501, 501)
    assert Order.objects.count() == 501


def test_a_file_with_a_line_break_inside_a_value_or_a_long_line_takes_the_row_path(campaign, references, tmp_path):
    quoted = tmp_path / "quoted.csv"
    quoted.write_bytes(b",".join(h.encode() for h in ORDER_HEADER) + b",note\r\n"
                       b'O1,P01,M1,I1,2024-05-25 10:00:00,1.00,paid,,"two\r\nlines"\r\n')
    long = tmp_path / "long.csv"
    long.write_bytes(b",".join(h.encode() for h in ORDER_HEADER) + b",note\r\n"
                     b"O2,P01,M1,I1,2024-05-25 10:00:00,1.00,paid,," + b"x" * 200_000 + b"\r\n")

    with CaptureQueriesContext(connection) as queries:
        by_rows = import_file("orders", quoted, campaign=campaign)
        too_long = import_file("orders", long, campaign=campaign)

    assert not any("probation_import_raw" in q["sql"] for q in queries.captured_queries)
    assert (by_rows.ok, by_rows.created) == (True, 1)
    assert too_long.errors == [RowError(2, "-", "the row is longer than 131,072 characters; the file cannot be "
                                                "read from this line on (is it a CSV export?)")]


def test_the_control_character_check_runs_only_on_a_file_that_holds_one(campaign, references, tmp_path):
    clean = [ORDER_HEADER, ["O1", "P01", "M1", "I1", "2024-05-25 10:00:00", "1.00", "paid", ""]]
    tab_in_an_ignored_column = [[*ORDER_HEADER, "note"], [*clean[1], "a\tb"]]

    checks = {}
    for name, rows in (("clean", clean), ("tab", tab_in_an_ignored_column)):
        with CaptureQueriesContext(connection) as queries:
            result = import_file("orders", write_both(tmp_path, rows, name)[0], campaign=campaign)
        assert (result.ok, result.rows) == (True, 1)
        checks[name] = any("concat(" in sql for sql in order_inserts(queries))

    assert checks == {"clean": False, "tab": True}
