"""bench/run.py fails the run when the report and the SQL baseline disagree on a leader."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import run  # noqa: E402

ROW = {
    "leader_account": "L00001", "status": "closed", "failed_checks": "basic:2024-05",
    "closed_at": "2024-06-01T00:00:00+08:00", "new_merchants_checkpoint": "1", "new_merchants_total": "4",
    "qualifying_merchants": "0",
}


def _bench(sql_rows):
    bench = run.Bench("small", run.DEFAULT_PG, 1)
    bench.sql_rows = sql_rows
    return bench


def test_identical_verdicts_pass():
    bench = _bench([dict(ROW)])

    bench.compare([dict(ROW, reward_eligible="no")])

    assert bench.failures == []
    assert bench.figures["verdicts"] == {"leaders": 1, "disagreements": 0, "outcomes": {"closed basic:2024-05": 1}}


def test_a_different_verdict_or_a_missing_leader_fails(capsys):
    bench = _bench([dict(ROW, failed_checks="basic:2024-05;special:checkpoint"), dict(ROW, leader_account="L2")])

    bench.compare([dict(ROW, reward_eligible="no")])

    assert bench.failures == ["2 leader(s) where the report and the SQL baseline disagree"]
    out = capsys.readouterr().out
    assert "DISAGREEMENT L00001: failed_checks: report 'basic:2024-05', SQL 'basic:2024-05;special:checkpoint'" in out
    assert "DISAGREEMENT L2: only in the SQL" in out


def test_wrk_output_is_parsed():
    output = (
        "  Latency Distribution\n     50%  850.00us\n     75%    1.20ms\n     99%    1.02s\n"
        "Requests/sec:   1234.56\n"
    )

    assert run.parse_wrk(output) == {"rps": 1234.56, "p50_ms": 0.85, "p99_ms": 1020.0, "non_2xx_3xx": 0}
