"""Imports of the alliance exports (probation.imports): encodings, XLSX, validation, upsert."""

from datetime import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook

from probation.enums import LeaderStatus, OrderStatus
from probation.imports import KINDS, RowError, import_file
from probation.imports.values import parse_order_status, parse_time
from probation.models import Enrollment, ImportRecord, Leader, Merchant, MerchantExit, Order
from probation.services import evaluate_due_checks
from recruitment.timeutils import beijing
from tests.factories import CampaignFactory, credit_code
from tests.probation.factories import ActivityFactory, LeaderFactory, MerchantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CODE_1, CODE_2 = credit_code(1), credit_code(2)
BAD_CODE = CODE_1[:-1] + ("0" if CODE_1[-1] != "0" else "1")  # wrong check character


def csv_file(tmp_path, lines, encoding="utf-8", name="export.csv"):
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def xlsx_file(tmp_path, rows, name="export.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_import_leaders_utf8_with_english_headers(campaign, tmp_path):
    path = csv_file(
        tmp_path,
        [
            "leader_account,company_name,credit_code,granted_at",
            f"P01,杭州一号科技有限公司,{CODE_1},2024-05-06 10:00:00",
            f"P02,杭州二号科技有限公司,{CODE_2.lower()},2024-05-06T10:00:00+08:00",
        ],
    )

    result = import_file("leaders", path, campaign=campaign)

    assert (result.ok, result.rows, result.created, result.updated) == (True, 2, 2, 0)
    assert list(Leader.objects.order_by("leader_account").values_list(
        "leader_account", "company_name", "credit_code", "granted_at", "status", "closure_reason"
    )) == [
        ("P01", "杭州一号科技有限公司", CODE_1, beijing(2024, 5, 6, 10), "probation", ""),
        ("P02", "杭州二号科技有限公司", CODE_2, beijing(2024, 5, 6, 10), "probation", ""),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_import_merchants_with_chinese_headers_in_each_encoding(campaign, tmp_path, encoding):
    LeaderFactory(campaign=campaign, leader_account="P01")
    path = csv_file(
        tmp_path,
        [
            "商家ID,商家名称,引入团长账号,淘宝客开通时间",
            "M1,义乌小商品源头工厂,P01,2024-05-12 09:00:00",
            "M2,老商家,,2023-03-01 09:00:00",
        ],
        encoding=encoding,
    )

    result = import_file("merchants", path, campaign=campaign)

    assert (result.ok, result.created, result.updated) == (True, 2, 0)
    assert list(Merchant.objects.order_by("merchant_id").values_list(
        "merchant_id", "merchant_name", "leader__leader_account", "opened_at"
    )) == [
        ("M1", "义乌小商品源头工厂", "P01", beijing(2024, 5, 12, 9)),
        ("M2", "老商家", None, beijing(2023, 3, 1, 9)),
    ]


def test_import_orders_xlsx_with_chinese_headers_and_typed_cells(campaign, tmp_path):
    leader = LeaderFactory(campaign=campaign, leader_account="P01")
    MerchantFactory(leader=leader, merchant_id="1001")
    path = xlsx_file(
        tmp_path,
        [
            ["淘宝子订单编号", "团长账号", "商家ID", "商品ID", "付款时间", "付款金额", "订单状态", "结算时间"],
            [90001, "P01", 1001, 5550001, datetime(2024, 5, 25, 10, 0, 0), 10.5, 12, None],
            [90002, "P01", "1001", "5550001", "2024-05-25 10:01:00", "99.99", "订单结算", datetime(2024, 7, 10)],
            [90003, "P01", 1001, 5550002, datetime(2024, 5, 25, 10, 2), 3, 13, None],
            [90004, "P01", 1001, 5550002, datetime(2024, 5, 25, 10, 3), 0, 3, datetime(2024, 7, 10)],
        ],
    )

    result = import_file("orders", path, campaign=campaign)

    assert (result.ok, result.created, result.updated) == (True, 4, 0)
    assert list(Order.objects.order_by("order_id").values_list(
        "order_id", "merchant__merchant_id", "item_id", "paid_at", "paid_amount", "status", "settled_at"
    )) == [
        ("90001", "1001", "5550001", beijing(2024, 5, 25, 10), Decimal("10.50"), "paid", None),
        ("90002", "1001", "5550001", beijing(2024, 5, 25, 10, 1), Decimal("99.99"), "settled", beijing(2024, 7, 10)),
        ("90003", "1001", "5550002", beijing(2024, 5, 25, 10, 2), Decimal("3.00"), "invalid", None),
        ("90004", "1001", "5550002", beijing(2024, 5, 25, 10, 3), Decimal("0.00"), "settled", beijing(2024, 7, 10)),
    ]


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("paid", OrderStatus.PAID),
        ("PAID", OrderStatus.PAID),
        ("订单付款", OrderStatus.PAID),
        ("12", OrderStatus.PAID),
        ("订单成功", OrderStatus.PAID),
        ("14", OrderStatus.PAID),
        ("settled", OrderStatus.SETTLED),
        ("订单结算", OrderStatus.SETTLED),
        ("3", OrderStatus.SETTLED),
        ("invalid", OrderStatus.INVALID),
        ("订单失效", OrderStatus.INVALID),
        ("13", OrderStatus.INVALID),
        # The words of the alliance's order documentation.
        ("已付款", OrderStatus.PAID),
        ("已收货", OrderStatus.PAID),
        ("已结算", OrderStatus.SETTLED),
        ("已失效", OrderStatus.INVALID),
    ],
)
def test_parse_order_status_accepts_the_alliance_words_and_codes(word, status):
    assert parse_order_status(word) == status


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2024-05-31 23:59:59", beijing(2024, 5, 31, 23, 59, 59)),
        ("2024-05-31T23:59:59", beijing(2024, 5, 31, 23, 59, 59)),
        ("2024-05-31T15:59:59Z", beijing(2024, 5, 31, 23, 59, 59)),
        ("2024-05-31T15:59:59+00:00", beijing(2024, 5, 31, 23, 59, 59)),
        ("2024-05-31 23:59:59.999", beijing(2024, 5, 31, 23, 59, 59)),
    ],
)
def test_parse_time_reads_iso_and_beijing_wall_time(text, moment):
    assert parse_time(text) == moment


