"""Deterministic generator of the alliance exports of DATA.md at a chosen scale, for the benchmarks.

    .venv/bin/python bench/generate.py --scale small --out bench/data/small [--seed 2024] [--orders N]

Writes leaders.csv, merchants.csv, merchant_exits.csv, activities.csv, enrollments.csv and orders.csv
(UTF-8, English headers, times ``YYYY-MM-DD HH:MM:SS`` without offset = Beijing time). The same scale
and seed always give byte-identical files; ``--orders N`` changes only orders.csv (the other files
depend on the scale and seed alone), so a 4M-row orders file fits the 1M-row data set of ``large``.

Shapes: orders per leader and per item are Zipf-like; a few percent are invalid and many are not yet
settled; each leader introduces merchants opened before, inside (before and after the checkpoint)
and after the 拓客先锋 activity, and some merchants were introduced by no leader; exits around the 618
window cover it whole, chain (touching or overlapping), leave gaps, or stop at the window's last
second; activities and enrollments come per month, some months have none. Orders are streamed:
memory holds one leader's merchants and items at a time, never the rows.
"""

import argparse
import csv
import itertools
import math
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

SCALES = {
    "tiny": {"leaders": 6, "orders": 3_000},  # tests of the generator
    "small": {"leaders": 50, "orders": 20_000},
    "large": {"leaders": 1_000, "orders": 1_000_000},
    "xl": {"leaders": 10_000, "orders": 10_000_000},
}

# The 2024 campaign (recruitment/migrations/0002_campaign_2024_nx2.py), Beijing time, naive.
GRANTED = datetime(2024, 5, 6, 10, 0, 0)
ACTIVITY_START = datetime(2024, 5, 10, 0, 0, 0)
CHECKPOINT_END = datetime(2024, 5, 31, 23, 59, 59)
ACTIVITY_END = datetime(2024, 6, 20, 23, 59, 59)
W618_START = datetime(2024, 5, 20, 20, 0, 0)
W618_END = datetime(2024, 6, 20, 23, 59, 59)
DATA_START = datetime(2024, 4, 20, 0, 0, 0)
DATA_END = datetime(2024, 8, 31, 23, 59, 59)
MONTHS = [datetime(2024, 4, 1), datetime(2024, 5, 1), datetime(2024, 6, 1), datetime(2024, 7, 1), datetime(2024, 8, 1)]
# Instants on which checks turn: some orders fall exactly on them (both sides of each boundary).
BOUNDARIES = [
    datetime(2024, 5, 1), datetime(2024, 5, 31, 23, 59, 59), datetime(2024, 6, 1), datetime(2024, 6, 30, 23, 59, 59),
    datetime(2024, 7, 1), datetime(2024, 7, 31, 23, 59, 59), ACTIVITY_START, ACTIVITY_START - timedelta(seconds=1),
    ACTIVITY_END, ACTIVITY_END + timedelta(seconds=1),
]

HEADERS = {
    "leaders": ["leader_account", "company_name", "credit_code", "granted_at"],
    "merchants": ["merchant_id", "merchant_name", "leader_account", "opened_at"],
    "merchant_exits": ["merchant_id", "exited_at", "rejoined_at"],
    "activities": ["activity_id", "leader_account", "name", "created_at"],
    "enrollments": ["activity_id", "merchant_id", "item_id", "enrolled_at"],
    "orders": [
        "order_id", "leader_account", "merchant_id", "item_id", "paid_at", "paid_amount", "status", "settled_at",
    ],
}
# The alliance's own words and codes, as exports mix them (DATA.md).
STATUS_WORDS = {
    "settled": ["settled", "settled", "订单结算", "3"],
    "paid": ["paid", "订单付款", "12", "订单成功", "14"],
    "invalid": ["invalid", "订单失效", "13"],
}
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(n):
    first17 = f"9133010622{n:07d}"
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return first17 + CREDIT_CHARSET[(31 - total % 31) % 31]


def fmt(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def between(rng, start, end):
    return start + timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))


def zipf_cum(n, s=1.0):
    """Cumulative Zipf weights of ranks 1..n (for ``random.choices(cum_weights=...)``)."""
    return list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, n + 1)))


