"""The benchmark data generator (bench/generate.py): deterministic, DATA.md-shaped, consistent."""

import csv
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import generate  # noqa: E402

from recruitment.validators import is_valid_credit_code  # noqa: E402


def _read(folder, kind):
    with open(folder / f"{kind}.csv", encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_same_scale_and_seed_give_identical_files(tmp_path):
    generate.generate("tiny", tmp_path / "a")
    generate.generate("tiny", tmp_path / "b")
    generate.generate("tiny", tmp_path / "c", seed=7)

    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_files_have_the_data_md_headers_and_the_scale_s_counts(tmp_path):
    counts = generate.generate("tiny", tmp_path)

    for kind, header in generate.HEADERS.items():
        with open(tmp_path / f"{kind}.csv", encoding="utf-8") as stream:
            assert stream.readline().rstrip("\n").split(",") == header
    assert counts["leaders"] == 6
    assert counts["orders"] == 3000


def test_rows_reference_known_keys_and_keys_are_unique(tmp_path):
    generate.generate("tiny", tmp_path)
    leaders = _read(tmp_path, "leaders")
    merchants = _read(tmp_path, "merchants")
    activities = _read(tmp_path, "activities")
    accounts = {r["leader_account"] for r in leaders}
    merchant_ids = {r["merchant_id"] for r in merchants}
    activity_ids = {r["activity_id"] for r in activities}

    assert all(is_valid_credit_code(r["credit_code"]) for r in leaders)
    assert len(merchant_ids) == len(merchants)
    assert {r["leader_account"] for r in merchants} <= accounts | {""}
    assert "" in {r["leader_account"] for r in merchants}  # some merchants were introduced by no leader
    assert {r["leader_account"] for r in activities} <= accounts
    enrollments = _read(tmp_path, "enrollments")
    assert {r["activity_id"] for r in enrollments} <= activity_ids
    assert len({(r["activity_id"], r["item_id"]) for r in enrollments}) == len(enrollments)
    exits = _read(tmp_path, "merchant_exits")
    assert len({(r["merchant_id"], r["exited_at"]) for r in exits}) == len(exits)
    assert all(not r["rejoined_at"] or r["rejoined_at"] > r["exited_at"] for r in exits)
    orders = _read(tmp_path, "orders")
    assert len({r["order_id"] for r in orders}) == len(orders)
    assert {r["leader_account"] for r in orders} <= accounts
    assert {r["merchant_id"] for r in orders} <= merchant_ids
    statuses = {r["status"] for r in orders}
    assert {"invalid", "paid", "settled", "订单结算", "13"} <= statuses  # words and codes are mixed
    assert all(bool(r["settled_at"]) == (r["status"] in {"settled", "订单结算", "3"}) for r in orders)


def test_an_orders_override_changes_only_the_orders_file(tmp_path):
    generate.generate("tiny", tmp_path)
    before = _digest(tmp_path)
    counts = generate.generate("tiny", tmp_path, orders=500, only=["orders"])

    assert counts == {"orders": 500}
    assert _digest(tmp_path) == {**before, "orders-500.csv": _digest(tmp_path)["orders-500.csv"]}