def test_import_leaders_again_updates_without_duplicating_or_reopening(campaign, leader, tmp_path):
    leader.status, leader.closed_at = LeaderStatus.CLOSED, beijing(2024, 6, 1)
    leader.save()
    header = "leader_account,company_name,credit_code,granted_at"
    import_file("leaders", csv_file(tmp_path, [header, f"P02,二号,{CODE_2},2024-05-06 10:00:00"]), campaign=campaign)

    result = import_file(
        "leaders",
        csv_file(
            tmp_path, [header, f"P01,新名称,{CODE_1},2024-05-07 10:00:00", f"P02,二号,{CODE_2},2024-05-06 10:00:00"]
        ),
        campaign=campaign,
    )

    assert (result.ok, result.created, result.updated) == (True, 0, 2)
    assert list(Leader.objects.order_by("leader_account").values_list(
        "leader_account", "company_name", "granted_at", "status", "closed_at"
    )) == [
        ("P01", "新名称", beijing(2024, 5, 7, 10), "closed", beijing(2024, 6, 1)),
        ("P02", "二号", beijing(2024, 5, 6, 10), "probation", None),
    ]


def test_import_orders_reports_every_bad_row_and_writes_nothing(campaign, tmp_path):
    leader = LeaderFactory(campaign=campaign, leader_account="P01")
    MerchantFactory(leader=leader, merchant_id="M1")
    path = csv_file(
        tmp_path,
        [
            "order_id,leader_account,merchant_id,item_id,paid_at,paid_amount,status,settled_at",
            "O1,P01,M1,I1,2024-05-25 10:00:00,10.00,paid,",
            "O2,P09,M1,I1,2024-05-25 10:00:00,10.00,paid,",
            "O3,P01,M9,I1,2024-05-25 10:00:00,10.00,paid,",
            "O4,P01,M1,I1,2024/05/25,10.00,paid,",
            "O5,P01,M1,I1,2024-05-25 10:00:00,10.001,paid,",
            "O6,P01,M1,I1,2024-05-25 10:00:00,10.00,refunded,",
            "O7,P01,M1,,2024-05-25 10:00:00,10.00,paid,",
            "",
            "O1,P01,M1,I2,2024-05-25 10:00:00,10.00,settled,2024-07-10 10:00:00",
            "O8,P01,M1,I1,2024-05-25 10:00:00,10.00,3,",
        ],
    )

    result = import_file("orders", path, campaign=campaign)

    assert result.ok is False
    assert result.errors == [
        RowError(3, "leader_account", "unknown leader: P09 (import leaders first)"),
        RowError(4, "merchant_id", "unknown merchant: M9 (import merchants first)"),
        RowError(5, "paid_at", "not a time: 2024/05/25 (expected e.g. 2024-05-12 09:00:00)"),
        RowError(6, "paid_amount", "not an amount in yuan with at most 2 decimals: 10.001"),
        RowError(7, "status", "unknown order status: refunded"),
        RowError(8, "item_id", "missing value"),
        RowError(10, "order_id", "duplicate key: already on line 2"),
    ]
    assert str(result.errors[0]) == "line 3, leader_account: unknown leader: P09 (import leaders first)"
    assert Order.objects.count() == 0


