"""An import holds its campaign's data (PostgreSQL advisory lock): decisions refuse at once meanwhile, the
scheduled job skips the campaign and tries again next minute, and nothing is half-written."""

from datetime import date
from io import BytesIO, StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from probation import decisions, services
from probation.imports import import_file
from probation.tasks import evaluate_due
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.probation.conftest import counts

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _dsn():
    db = connection.settings_dict
    return (f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
            f"user={db['USER'] or 'postgres'}" + (f" password={db['PASSWORD']}" if db["PASSWORD"] else ""))


@pytest.fixture
def campaign(campaign):
    """The 2024 campaign with its three basic months (a transactional flush leaves the re-created row without
    the months its migration made)."""
    for month in (5, 6, 7):
        campaign.basic_months.get_or_create(month=date(2024, month, 1))
    return campaign


class ImportHolding:
    """Another session holding the campaign's data lock as an import does (shared), until released."""

    def __init__(self, campaign):
        self.key = decisions.data_lock_key(campaign)

    def __enter__(self):
        self.conn = psycopg.connect(_dsn())
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", self.key)
        return self

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


def test_a_recheck_while_an_import_holds_the_data_refuses_at_once(campaign, world):
    services.evaluate_due_checks(campaign, as_of=beijing(2024, 6, 1))
    before = counts()

    with ImportHolding(campaign):
        with pytest.raises(CommandError) as refused:
            call_command("evaluate_probation", "--recheck", "--as-of", "2024-06-01T00:00:00", stdout=StringIO())
        skipped = evaluate_due.apply().get(timeout=10)

    assert str(refused.value) == ("2024-nx2: 2024-nx2 正在导入考核数据，请在导入完成后重试。")
    assert refused.value.returncode == 1
    assert skipped == []
    assert counts() == before
    out = StringIO()
    call_command("evaluate_probation", "--recheck", "--as-of", "2024-06-01T00:00:00", stdout=out)
    assert out.getvalue().splitlines() == [  # once the import is done: every decided check judged again
        "2024-nx2: basic:2024-05 (due 2024-06-01T00:00:00+08:00): 5 passed, 0 failed",
        "2024-nx2: special:checkpoint (due 2024-06-01T00:00:00+08:00): 4 passed, 1 failed",
    ]


def test_the_scheduled_job_skips_a_campaign_being_imported_and_decides_it_next_minute(campaign, world):
    Campaign.objects.filter(pk=campaign.pk).update(data_complete_until=beijing(2024, 6, 1))

    with ImportHolding(campaign):
        during = evaluate_due.apply().get(timeout=10)
    after = evaluate_due.apply().get(timeout=10)

    assert during == []
    assert after[-1] == "2024-nx2: closed P03 at 2024-06-01T00:00:00+08:00 (special:checkpoint)"


class Watching(BytesIO):
    """An export file that, while the import reads it, looks from another session at the locks held."""

    def __init__(self, data, key):
        super().__init__(data)
        self.key, self.seen = key, None

    def read(self, *args):
        if self.seen is None:
            with psycopg.connect(_dsn()) as other:
                self.seen = other.execute(
                    "SELECT mode FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
                    self.key).fetchall()
        return super().read(*args)


def test_an_import_holds_the_data_lock_while_it_reads_and_writes(campaign):
    source = Watching("leader_account,company_name,credit_code,granted_at\n"
                      "P09,杭州九号网络科技有限公司,91330106220000010U,2024-05-06 10:00:00\n".encode(),
                      decisions.data_lock_key(campaign))

    result = import_file("leaders", source, campaign=campaign)

    assert result.ok
    assert source.seen == [("ShareLock",)]
