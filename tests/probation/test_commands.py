"""The DATA.md commands: import_data, evaluate_probation, probation_report."""

from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from probation.models import CheckResult, Leader
from recruitment.timeutils import beijing
from tests.factories import CampaignFactory, credit_code
from tests.probation.factories import LeaderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "sample-data"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def leaders_csv(tmp_path, *rows):
    path = tmp_path / "leaders.csv"
    path.write_text("\n".join(["leader_account,company_name,credit_code,granted_at", *rows]) + "\n")
    return path


def test_import_data_prints_a_one_line_summary(campaign, tmp_path):
    path = leaders_csv(tmp_path, f"P01,一号,{credit_code(1)},2024-05-06 10:00:00")

    out, err = run("import_data", "leaders", str(path))

    assert out == "leaders: 1 rows imported into 2024-nx2: 1 created, 0 updated\n"
    assert err == ""


def test_import_data_with_a_bad_row_fails_listing_it_and_writes_nothing(campaign, tmp_path):
    path = leaders_csv(tmp_path, f"P01,一号,{credit_code(1)},2024-05-06 10:00:00", "P02,二号,123,2024-05-06 10:00:00")
    err = StringIO()

    with pytest.raises(CommandError, match=r"leaders: 1 error\(s\) in .*; nothing was imported") as raised:
        call_command("import_data", "leaders", str(path), stdout=StringIO(), stderr=err)

    assert raised.value.returncode == 1
    assert err.getvalue() == "line 3, credit_code: not a valid unified social credit code: 123\n"
    assert Leader.objects.count() == 0


def test_import_data_reports_bad_rows_in_chinese_by_default(campaign, tmp_path):
    path = leaders_csv(tmp_path, "P02,二号,123,2024-05-06 10:00:00")
    err = StringIO()

    with translation.override("zh-hans"), pytest.raises(CommandError):
        call_command("import_data", "leaders", str(path), stdout=StringIO(), stderr=err)

    assert err.getvalue() == "line 2, credit_code: 统一社会信用代码无效：123\n"


def test_import_data_with_several_campaigns_asks_for_one(campaign, tmp_path):
    CampaignFactory(slug="demo", is_current=False)
    path = leaders_csv(tmp_path, f"P01,一号,{credit_code(1)},2024-05-06 10:00:00")

    with pytest.raises(CommandError, match="pass --campaign SLUG \\(one of: 2024-nx2, demo\\)"):
        run("import_data", "leaders", str(path))
    out, _err = run("import_data", "leaders", str(path), "--campaign", "demo")

    assert out == "leaders: 1 rows imported into demo: 1 created, 0 updated\n"
    assert list(Leader.objects.values_list("campaign__slug", flat=True)) == ["demo"]


def test_import_data_with_an_unknown_campaign_fails(campaign, tmp_path):
    with pytest.raises(CommandError, match="no campaign with the slug nx9"):
        run("import_data", "leaders", str(leaders_csv(tmp_path)), "--campaign", "nx9")


def test_evaluate_probation_defaults_to_now(campaign, leader):
    with time_machine.travel(beijing(2024, 5, 31, 23, 59, 59), tick=False):
        before, _err = run("evaluate_probation")
    with time_machine.travel(beijing(2024, 6, 1), tick=False):
        at_due, _err = run("evaluate_probation")

    assert before == "2024-nx2: nothing due as of 2024-05-31T23:59:59+08:00\n"
    assert at_due.splitlines() == [
        "2024-nx2: basic:2024-05 (due 2024-06-01T00:00:00+08:00): 0 passed, 1 failed",
        "2024-nx2: special:checkpoint (due 2024-06-01T00:00:00+08:00): 0 passed, 1 failed",
        "2024-nx2: closed P01 at 2024-06-01T00:00:00+08:00 (basic:2024-05;special:checkpoint)",
    ]


def test_evaluate_probation_without_campaign_evaluates_every_campaign(campaign, leader):
    demo = CampaignFactory(
        slug="demo", is_current=False, checkpoint_ends_at=beijing(2024, 5, 30, 23, 59, 59)
    )
    LeaderFactory(campaign=demo, leader_account="D01")

    out, _err = run("evaluate_probation", "--as-of", "2024-05-31T00:00:00")

    assert out.splitlines() == [
        "2024-nx2: nothing due as of 2024-05-31T00:00:00+08:00",
        "demo: special:checkpoint (due 2024-05-31T00:00:00+08:00): 0 passed, 1 failed",
        "demo: closed D01 at 2024-05-31T00:00:00+08:00 (special:checkpoint)",
    ]
    assert list(CheckResult.objects.values_list("leader__leader_account", "code")) == [("D01", "special:checkpoint")]


@pytest.mark.skipif(not SAMPLE.is_dir(), reason=f"the shared sample data is not at {SAMPLE}")
def test_sample_data_end_to_end_matches_the_expected_reports(campaign):
    for kind in ("leaders", "merchants", "activities", "enrollments", "orders"):
        run("import_data", kind, str(SAMPLE / f"{kind}.csv"))
    reports = {}
    for day in ("2024-06-01", "2024-09-01"):
        run("evaluate_probation", "--as-of", f"{day}T00:00:00+08:00")
        reports[day], _err = run("probation_report")

    for day, report in reports.items():
        expected = (SAMPLE / f"expected-report-as-of-{day}.csv").read_text(encoding="utf-8").replace("\r", "")
        assert report == expected