def test_import_leaders_reports_bad_credit_code_and_missing_values(campaign, tmp_path):
    path = csv_file(
        tmp_path,
        [
            "团长账号,公司名称,统一社会信用代码,授权时间",
            f"P01,一号,{BAD_CODE},2024-05-06 10:00:00",
            f"P02,,{CODE_2},",
            f"P03,三号,{credit_code(3)},2024-05-06 10:00:00",
        ],
        encoding="gbk",
    )

    result = import_file("leaders", path, campaign=campaign)

    assert result.errors == [
        RowError(2, "统一社会信用代码", f"not a valid unified social credit code: {BAD_CODE}"),
        RowError(3, "公司名称", "missing value"),
        RowError(3, "授权时间", "missing value"),
    ]
    assert Leader.objects.count() == 0


def test_import_enrollments_reports_unknown_activity_and_duplicate_item(campaign, tmp_path):
    activity = ActivityFactory(campaign=campaign, activity_id="A1")
    MerchantFactory(leader=activity.leader, merchant_id="M1")
    path = csv_file(
        tmp_path,
        [
            "活动ID,商家ID,商品ID,报名通过时间",
            "A1,M1,I1,2024-05-05 10:00:00",
            "A9,M1,I1,2024-05-05 10:00:00",
            "A1,M1,I2,2024-05-05 10:00:00",
            "A1,M1,I1,2024-05-06 10:00:00",
        ],
    )

    result = import_file("enrollments", path, campaign=campaign)

    assert result.errors == [
        RowError(3, "活动ID", "unknown activity: A9 (import activities first)"),
        RowError(5, "活动ID", "duplicate key: already on line 2"),
    ]
    assert Enrollment.objects.count() == 0


def test_import_reports_a_missing_column_on_the_header_line(campaign, tmp_path):
    path = csv_file(tmp_path, ["activity_id,leader_account,name", "A1,P01,活动"])

    result = import_file("activities", path, campaign=campaign)

    assert result.errors == [RowError(1, "created_at (创建时间)", "missing column")]