class World:
    """Leaders and their merchants, derived from the seed alone (independent of the order count)."""

    def __init__(self, leaders, seed):
        rng = random.Random(f"{seed}:world")
        self.leaders = []  # (account, company, credit code, granted_at)
        self.merchants = []  # dict(id, name, leader, opened_at, items, settle_p, kind)
        self.pools = {}  # leader account -> merchants the leader sells (own, shared, unintroduced)
        unintroduced = []
        company = 0
        for i in range(1, leaders + 1):
            account = f"L{i:05d}"
            if i % 10 != 0 or i == 1:
                company += 1  # every 10th account shares its company (credit code) with the previous one
            roll = rng.random()
            granted = GRANTED if roll < 0.9 else datetime(2024, 6, 1) if roll < 0.95 else datetime(2024, 6, 15, 9)
            self.leaders.append((account, f"杭州{company:05d}号网络科技有限公司", credit_code(company), granted))
            own = []
            n_new = rng.choices(range(10), weights=[4, 4, 6, 8, 10, 12, 12, 10, 6, 4])[0]
            kinds = (
                ["old"] * rng.randint(2, 6)
                + ["new"] * n_new
                + ["after"] * rng.randint(0, 2)
            )
            for j, kind in enumerate(kinds):
                if kind == "old":
                    opened = between(rng, datetime(2022, 1, 1), ACTIVITY_START - timedelta(seconds=1))
                elif kind == "after":
                    opened = between(rng, ACTIVITY_END + timedelta(seconds=1), datetime(2024, 8, 20))
                else:
                    # Mostly inside the activity, before or after the checkpoint; a few exactly on its edges.
                    edge = rng.random()
                    if edge < 0.03:
                        opened = ACTIVITY_START
                    elif edge < 0.06:
                        opened = CHECKPOINT_END
                    elif edge < 0.08:
                        opened = ACTIVITY_END
                    elif edge < 0.55:
                        opened = between(rng, ACTIVITY_START, CHECKPOINT_END)
                    else:
                        opened = between(rng, CHECKPOINT_END + timedelta(seconds=1), ACTIVITY_END)
                own.append(self._merchant(rng, f"M{i:05d}{j:02d}", account, opened, kind))
            for k in range(2):
                opened = between(rng, datetime(2023, 1, 1), datetime(2024, 7, 31))
                unintroduced.append(self._merchant(rng, f"MX{i:05d}{k}", "", opened, "unintroduced"))
            self.pools[account] = own
        self.merchants = [m for pool in self.pools.values() for m in pool] + unintroduced
        # Each leader also sells two unintroduced merchants and one merchant of the previous leader.
        accounts = [leader[0] for leader in self.leaders]
        for index, account in enumerate(accounts):
            count = len(unintroduced)
            extra = [unintroduced[(2 * index + 1) % count], unintroduced[(2 * index + 4) % count]]
            previous = self.pools[accounts[index - 1]]
            if index and previous:
                extra.append(previous[0])
            self.pools[account] = self.pools[account] + extra

    @staticmethod
    def _merchant(rng, merchant_id, leader, opened, kind):
        n_items = rng.randint(3, 8) if kind == "new" else rng.randint(3, 30)
        return {
            "id": merchant_id,
            "name": f"商家{merchant_id}",
            "leader": leader,
            "opened_at": opened,
            "items": [f"I{merchant_id}-{k:02d}" for k in range(n_items)],
            "settle_p": rng.choice([0.3, 0.55, 0.65, 0.8, 0.9, 0.95]),
            "kind": kind,
        }


def write_csv(path, kind, rows):
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADERS[kind])
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def leader_rows(world):
    for account, company, code, granted in world.leaders:
        yield account, company, code, fmt(granted)


def merchant_rows(world):
    for m in world.merchants:
        yield m["id"], m["name"], m["leader"], fmt(m["opened_at"])


