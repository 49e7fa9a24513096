"""Fault 3: the PostgreSQL connection of ``import_data`` is lost in the middle of an import.

The command runs as a process of its own on 50,000 orders; once it is provably writing (its backend
is inside a transaction that has copied rows into the staging table), the test terminates that
backend with ``pg_terminate_backend``, as a database restart or a failover would. The command must
fail with the reason, leave nothing written, and a rerun must import the whole file.
"""

import subprocess
import time

import pytest
from django.db import connection

from bench.generate import generate
from probation.imports import import_file
from probation.models import Leader, Merchant, Order
from tests.factories import CampaignFactory
from tests.faults.server import PYTHON, ROOT, child_env

pytestmark = pytest.mark.postgres

ORDERS = 50_000
APPLICATION_NAME = "faults-import-data"


@pytest.fixture
def orders_file(transactional_db, tmp_path):
    """The benchmark generator's small data set (50 leaders, 575 merchants) imported; its orders on disk."""
    campaign = CampaignFactory()
    written = generate("small", tmp_path, orders=ORDERS, only=["leaders", "merchants", "orders"])
    for kind in ("leaders", "merchants"):
        assert import_file(kind, tmp_path / f"{kind}.csv", campaign=campaign).ok
    assert (Leader.objects.count(), Merchant.objects.count(), written["orders"]) == (50, 575, ORDERS)
    return tmp_path / f"orders-{ORDERS}.csv"


def import_orders(path):
    return subprocess.Popen(
        [PYTHON, "manage.py", "import_data", "orders", str(path), "--campaign", "2024-nx2"],
        cwd=ROOT, env=child_env(PGAPPNAME=APPLICATION_NAME), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )


def writing_backend():
    """The pid of the import's backend once it has written inside its transaction (staged rows), else None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND backend_xid IS NOT NULL "
            "AND query ILIKE 'COPY%%'",
            [APPLICATION_NAME],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def test_import_interrupted_by_a_lost_connection_writes_nothing_and_the_rerun_imports_all(orders_file):
    process = import_orders(orders_file)
    try:
        deadline = time.monotonic() + 60
        pid = None
        while pid is None and process.poll() is None and time.monotonic() < deadline:
            pid = writing_backend()
            time.sleep(0.01)
        assert pid is not None, "the import ended before it could be interrupted: make the file bigger"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone() == (True,)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    assert process.returncode == 1
    assert stdout == ""
    # The driver's own words depend on the moment the backend dies (mid-COPY: "server closed the
    # connection unexpectedly"; mid-statement: "terminating connection due to administrator command");
    # the command's message around them is fixed.
    assert stderr.startswith("CommandError: orders: the database failed during the import (")
    assert stderr.endswith("); nothing was imported; run the command again\n")
    assert Order.objects.count() == 0

    rerun = import_orders(orders_file)
    stdout, stderr = rerun.communicate(timeout=120)

    assert (rerun.returncode, stderr) == (0, "")
    assert stdout == f"orders: {ORDERS} rows imported into 2024-nx2: {ORDERS} created, 0 updated\n"
    assert Order.objects.count() == ORDERS