def test_import_merchant_exits_rejects_a_rejoin_before_the_exit_and_upserts_by_exit_time(campaign, leader, tmp_path):
    MerchantFactory(leader=leader, merchant_id="M1")
    header = "merchant_id,exited_at,rejoined_at"
    bad = csv_file(tmp_path, [header, "M1,2024-05-20 20:00:00,2024-05-20 20:00:00"], name="bad.csv")
    first = csv_file(tmp_path, [header, "M1,2024-05-20 20:00:00,", "M1,2024-06-01 00:00:00,"], name="first.csv")
    again = csv_file(tmp_path, [header, "M1,2024-05-20 20:00:00,2024-06-01 00:00:00"], name="again.csv")

    rejected = import_file("merchant_exits", bad, campaign=campaign)
    created = import_file("merchant_exits", first, campaign=campaign)
    updated = import_file("merchant_exits", again, campaign=campaign)

    assert rejected.errors == [RowError(2, "rejoined_at", "rejoined at or before the exit time")]
    assert (created.created, created.updated, updated.created, updated.updated) == (2, 0, 0, 1)
    assert list(MerchantExit.objects.order_by("exited_at").values_list("exited_at", "rejoined_at")) == [
        (beijing(2024, 5, 20, 20), beijing(2024, 6, 1)),
        (beijing(2024, 6, 1), None),
    ]


def test_import_is_scoped_by_campaign(campaign, tmp_path):
    demo = CampaignFactory(slug="demo", is_current=False)
    LeaderFactory(campaign=demo, leader_account="P01")
    path = csv_file(tmp_path, ["merchant_id,merchant_name,leader_account,opened_at", "M1,一号,P01,2024-05-12 09:00:00"])

    in_2024 = import_file("merchants", path, campaign=campaign)
    in_demo = import_file("merchants", path, campaign=demo)

    assert in_2024.errors == [RowError(2, "leader_account", "unknown leader: P01 (import leaders first)")]
    assert (in_demo.ok, in_demo.created) == (True, 1)
    assert list(Merchant.objects.values_list("campaign__slug", "merchant_id")) == [("demo", "M1")]