def exit_rows(world, seed):
    """Exits around the 618 window; the 'covered' patterns only for merchants open before it started."""
    rng = random.Random(f"{seed}:exits")
    second = timedelta(seconds=1)
    day = timedelta(days=1)
    for m in world.merchants:
        if rng.random() > 0.3:
            continue
        early = m["opened_at"] < W618_START - 2 * day
        pattern = rng.choice(
            ["whole", "whole_open", "chain_touching", "chain_overlap", "exact", "gap", "last_second",
             "late_start", "inside", "outside"]
            if early else ["late_start", "inside", "outside"]
        )
        start = max(m["opened_at"] + day, W618_START - 2 * day) if early else None
        if pattern == "whole":
            yield m["id"], fmt(start), fmt(W618_END + 10 * day)
        elif pattern == "whole_open":
            yield m["id"], fmt(start), ""
        elif pattern == "chain_touching":  # [a, b) [b, c): covered
            yield m["id"], fmt(start), fmt(datetime(2024, 6, 5))
            yield m["id"], fmt(datetime(2024, 6, 5)), fmt(datetime(2024, 6, 25))
        elif pattern == "chain_overlap":  # three overlapping exits; the last is still out
            yield m["id"], fmt(start), fmt(datetime(2024, 6, 3))
            yield m["id"], fmt(datetime(2024, 6, 1)), fmt(datetime(2024, 6, 12))
            yield m["id"], fmt(datetime(2024, 6, 10)), ""
        elif pattern == "exact":  # [window start, first second after the window): covered exactly
            yield m["id"], fmt(W618_START), fmt(W618_END + second)
        elif pattern == "gap":  # back for one second between two exits
            yield m["id"], fmt(start), fmt(datetime(2024, 6, 5))
            yield m["id"], fmt(datetime(2024, 6, 5) + second), fmt(datetime(2024, 6, 25))
        elif pattern == "last_second":  # back at the window's last second: not out for the whole window
            yield m["id"], fmt(start), fmt(W618_END)
        elif pattern == "late_start":  # left one second after the window opened
            begin = max(W618_START + second, m["opened_at"] + second)
            back = max(datetime(2024, 7, 15), begin + day)
            yield m["id"], fmt(begin), "" if rng.random() < 0.5 else fmt(back)
        elif pattern == "inside":
            begin = max(datetime(2024, 6, 1), m["opened_at"] + second)
            yield m["id"], fmt(begin), fmt(begin + 3 * day)
        else:  # before or after the window
            if m["opened_at"] < datetime(2024, 5, 1):
                yield m["id"], fmt(datetime(2024, 5, 2)), fmt(datetime(2024, 5, 9))
            yield m["id"], fmt(datetime(2024, 7, 20)), fmt(datetime(2024, 8, 2))


def activity_and_enrollment_rows(world, seed):
    """Per leader per month (April to August) 0..3 activities, each with items of the leader's merchants."""
    rng = random.Random(f"{seed}:activities")
    activities, enrollments = [], []
    for account, _company, _code, _granted in world.leaders:
        pool = world.pools[account]
        for month_start in MONTHS:
            month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(seconds=1)
            n = rng.choices([0, 1, 2, 3], weights=[1, 5, 3, 1])[0]
            for k in range(n):
                activity_id = f"A{account}{month_start:%Y%m}{k}"
                created = between(rng, month_start, month_end) if rng.random() > 0.02 else month_end
                name = f"{account} {month_start:%Y-%m} 招商活动 {k + 1}"
                activities.append((activity_id, account, name, fmt(created)))
                items = []
                for m in rng.sample(pool, min(len(pool), rng.randint(2, 7))):
                    chosen = rng.sample(m["items"], min(len(m["items"]), rng.randint(2, 6)))
                    items.extend((m["id"], item) for item in chosen)
                for merchant_id, item_id in items:
                    enrolled = created + timedelta(seconds=rng.randint(0, 10 * 86400))
                    enrollments.append((activity_id, merchant_id, item_id, fmt(enrolled)))
    return activities, enrollments


def order_counts(total, leaders, rng):
    """Orders per leader, Zipf-like over a random ranking of the leaders, summing to ``total``."""
    ranks = list(range(1, leaders + 1))
    rng.shuffle(ranks)
    weights = [1.0 / (r**0.9) for r in ranks]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % leaders] += 1
    return counts


