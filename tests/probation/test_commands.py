"""The DATA.md commands: import_data, evaluate_probation, mark_data_complete, probation_report."""

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


def test_evaluate_probation_without_a_mark_decides_nothing_and_says_why(campaign, leader):
    with time_machine.travel(beijing(2024, 7, 5), tick=False):
        out, _err = run("evaluate_probation")

    assert out == "2024-nx2: no data mark: nothing is decided until staff mark the data complete (mark_data_complete)\n"
    assert CheckResult.objects.count() == 0


def test_evaluate_probation_defaults_to_min_of_now_and_the_mark(campaign, leader):
    with time_machine.travel(beijing(2024, 6, 1), tick=False):
        run("mark_data_complete", "2024-06-01 00:00:00")
    with time_machine.travel(beijing(2024, 7, 5), tick=False):
        out, _err = run("evaluate_probation")

    assert out.splitlines() == [
        "2024-nx2: basic:2024-05 (due 2024-06-01T00:00:00+08:00): 0 passed, 1 failed",
        "2024-nx2: special:checkpoint (due 2024-06-01T00:00:00+08:00): 0 passed, 1 failed",
        "2024-nx2: closed P01 at 2024-06-01T00:00:00+08:00 (basic:2024-05;special:checkpoint)",
    ]


def test_evaluate_probation_refuses_a_future_as_of_and_writes_nothing(campaign, leader):
    with time_machine.travel(beijing(2024, 6, 1, 12), tick=False):
        with pytest.raises(CommandError) as refused:
            run("evaluate_probation", "--as-of", "2024-06-01T12:00:01+08:00")

    assert str(refused.value) == ("2024-06-01T12:00:01+08:00 is in the future: nothing is decided for a period that "
                                  "has not ended.")
    assert refused.value.returncode == 1
    assert CheckResult.objects.count() == 0
    assert Leader.objects.get().status == "probation"


def test_evaluate_probation_dry_run_prints_the_decisions_and_writes_nothing(campaign, leader):
    from notifications.models import Notification
    from probation.models import LeaderStatusChange

    out, _err = run("evaluate_probation", "--as-of", "2024-06-01T00:00:00", "--dry-run")

    assert out.splitlines() == [
        "2024-nx2: dry run: nothing was written and no one was told",
        "2024-nx2: basic:2024-05 (due 2024-06-01T00:00:00+08:00): 0 passed, 1 failed",
        "2024-nx2: special:checkpoint (due 2024-06-01T00:00:00+08:00): 0 passed, 1 failed",
        "2024-nx2: closed P01 at 2024-06-01T00:00:00+08:00 (basic:2024-05;special:checkpoint)",
    ]
    assert (CheckResult.objects.count(), LeaderStatusChange.objects.count(), Notification.objects.count()) == (0, 0, 0)
    assert Leader.objects.get().status == "probation"


def test_evaluate_probation_recheck_with_nothing_decided_says_so_and_exits_zero(campaign, leader):
    out, _err = run("evaluate_probation", "--recheck", "--as-of", "2024-05-20T00:00:00")

    assert out.splitlines() == [
        "2024-nx2: nothing decided yet: nothing to recheck; deciding as usual",
        "2024-nx2: nothing due as of 2024-05-20T00:00:00+08:00",
    ]


def test_evaluate_probation_with_an_unknown_campaign_fails(campaign):
    with pytest.raises(CommandError) as refused:
        run("evaluate_probation", "--campaign", "nope")

    assert str(refused.value) == "no campaign with the slug nope"


def test_mark_data_complete_moves_forward_refuses_backwards_and_the_future(campaign, leader):
    with time_machine.travel(beijing(2024, 6, 3, 10), tick=False):
        first, _err = run("mark_data_complete", "2024-06-01T00:00:00+08:00")
        same, _err = run("mark_data_complete", "2024-06-01 00:00:00")
        with pytest.raises(CommandError) as backwards:
            run("mark_data_complete", "2024-05-31T23:59:59")
        with pytest.raises(CommandError) as future:
            run("mark_data_complete", "2024-06-03T10:00:01")

    campaign.refresh_from_db()
    assert first.splitlines() == [
        "2024-nx2: data complete until 2024-06-01T00:00:00+08:00 (was: not set)",
        "2024-nx2: the scheduled job (or evaluate_probation) will now decide:",
        "2024-nx2: basic:2024-05 (due 2024-06-01T00:00:00+08:00): 0 passed, 1 failed",
        "2024-nx2: special:checkpoint (due 2024-06-01T00:00:00+08:00): 0 passed, 1 failed",
        "2024-nx2: closed P01 at 2024-06-01T00:00:00+08:00 (basic:2024-05;special:checkpoint)",
    ]
    assert same == "2024-nx2: the data mark is already 2024-06-01T00:00:00+08:00: nothing changed\n"
    assert str(backwards.value) == ("2024-nx2: The data mark only moves forward: 2024-05-31 23:59:59 is earlier than "
                                    "the current mark 2024-06-01 00:00:00.")
    assert backwards.value.returncode == 1
    assert str(future.value).startswith("2024-nx2: The data mark cannot be later than now (2024-06-03 10:00:00)")
    assert campaign.data_complete_until == beijing(2024, 6, 1)
    assert CheckResult.objects.count() == 0  # moving the mark decides nothing by itself


def test_mark_data_complete_with_a_bad_time_fails(campaign):
    with pytest.raises(CommandError) as refused:
        run("mark_data_complete", "June 1st")

    assert str(refused.value) == "TIME: not a time: June 1st (e.g. 2024-06-01T00:00:00+08:00)"


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