def test_import_an_empty_file_is_refused(campaign, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    assert import_file("leaders", path, campaign=campaign).errors == [RowError(1, "-", "the file is empty")]


def test_import_orders_larger_than_one_batch_streams_and_finds_duplicates_across_batches(campaign, leader, tmp_path):
    MerchantFactory(leader=leader, merchant_id="M1")
    header = "order_id,leader_account,merchant_id,item_id,paid_at,paid_amount,status,settled_at"
    rows = [f"O{n},P01,M1,I{n % 7},2024-05-25 10:00:00,1.00,settled,2024-07-10 10:00:00" for n in range(5003)]
    good = csv_file(tmp_path, [header, *rows], name="good.csv")
    duplicated = csv_file(tmp_path, [header, *rows, rows[3]], name="duplicated.csv")

    first = import_file("orders", good, campaign=campaign)
    rejected = import_file("orders", duplicated, campaign=campaign)
    again = import_file("orders", good, campaign=campaign)

    assert (first.ok, first.created, first.updated) == (True, 5003, 0)
    assert rejected.errors == [RowError(5005, "order_id", "duplicate key: already on line 5")]
    assert (again.ok, again.created, again.updated) == (True, 0, 5003)
    assert Order.objects.count() == 5003


# --- What the data-mark step lists, and the comparison after an import ---------------------------------------


def test_a_successful_import_is_recorded_with_its_counts_and_a_rejected_one_is_not(campaign, tmp_path):
    good = tmp_path / "leaders-june.csv"
    good.write_text("leader_account,company_name,credit_code,granted_at\n"
                    "P01,杭州一号网络科技有限公司,91330106220000010U,2024-05-06 10:00:00\n", encoding="utf-8")
    bad = tmp_path / "leaders-bad.csv"
    bad.write_text("leader_account,company_name,credit_code,granted_at\nP02,X,not-a-code,2024-05-06 10:00:00\n",
                   encoding="utf-8")

    assert import_file("leaders", str(good), campaign=campaign).ok
    assert not import_file("leaders", str(bad), campaign=campaign).ok
    assert import_file("leaders", str(good), campaign=campaign).ok

    assert list(ImportRecord.objects.order_by("pk").values_list("kind", "file_name", "rows", "created", "updated")) == [
        ("leaders", "leaders-june.csv", 1, 1, 0), ("leaders", "leaders-june.csv", 1, 0, 1)]


def test_an_import_from_memory_is_recorded_without_a_file_name(campaign):
    source = BytesIO("leader_account,company_name,credit_code,granted_at\n"
                     "P01,杭州一号网络科技有限公司,91330106220000010U,2024-05-06 10:00:00\n".encode())

    assert import_file("leaders", source, campaign=campaign).ok
    assert ImportRecord.objects.get().file_name == ""


def test_an_import_after_a_decision_compares_the_verdicts_once_it_commits(campaign, tmp_path,
                                                                          django_capture_on_commit_callbacks):
    leader = LeaderFactory(campaign=campaign, leader_account="P01")
    campaign.checkpoint_min_new_merchants = 1
    campaign.save()
    evaluate_due_checks(campaign, as_of=beijing(2024, 6, 1))
    merchants = tmp_path / "merchants.csv"
    merchants.write_text("merchant_id,merchant_name,leader_account,opened_at\nM1,商家一,P01,2024-05-31 22:00:00\n",
                         encoding="utf-8")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert import_file("merchants", str(merchants), campaign=campaign).ok

    leader.refresh_from_db()
    assert len(callbacks) == 1
    assert leader.stale_checks == "special:checkpoint"
    assert Leader.objects.get(pk=leader.pk).status == "closed"  # compared, not decided


# --- Hostile and impossible values (issue 11) -----------------------------------------------------------

FORMULA_REASON = "begins with {char}, which a spreadsheet would run as a formula: {value}"


def test_import_refuses_formula_starts_and_control_characters_in_accounts_and_names(campaign, tmp_path):
    path = csv_file(
        tmp_path,
        [
            "leader_account,company_name,credit_code,granted_at",
            f'"=HYPERLINK(""http://evil"",""x"")",杭州一号,{credit_code(11)},2024-05-06 10:00:00',
            f"P02,+86 杭州二号,{credit_code(12)},2024-05-06 10:00:00",
            f"@P03,-杭州三号,{credit_code(13)},2024-05-06 10:00:00",
            f"\tP04,杭州四号,{credit_code(14)},2024-05-06 10:00:00",
            f'P05,"杭州\r五号",{credit_code(15)},2024-05-06 10:00:00',
            f"P\x0106, =杭州六号,{credit_code(16)},2024-05-06 10:00:00",
            f"P01,杭州-科技 A=B,{credit_code(17)},2024-05-06 10:00:00",
            f"P-07,杭州七号@,{credit_code(18)},2024-05-06 10:00:00",
        ],
    )

    result = import_file("leaders", path, campaign=campaign)

    assert result.errors == [
        RowError(2, "leader_account", FORMULA_REASON.format(char="=", value='=HYPERLINK("http://evil","x")')),
        RowError(3, "company_name", FORMULA_REASON.format(char="+", value="+86 杭州二号")),
        RowError(4, "leader_account", FORMULA_REASON.format(char="@", value="@P03")),
        RowError(4, "company_name", FORMULA_REASON.format(char="-", value="-杭州三号")),
        RowError(5, "leader_account", "holds a control character (U+0009): \\x09P04"),
        RowError(6, "company_name", "holds a control character (U+000D): 杭州\\x0d五号"),
        RowError(7, "leader_account", "holds a control character (U+0001): P\\x0106"),
        RowError(7, "company_name", FORMULA_REASON.format(char="=", value="=杭州六号")),
    ]
    assert Leader.objects.count() == 0


def test_import_keeps_a_dash_inside_a_value_and_the_sample_account(campaign, tmp_path):
    path = csv_file(
        tmp_path,
        [
            "leader_account,company_name,credit_code,granted_at",
            f"P01,杭州-科技 A=B,{credit_code(17)},2024-05-06 10:00:00",
            f"P-07,杭州七号@,{credit_code(18)},2024-05-06 10:00:00",
        ],
    )

    result = import_file("leaders", path, campaign=campaign)

    assert (result.ok, result.created) == (True, 2)
    assert list(Leader.objects.order_by("leader_account").values_list("leader_account", "company_name")) == [
        ("P-07", "杭州七号@"), ("P01", "杭州-科技 A=B"),
    ]


def test_import_refuses_a_formula_start_in_ids_references_and_names_of_every_kind(campaign, leader, tmp_path):
    MerchantFactory(leader=leader, merchant_id="M1")
    ActivityFactory(leader=leader, campaign=campaign, activity_id="A1")
    files = {
        "merchants": ["merchant_id,merchant_name,leader_account,opened_at", "=M2,@商家,+P01,2024-05-12 09:00:00"],
        "merchant_exits": ["merchant_id,exited_at,rejoined_at", "-M1,2024-05-20 20:00:00,"],
        "activities": ["activity_id,leader_account,name,created_at", "@A2,P01,=活动,2024-05-03 10:00:00"],
        "enrollments": ["activity_id,merchant_id,item_id,enrolled_at", "A1,M1,+I1,2024-05-05 10:00:00"],
        "orders": ["order_id,leader_account,merchant_id,item_id,paid_at,paid_amount,status,settled_at",
                   "=O1,P01,M1,-I1,2024-05-25 10:00:00,1.00,paid,"],
    }

    results = {kind: import_file(kind, csv_file(tmp_path, lines, name=f"{kind}.csv"), campaign=campaign)
               for kind, lines in files.items()}

    errors = {kind: [(e.line, e.column, e.reason.split(",")[0]) for e in result.errors]
              for kind, result in results.items()}

    assert errors == {
        "merchants": [(2, "merchant_id", "begins with ="), (2, "merchant_name", "begins with @"),
                      (2, "leader_account", "begins with +")],
        "merchant_exits": [(2, "merchant_id", "begins with -")],
        "activities": [(2, "activity_id", "begins with @"), (2, "name", "begins with =")],
        "enrollments": [(2, "item_id", "begins with +")],
        "orders": [(2, "order_id", "begins with ="), (2, "item_id", "begins with -")],
    }
    assert Merchant.objects.count() == 1 and Order.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    ["0001-01-01 00:00:00", "9999-12-31 23:59:59", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00",
     "1999-12-31 23:59:59", "2101-01-01 00:00:00", "2100-12-31T23:00:00-05:00", "1999-12-31T15:59:59Z"],
)
def test_parse_time_refuses_a_time_out_of_range(text):
    with pytest.raises(ValueError) as refused:
        parse_time(text)

    assert str(refused.value) == (
        f"time out of range: {text} (expected a time from 2000-01-01 00:00:00 to 2100-12-31 23:59:59, Beijing time)"
    )


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2000-01-01 00:00:00", beijing(2000, 1, 1)),
        ("1999-12-31T16:00:00Z", beijing(2000, 1, 1)),
        ("2100-12-31 23:59:59", beijing(2100, 12, 31, 23, 59, 59)),
        ("2100-12-31 23:59:59.999", beijing(2100, 12, 31, 23, 59, 59)),
    ],
)
def test_parse_time_accepts_the_bounds_of_the_range(text, moment):
    assert parse_time(text) == moment