def order_rows(world, total, seed):
    """Stream the orders: leader by leader, merchant and item Zipf-like, new merchants' orders in the activity."""
    rng = random.Random(f"{seed}:orders:{total}")
    counts = order_counts(total, len(world.leaders), rng)
    # Amounts scaled so that a middling leader is near the monthly GMV threshold (10,000 yuan) at any scale.
    mean_amount = 160_000 * len(world.leaders) / max(total, 1)
    mu = math.log(mean_amount) - 0.405
    number = 0
    chunk = 4096
    for (account, _company, _code, _granted), n_orders in zip(world.leaders, counts, strict=True):
        pool = world.pools[account]
        # Slots (merchant, item) with Zipf weights: merchants by rank (new merchants favoured), items by rank.
        slots, weights = [], []
        merchant_cum = zipf_cum(len(pool), 0.8)
        for rank, m in enumerate(pool):
            weight = merchant_cum[rank] - (merchant_cum[rank - 1] if rank else 0.0)
            if m["kind"] == "new":
                weight *= 3
            item_cum = zipf_cum(len(m["items"]), 1.1)
            for k, item in enumerate(m["items"]):
                slots.append((m, item))
                weights.append(weight * (item_cum[k] - (item_cum[k - 1] if k else 0.0)))
        cum = list(itertools.accumulate(weights))
        remaining = n_orders
        while remaining:
            k = min(chunk, remaining)
            remaining -= k
            for m, item in rng.choices(slots, cum_weights=cum, k=k):
                number += 1
                roll = rng.random()
                if roll < 0.002:
                    paid = rng.choice(BOUNDARIES)
                elif m["kind"] == "new":
                    paid = between(rng, m["opened_at"], min(m["opened_at"] + timedelta(days=40), DATA_END))
                else:
                    paid = between(rng, max(m["opened_at"], DATA_START), DATA_END)
                amount = f"{rng.lognormvariate(mu, 0.9):.2f}"
                state = rng.random()
                if state < 0.04:
                    status, settled = "invalid", ""
                elif state < 0.04 + 0.96 * m["settle_p"] and paid < datetime(2024, 8, 22):
                    status = "settled"
                    settled = fmt(paid + timedelta(days=rng.randint(7, 25), seconds=rng.randint(0, 86399)))
                else:
                    status, settled = "paid", ""
                yield (
                    f"O{number:010d}", account, m["id"], item, fmt(paid), amount,
                    rng.choice(STATUS_WORDS[status]), settled,
                )


def generate(scale, out, *, seed=2024, orders=None, only=None):
    """Write the files of ``scale`` into ``out``; returns ``{kind: rows}``."""
    params = SCALES[scale]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = World(params["leaders"], seed)
    written = {}
    wanted = set(only or HEADERS)
    if "leaders" in wanted:
        written["leaders"] = write_csv(out / "leaders.csv", "leaders", leader_rows(world))
    if "merchants" in wanted:
        written["merchants"] = write_csv(out / "merchants.csv", "merchants", merchant_rows(world))
    if "merchant_exits" in wanted:
        written["merchant_exits"] = write_csv(out / "merchant_exits.csv", "merchant_exits", exit_rows(world, seed))
    if wanted & {"activities", "enrollments"}:
        activities, enrollments = activity_and_enrollment_rows(world, seed)
        written["activities"] = write_csv(out / "activities.csv", "activities", activities)
        written["enrollments"] = write_csv(out / "enrollments.csv", "enrollments", enrollments)
    if "orders" in wanted:
        total = orders if orders is not None else params["orders"]
        name = "orders.csv" if orders is None else f"orders-{total}.csv"
        written["orders"] = write_csv(out / name, "orders", order_rows(world, total, seed))
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--orders", type=int, help="Orders count (writes orders-N.csv; other files unchanged).")
    parser.add_argument("--only", nargs="*", choices=list(HEADERS), help="Write only these kinds.")
    args = parser.parse_args(argv)
    written = generate(args.scale, args.out, seed=args.seed, orders=args.orders, only=args.only)
    print(" ".join(f"{kind}={n}" for kind, n in written.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