def test_import_orders_refuses_times_out_of_range_and_a_negative_amount(campaign, leader, tmp_path):
    MerchantFactory(leader=leader, merchant_id="M1")
    path = csv_file(
        tmp_path,
        [
            "order_id,leader_account,merchant_id,item_id,paid_at,paid_amount,status,settled_at",
            "O1,P01,M1,I1,0001-01-01 00:00:00,1.00,paid,",
            "O2,P01,M1,I1,2024-05-25 10:00:00,-12.50,settled,9999-12-31 23:59:59",
            "O3,P01,M1,I1,2024-05-25 10:00:00,-1e3,paid,",
            "O4,P01,M1,I1,2000-01-01 00:00:00,0,paid,2100-12-31 23:59:59",
        ],
    )

    result = import_file("orders", path, campaign=campaign)

    out_of_range = ("time out of range: {} "
                    "(expected a time from 2000-01-01 00:00:00 to 2100-12-31 23:59:59, Beijing time)")
    assert result.errors == [
        RowError(2, "paid_at", out_of_range.format("0001-01-01 00:00:00")),
        RowError(3, "paid_amount", "negative amount: -12.50 (a paid amount is 0 or more yuan)"),
        RowError(3, "settled_at", out_of_range.format("9999-12-31 23:59:59")),
        RowError(4, "paid_amount", "not an amount in yuan with at most 2 decimals: -1e3"),
    ]
    assert Order.objects.count() == 0


def test_import_orders_xlsx_refuses_a_time_out_of_range_and_a_negative_number(campaign, leader, tmp_path):
    MerchantFactory(leader=leader, merchant_id="M1")
    path = xlsx_file(
        tmp_path,
        [
            ["order_id", "leader_account", "merchant_id", "item_id", "paid_at", "paid_amount", "status"],
            ["O1", "P01", "M1", "I1", datetime(1, 1, 1), -3, "paid"],
            ["O2", "P01", "M1", "I1", datetime(2024, 5, 25, 10), -0.5, "paid"],
        ],
    )

    result = import_file("orders", path, campaign=campaign)

    assert result.errors == [
        RowError(2, "paid_at", "time out of range: 0001-01-01 00:00:00 "
                               "(expected a time from 2000-01-01 00:00:00 to 2100-12-31 23:59:59, Beijing time)"),
        RowError(2, "paid_amount", "negative amount: -3 (a paid amount is 0 or more yuan)"),
        RowError(3, "paid_amount", "negative amount: -0.5 (a paid amount is 0 or more yuan)"),
    ]


def test_a_reason_shows_a_long_value_cut_and_its_control_characters_escaped(campaign, leader, tmp_path):
    MerchantFactory(leader=leader, merchant_id="M1")
    path = csv_file(
        tmp_path,
        [
            "order_id,leader_account,merchant_id,item_id,paid_at,paid_amount,status",
            f"O1,P01,M1,I1,2024-05-25 10:00:00,1.00,{'x' * 200}",
            "O2,P01,M1,I1,2024-05-25 10:00:00,1.00,pa\x1bid",
        ],
    )

    result = import_file("orders", path, campaign=campaign)

    assert result.errors == [
        RowError(2, "status", f"unknown order status: {'x' * 80}…"),
        RowError(3, "status", "unknown order status: pa\\x1bid"),
    ]


# --- The alliance's words: Open Platform column names, extra columns (issue 10) -------------------------

CANONICAL_ORDERS = [
    "order_id,leader_account,merchant_id,item_id,paid_at,paid_amount,status,settled_at",
    "O1,P01,M1,I1,2024-05-25 10:00:00,10.50,paid,",
    "O2,P01,M1,I1,2024-05-26 10:00:00,20.00,settled,2024-07-10 10:00:00",
    "O3,P01,M1,I2,2024-05-27 10:00:00,5.00,invalid,",
    "O4,P01,M1,I2,2024-05-28 10:00:00,1.00,paid,",
]
# The same orders as the Open Platform exports them: its field names, the documentation's status words,
# columns of its own in between, the contract's columns in another order.
OPEN_PLATFORM_ORDERS = [
    "trade_parent_id,trade_id,tk_status,item_title,团长账号,商家ID,item_id,tk_paid_time,alipay_total_price,"
    "pub_share_pre_fee,tk_earning_time,seller_shop_title",
    "T1,O1,已付款,连衣裙,P01,M1,I1,2024-05-25 10:00:00,10.50,1.05,,小店",
    "T2,O2,已结算,连衣裙,P01,M1,I1,2024-05-26 10:00:00,20.00,2.00,2024-07-10 10:00:00,小店",
    "T3,O3,已失效,短裤,P01,M1,I2,2024-05-27 10:00:00,5.00,0.50,,小店",
    "T4,O4,已收货,短裤,P01,M1,I2,2024-05-28 10:00:00,1.00,0.10,,小店",
]
ORDER_FIELDS = ("order_id", "leader__leader_account", "merchant__merchant_id", "item_id", "paid_at", "paid_amount",
                "status", "settled_at")


def stored_orders():
    return list(Order.objects.order_by("order_id").values_list(*ORDER_FIELDS))


def test_an_open_platform_export_with_extra_columns_imports_as_its_canonical_twin(campaign, leader, tmp_path):
    MerchantFactory(leader=leader, merchant_id="M1")

    canonical = import_file("orders", csv_file(tmp_path, CANONICAL_ORDERS, name="canonical.csv"), campaign=campaign)
    twin_rows = stored_orders()
    Order.objects.all().delete()
    aliased = import_file("orders", csv_file(tmp_path, OPEN_PLATFORM_ORDERS, name="aliased.csv"), campaign=campaign)

    assert (canonical.ok, canonical.created, aliased.ok, aliased.created) == (True, 4, True, 4)
    assert stored_orders() == twin_rows
    assert [row[6] for row in twin_rows] == ["paid", "settled", "invalid", "paid"]


def test_the_sub_order_number_names_the_order_id_too(campaign, leader, tmp_path):
    MerchantFactory(leader=leader, merchant_id="M1")
    lines = ["子订单号" + CANONICAL_ORDERS[0].removeprefix("order_id"), *CANONICAL_ORDERS[1:]]

    result = import_file("orders", csv_file(tmp_path, lines), campaign=campaign)

    assert (result.ok, result.created) == (True, 4)


def test_two_names_of_one_column_are_refused_as_a_column_given_twice(campaign, leader, tmp_path):
    lines = [CANONICAL_ORDERS[0] + ",trade_id", CANONICAL_ORDERS[1] + ",O1"]

    result = import_file("orders", csv_file(tmp_path, lines), campaign=campaign)

    assert result.errors == [RowError(1, "trade_id", "column given twice")]


EXTRA_COLUMNS = {
    "leaders": ("leader_account,company_name,credit_code,granted_at",
                f"P02,二号,{credit_code(2)},2024-05-06 10:00:00"),
    "merchants": ("merchant_id,merchant_name,leader_account,opened_at", "M2,商家,P01,2024-05-12 09:00:00"),
    "merchant_exits": ("merchant_id,exited_at,rejoined_at", "M1,2024-05-20 20:00:00,"),
    "activities": ("activity_id,leader_account,name,created_at", "A2,P01,活动,2024-05-03 10:00:00"),
    "enrollments": ("activity_id,merchant_id,item_id,enrolled_at", "A1,M1,I1,2024-05-05 10:00:00"),
    "orders": (CANONICAL_ORDERS[0], CANONICAL_ORDERS[1]),
}


@pytest.mark.parametrize("kind", list(EXTRA_COLUMNS))
def test_columns_the_contract_does_not_name_are_ignored_in_every_kind(campaign, leader, tmp_path, kind):
    MerchantFactory(leader=leader, merchant_id="M1")
    ActivityFactory(leader=leader, campaign=campaign, activity_id="A1")
    header, row = EXTRA_COLUMNS[kind]
    path = csv_file(tmp_path, [f"备注,{header},extra", f"=cmd|' /C calc'!A0,{row},\t"])

    result = import_file(kind, path, campaign=campaign)

    assert (result.ok, result.rows, result.created) == (True, 1, 1)


@pytest.mark.parametrize("kind", list(EXTRA_COLUMNS))
def test_a_missing_contract_column_is_still_an_error_beside_extra_columns(campaign, tmp_path, kind):
    header, row = EXTRA_COLUMNS[kind]
    first, *rest = header.split(",")
    path = csv_file(tmp_path, [",".join(["extra", *rest]), ",".join(["x", *row.split(",")[1:]])])

    result = import_file(kind, path, campaign=campaign)

    column = next(c for c in KINDS[kind].columns if c.name == first)
    assert result.errors == [RowError(1, column.label, "missing column")]
