"""The benchmark suite: ``make bench SCALE=small|large|xl`` (default small). Never part of ``make test``.

Each figure is measured beside its baseline in the same run and reported as a ratio; a section is
appended to bench/RESULTS.md. Exits non-zero when the evaluation's verdicts disagree with the SQL
baseline's (leader by leader) or a step fails.

    .venv/bin/python bench/run.py --scale small [--memory-flat] [--page-seconds N] [--no-results]

Needs PostgreSQL (database ``bench_<scale>`` at $BENCH_PG, default postgres://postgres@127.0.0.1:5432,
dropped and created fresh each run), ``psql``, ``/usr/bin/time`` and ``wrk`` (installed with apt-get
when missing). Steps:
1. import: ``import_data orders`` vs ``\\copy`` of the same file into a bare table (time and peak RSS);
   ``--memory-flat`` (meant for ``large``) also imports 4M orders into a second fresh database and
   compares the peak RSS with the 1M import's.
2. evaluation: ``evaluate_probation --as-of 2024-09-01T00:00:00+08:00`` vs bench/baseline_verdicts.sql;
   the report must agree with the SQL leader by leader. Beside it, the same decision as a preview
   (``--dry-run``, before) and a ``--recheck`` of every decided check on the same data (after; it must change
   nothing).
3. report: ``probation_report``.
4. pages: ``/``, ``/apply/``, ``/status/`` (logged in) vs ``/bench/minimal/`` under gunicorn, loaded by wrk;
   ``/bench/minimal-user/`` (the minimal view plus the session and user reads) shows the floor of a logged-in page.
5. admin: queries and time of two changelists at 10 and 10,000 rows.
"""

import argparse
import csv
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
STEPS = str(BENCH / "django_steps.py")
AS_OF = "2024-09-01T00:00:00+08:00"
REFERENCE_KINDS = ["leaders", "merchants", "merchant_exits", "activities", "enrollments"]
PAGES = ["/bench/minimal/", "/bench/minimal-user/", "/", "/apply/", "/status/"]
FLOOR_PAGE = "/bench/minimal-user/"
FLAT_ORDERS = 4_000_000

sys.path.insert(0, str(BENCH))
import generate  # noqa: E402


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Bench:
    def __init__(self, scale, pg, page_seconds):
        self.scale = scale
        # BENCH_DB names the database (default bench_<scale>), so concurrent runs on one server do not collide.
        self.db = os.environ.get("BENCH_DB") or f"bench_{scale}"
        self.pg = pg.rstrip("/")
        self.page_seconds = page_seconds
        self.data = BENCH / "data" / scale
        self.figures = {}  # name -> dict
        self.notes = []
        self.failures = []

    # --- helpers ---------------------------------------------------------------------------------
    def db_url(self, name=None):
        return f"{self.pg}/{name or self.db}"

    def env(self, db=None, **extra):
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.db_url(db), DJANGO_SETTINGS_MODULE="bench.settings", PYTHONPATH=str(ROOT),
            PGTZ="Asia/Shanghai", REDIS_URL="", CELERY_BROKER_URL="", CELERY_RESULT_BACKEND="",
        )
        env.update(extra)
        return env

    def psql(self, db, *args, **kwargs):
        return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.db_url(db), *args],
                              check=True, capture_output=True, text=True, env=self.env(db), **kwargs)

    def timed(self, argv, *, db=None, stdout=None):
        """Run ``argv`` under /usr/bin/time: (wall seconds, peak RSS in MB, completed process)."""
        with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
            process = subprocess.run(
                ["/usr/bin/time", "-f", "%e %M", "-o", out.name, *argv], cwd=ROOT, env=self.env(db),
                stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            if process.returncode:
                raise RuntimeError(f"{' '.join(argv)} failed ({process.returncode}):\n{process.stderr[-3000:]}")
            wall, rss_kb = out.read().split()[-2:]
        return float(wall), int(rss_kb) / 1024, process

    def command(self, name, *args, db=None, stdout=None):
        """A management command: (wall seconds, in-command seconds, peak RSS MB, process)."""
        with tempfile.NamedTemporaryFile("r", suffix=".json") as timing:
            wall, rss, process = self.timed([PY, STEPS, "command", timing.name, name, *args], db=db, stdout=stdout)
            seconds = json.loads(Path(timing.name).read_text())["seconds"]
        return wall, seconds, rss, process

    def fresh_database(self, name):
        subprocess.run(["psql", "-X", "-q", f"{self.pg}/postgres", "-c", f"DROP DATABASE IF EXISTS {name}",
                        "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=self.env(name),
                       check=True)
        return time.perf_counter() - started

    # --- steps -----------------------------------------------------------------------------------
    def generate(self):
        stamp = self.data / ".stamp"
        source = (BENCH / "generate.py").read_bytes()
        key = f"{self.scale}:{hash_bytes(source)}"
        started = time.perf_counter()
        if not (stamp.exists() and stamp.read_text() == key):
            shutil.rmtree(self.data, ignore_errors=True)
            counts = generate.generate(self.scale, self.data)
            stamp.write_text(key)
            (self.data / ".counts").write_text(json.dumps(counts))
        counts = json.loads((self.data / ".counts").read_text())
        self.figures["data"] = {"rows": counts, "seconds": round(time.perf_counter() - started, 2)}
        log(f"data: {counts}")

    def setup_database(self):
        seconds = self.fresh_database(self.db)
        self.figures["migrate"] = {"seconds": round(seconds, 2)}
        log(f"fresh database {self.db} migrated in {seconds:.1f}s")

    def admin(self):
        _wall, _rss, process = self.timed([PY, STEPS, "admin"])
        self.figures["admin"] = json.loads(process.stdout.strip().splitlines()[-1])
        log(f"admin: {self.figures['admin']}")

    def imports(self):
        total = 0.0
        for kind in REFERENCE_KINDS:
            wall, _seconds, _rss, _p = self.command("import_data", kind, str(self.data / f"{kind}.csv"))
            total += wall
        orders = self.data / "orders.csv"
        wall, seconds, rss, _p = self.command("import_data", "orders", str(orders))
        total += wall
        self.psql(None, "-c", "CREATE TABLE bare_orders (order_id text, leader_account text, merchant_id text, "
                  "item_id text, paid_at timestamptz, paid_amount numeric, status text, settled_at timestamptz)")
        copy_wall, copy_rss, _p = self.timed(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.db_url(),
             "-c", f"\\copy bare_orders FROM '{orders}' CSV HEADER"])
        copied = self.psql(None, "-At", "-c", "SELECT count(*) FROM bare_orders").stdout.strip()
        self.psql(None, "-c", "DROP TABLE bare_orders")
        # Flush what the imports wrote now, so that its checkpoint does not slow the next step's figures.
        self.psql(None, "-c", "CHECKPOINT")
        self.figures["import"] = {
            "orders": int(copied), "wall": wall, "seconds": seconds, "rss_mb": round(rss, 1),
            "copy_wall": copy_wall, "copy_rss_mb": round(copy_rss, 1), "all_kinds_wall": round(total, 2),
        }
        log(f"import: {self.figures['import']}")

    def floor(self):
        """The floor of any import into the product's table: the imported orders, already typed, written into
        an empty copy of the orders table with its indexes (no parsing, no checks, no references to resolve).
        Run after the other steps: it writes gigabytes at xl, and the checkpoints that follow would slow them."""
        self.psql(None, "-c", "CREATE TABLE floor_orders (LIKE probation_order INCLUDING ALL)")
        wall, _rss, _p = self.timed(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.db_url(),
                                     "-c", "INSERT INTO floor_orders SELECT * FROM probation_order"])
        self.psql(None, "-c", "DROP TABLE floor_orders")
        self.psql(None, "-c", "CHECKPOINT")
        self.figures["floor"] = {"wall": wall}
        log(f"floor: {self.figures['floor']}")

    def memory_flat(self):
        """Peak RSS of importing 4M orders (second fresh database) vs the 1M import of the main run."""
        name = f"orders-{FLAT_ORDERS}.csv"
        if not (self.data / name).exists():
            log(f"generating {name}")
            generate.generate(self.scale, self.data, orders=FLAT_ORDERS, only=["orders"])
        db = f"{self.db}_flat"
        self.fresh_database(db)
        for kind in REFERENCE_KINDS:
            self.command("import_data", kind, str(self.data / f"{kind}.csv"), db=db)
        wall, seconds, rss, _p = self.command("import_data", "orders", str(self.data / name), db=db)
        self.figures["memory_flat"] = {"orders": FLAT_ORDERS, "wall": wall, "seconds": seconds,
                                       "rss_mb": round(rss, 1)}
        subprocess.run(["psql", "-X", "-q", f"{self.pg}/postgres", "-c", f"DROP DATABASE IF EXISTS {db}"],
                       check=True, capture_output=True)
        log(f"memory flat: {self.figures['memory_flat']}")

    def evaluation(self):
        startup, _rss, _p = self.timed([PY, STEPS, "noop"])
        # The preview first (the same plan, nothing written), then the decision, then a recheck of every
        # decided check on the same data (it must change nothing: the report is compared afterwards).
        preview_wall, preview_seconds, _rss, _p = self.command("evaluate_probation", "--as-of", AS_OF, "--dry-run")
        wall, seconds, rss, process = self.command("evaluate_probation", "--as-of", AS_OF)
        recheck_wall, recheck_seconds, _rss, recheck = self.command("evaluate_probation", "--as-of", AS_OF,
                                                                    "--recheck")
        changed = [line for line in recheck.stdout.splitlines() if " closed " in line or " reinstated " in line
                   or " retained " in line]
        if changed:
            self.failures.append(f"the recheck on unchanged data changed {len(changed)} leader(s)")
        sql_wall, _rss, sql = self.timed(
            ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-v", "slug=2024-nx2", "-v", f"as_of='{AS_OF}'", "--csv",
             "-f", str(BENCH / "baseline_verdicts.sql"), self.db_url()])
        self.figures["evaluation"] = {"wall": wall, "seconds": seconds, "rss_mb": round(rss, 1),
                                      "sql_wall": sql_wall, "startup": startup,
                                      "preview_wall": preview_wall, "preview_seconds": preview_seconds,
                                      "recheck_wall": recheck_wall, "recheck_seconds": recheck_seconds}
        self.sql_rows = list(csv.DictReader(sql.stdout.splitlines()))
        log(f"evaluation: {self.figures['evaluation']}")

    def report(self):
        with tempfile.TemporaryFile("w+") as out:
            wall, seconds, rss, _p = self.command("probation_report", stdout=out)
            out.seek(0)
            report = list(csv.DictReader(out))
        self.figures["report"] = {"wall": wall, "seconds": seconds, "rss_mb": round(rss, 1), "rows": len(report)}
        log(f"report: {self.figures['report']}")
        self.compare(report)

    def compare(self, report):
        columns = ["status", "failed_checks", "closed_at", "new_merchants_checkpoint", "new_merchants_total",
                   "qualifying_merchants"]
        ours = {row["leader_account"]: row for row in report}
        sql = {row["leader_account"]: row for row in self.sql_rows}
        disagreements = []
        for account in sorted(set(ours) | set(sql)):
            a, b = ours.get(account), sql.get(account)
            if a is None or b is None:
                disagreements.append(f"{account}: only in {'the SQL' if a is None else 'the report'}")
                continue
            diff = [f"{c}: report {a[c]!r}, SQL {b[c]!r}" for c in columns if a[c] != b[c]]
            if diff:
                disagreements.append(f"{account}: " + "; ".join(diff))
        statuses = {}
        for row in report:
            key = f"{row['status']} {row['failed_checks']}".strip()
            statuses[key] = statuses.get(key, 0) + 1
        self.figures["verdicts"] = {"leaders": len(report), "disagreements": len(disagreements),
                                    "outcomes": dict(sorted(statuses.items()))}
        for line in disagreements[:50]:
            print(f"DISAGREEMENT {line}", flush=True)
        if disagreements:
            self.failures.append(f"{len(disagreements)} leader(s) where the report and the SQL baseline disagree")
        log(f"verdicts: {self.figures['verdicts']}")

    def pages(self):
        wrk = shutil.which("wrk") or install_wrk()
        static_root = tempfile.mkdtemp(prefix="bench-static-")
        server_env = {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                      "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_STATIC_ROOT": static_root,
                      "DJANGO_LOG_LEVEL": "ERROR"}
        subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                       env=self.env(**server_env), check=True)
        cookie = json.loads(subprocess.run([PY, STEPS, "page-session"], cwd=ROOT, env=self.env(), check=True,
                                           capture_output=True, text=True).stdout.strip().splitlines()[-1])["cookie"]
        port = free_port()
        # 3 sync workers, as in the earlier runs, so the figures compare (production: deploy/gunicorn.conf.py).
        server = subprocess.Popen(
            [GUNICORN, "recruitment.wsgi:application", "--workers", "3", "--bind", f"127.0.0.1:{port}",
             "--log-level", "error"], cwd=ROOT, env=self.env(**server_env), start_new_session=True)
        results = {}
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz/")
            for page in PAGES:
                url = f"http://127.0.0.1:{port}{page}"
                status = http_status(url, cookie)
                subprocess.run([wrk, "-t1", "-c4", "-d1s", "-H", f"Cookie: {cookie}", url], capture_output=True)
                run = subprocess.run(
                    [wrk, "-t2", "-c8", f"-d{self.page_seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
                    capture_output=True, text=True, check=True)
                results[page] = {"status": status, **parse_wrk(run.stdout)}
                log(f"page {page}: {results[page]}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
            shutil.rmtree(static_root, ignore_errors=True)
        self.figures["pages"] = results

    # --- results ---------------------------------------------------------------------------------
    def markdown(self):
        f = self.figures
        lines = [f"## {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %z')} — scale `{self.scale}`", ""]
        lines.append(f"Machine: {machine()}.")
        if "data" in f:
            rows = ", ".join(f"{k} {v:,}" for k, v in f["data"]["rows"].items())
            lines.append(f"Data: {rows} (generator seed 2024); fresh database migrated in "
                         f"{f.get('migrate', {}).get('seconds', '?')} s.")
        lines += [""] + [f"Note: {note}" for note in self.notes] + ([""] if self.notes else [])
        lines += ["| figure | value | baseline | ratio | goal |", "|---|---|---|---|---|"]
        if "import" in f:
            i = f["import"]
            import_goal = goal(i["seconds"] / i["copy_wall"], 2, "import ≤ 2× COPY")
            lines.append(f"| import {i['orders']:,} orders: wall (command time) | {i['wall']:.2f} s "
                         f"({i['seconds']:.2f} s) | `\\copy` {i['copy_wall']:.2f} s "
                         f"| {ratio(i['wall'], i['copy_wall'])} ({ratio(i['seconds'], i['copy_wall'])}) "
                         f"| {import_goal} |")
            if "floor" in f:
                floor_wall = f["floor"]["wall"]
                lines.append(f"| floor: the same rows, typed, into an empty copy of the orders table with its "
                             f"indexes (no parsing, checks or references) | {floor_wall:.2f} s "
                             f"| `\\copy` {i['copy_wall']:.2f} s | {ratio(floor_wall, i['copy_wall'])} | — |")
            lines.append(f"| import orders: peak RSS | {i['rss_mb']:.0f} MB | psql `\\copy` client "
                         f"{i['copy_rss_mb']:.0f} MB | {ratio(i['rss_mb'], i['copy_rss_mb'])} | — |")
            lines.append(f"| import all six files: wall | {i['all_kinds_wall']:.2f} s | | | — |")
        if "memory_flat" in f and "import" in f:
            m = f["memory_flat"]
            lines.append(f"| import {m['orders']:,} orders: peak RSS (wall) | {m['rss_mb']:.0f} MB "
                         f"({m['wall']:.1f} s) "
                         f"| {f['import']['orders']:,} orders {f['import']['rss_mb']:.0f} MB "
                         f"| {ratio(m['rss_mb'], f['import']['rss_mb'])} "
                         f"| {goal(m['rss_mb'] / f['import']['rss_mb'], 1.10, 'memory flat (≤ 1.10×)')} |")
        else:
            lines.append("| import memory flat (1M vs 4M orders) | not measured | | | `--memory-flat` (large) |")
        if "evaluation" in f:
            e = f["evaluation"]
            v = f.get("verdicts", {})
            verdict_goal = ("identical verdicts: **met**" if v.get("disagreements") == 0
                            else f"identical verdicts: **missed** ({v.get('disagreements')} leaders differ)")
            eval_goal = goal(e["seconds"] / e["sql_wall"], 1.5, "evaluation ≤ 1.5× SQL")
            lines.append(f"| evaluate_probation: wall (command time) | {e['wall']:.2f} s ({e['seconds']:.2f} s) "
                         f"| SQL {e['sql_wall']:.2f} s | {ratio(e['wall'], e['sql_wall'])} "
                         f"({ratio(e['seconds'], e['sql_wall'])}) | {eval_goal}; {verdict_goal} |")
            if "preview_seconds" in e:
                lines.append(f"| preview (`--dry-run`): wall (command time) | {e['preview_wall']:.2f} s "
                             f"({e['preview_seconds']:.2f} s) | deciding {e['seconds']:.2f} s "
                             f"| {ratio(e['preview_seconds'], e['seconds'])} "
                             f"| {goal(e['preview_seconds'] / e['seconds'], 1.2, 'preview ≤ 1.2× deciding')} |")
                lines.append(f"| `--recheck` of every decided check: wall (command time) | {e['recheck_wall']:.2f} s "
                             f"({e['recheck_seconds']:.2f} s) | first evaluation {e['seconds']:.2f} s "
                             f"| {ratio(e['recheck_seconds'], e['seconds'])} "
                             f"| {goal(e['recheck_seconds'] / e['seconds'], 1.5, 'recheck ≤ 1.5× first')} |")
            lines.append(f"| Python + django.setup() start-up (in every wall time) | {e['startup']:.2f} s | | | — |")
        if "report" in f:
            r = f["report"]
            lines.append(f"| probation_report: wall (command time), {r['rows']:,} leaders | {r['wall']:.2f} s "
                         f"({r['seconds']:.2f} s) | SQL {f['evaluation']['sql_wall']:.2f} s | "
                         f"{ratio(r['seconds'], f['evaluation']['sql_wall'])} | — |")
        if self.scale == "xl" and "import" in f and "evaluation" in f:
            both = f["import"]["all_kinds_wall"] + f["evaluation"]["wall"]
            lines.append(f"| xl imported + evaluated | {both:.0f} s | | | {goal(both / 120, 1, 'xl < 2 min')} |")
        else:
            lines.append("| xl imported + evaluated < 2 min | not measured at this scale | | | xl only |")
        if "pages" in f:
            base = f["pages"].get("/bench/minimal/")
            for page, p in f["pages"].items():
                if page == "/bench/minimal/":
                    lines.append(f"| page `{page}` (HTTP {p['status']}) | {p['rps']:.0f} req/s, "
                                 f"p50 {p['p50_ms']:.1f} ms, p99 {p['p99_ms']:.1f} ms | (the baseline) | | — |")
                    continue
                if page == FLOOR_PAGE:
                    lines.append(f"| floor of a logged-in page `{page}` (session + user reads only; HTTP "
                                 f"{p['status']}) | {p['rps']:.0f} req/s, p50 {p['p50_ms']:.1f} ms, p99 "
                                 f"{p['p99_ms']:.1f} ms | minimal {base['rps']:.0f} req/s "
                                 f"| {ratio(p['rps'], base['rps'])} | — |")
                    continue
                lines.append(
                    f"| page `{page}` (HTTP {p['status']}) | {p['rps']:.0f} req/s, p50 {p['p50_ms']:.1f} ms, "
                    f"p99 {p['p99_ms']:.1f} ms | minimal {base['rps']:.0f} req/s | {ratio(p['rps'], base['rps'])} "
                    f"| {goal(0.5 / (p['rps'] / base['rps']), 1, '≥ 0.5× minimal', shown=p['rps'] / base['rps'])}; "
                    f"{goal(p['p99_ms'] / 100, 1, 'p99 < 100 ms', shown=p['p99_ms'], unit=' ms')} |")
        if "admin" in f:
            a = f["admin"]
            for name in ("applications", "leaders"):
                small, big = a[f"{name}@10"], a[f"{name}@10000"]
                extra = big["queries"] - small["queries"]
                verdict = "**met**" if not extra else f"**missed** (+{extra} queries)"
                lines.append(
                    f"| admin {name} changelist at 10,000 rows | {big['queries']} queries, "
                    f"{big['seconds'] * 1000:.0f} ms "
                    f"| at 10 rows: {small['queries']} queries, {small['seconds'] * 1000:.0f} ms "
                    f"| {ratio(big['seconds'], small['seconds'])} time | queries constant: {verdict} |")
        if "verdicts" in f:
            outcomes = "; ".join(f"{k}: {v}" for k, v in f["verdicts"]["outcomes"].items())
            lines += ["", f"Verdicts ({f['verdicts']['leaders']} leaders): {outcomes}. "
                      f"Disagreements with the SQL baseline: {f['verdicts']['disagreements']}."]
        if self.failures:
            lines += ["", "**Failures:** " + "; ".join(self.failures)]
        return "\n".join(lines) + "\n"


def ratio(value, baseline):
    return f"{value / baseline:.2f}×" if baseline else "—"


def goal(excess, limit, label, *, shown=None, unit="×"):
    """``excess`` = measured / limit-normalised value; met when ``excess <= limit``."""
    if excess <= limit:
        return f"{label}: **met**"
    return f"{label}: **missed** by {excess / limit:.1f}×" + (f" ({shown:.2f}{unit})" if shown is not None else "")


def hash_bytes(data):
    import hashlib

    return hashlib.sha256(data).hexdigest()[:16]


def machine():
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    pg = subprocess.run(["psql", "-X", "-At", "-F", "|", f"{os.environ.get('BENCH_PG', DEFAULT_PG)}/postgres", "-c",
                         "SELECT current_setting('server_version'), current_setting('shared_buffers'), "
                         "current_setting('max_wal_size'), current_setting('jit')"],
                        capture_output=True, text=True).stdout.strip().split("|")
    version = pg[0]
    settings = f" (shared_buffers {pg[1]}, max_wal_size {pg[2]}, jit {pg[3]})" if len(pg) == 4 else ""
    # The load average tells a quiet run from a shared one (other work on the machine skews every ratio).
    load = Path("/proc/loadavg").read_text().split()[0]
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.0f} GB RAM, PostgreSQL {version}{settings}, "
            f"Python {platform.python_version()}; load average {load} when the section was written")


def install_wrk():
    log("wrk not found: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {url}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http_status(url, cookie):
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output):
    def millis(text):
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return round(float(number) * UNITS[unit], 2)

    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {"rps": rps, "p50_ms": millis(p50), "p99_ms": millis(p99),
            "non_2xx_3xx": int(errors.group(1)) if errors else 0}


DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["small", "large", "xl"], default="small")
    parser.add_argument("--memory-flat", action="store_true", help="Also import 4M orders (peak RSS vs 1M).")
    parser.add_argument("--page-seconds", type=int, help="wrk duration per page (default 2 s small, 10 s else).")
    parser.add_argument("--note", action="append", default=[], help="A note for the RESULTS.md section.")
    parser.add_argument("--no-results", action="store_true", help="Do not append to bench/RESULTS.md.")
    parser.add_argument("--skip", action="append", default=[], choices=["admin", "report", "pages", "floor"],
                        help="Leave a step out (repeatable), e.g. while tuning the import; its figures read "
                             "'not measured'.")
    args = parser.parse_args(argv)
    bench = Bench(args.scale, os.environ.get("BENCH_PG", DEFAULT_PG),
                  args.page_seconds or (2 if args.scale == "small" else 10))
    bench.notes = args.note
    started = time.perf_counter()
    steps = [bench.generate, bench.setup_database, bench.admin, bench.imports, bench.evaluation, bench.report,
             bench.pages, bench.floor]
    steps = [step for step in steps if step.__name__ not in args.skip]
    if args.memory_flat:
        steps.append(bench.memory_flat)
    for step in steps:
        try:
            step()
        except Exception as error:  # record it, go on with the other figures, fail at the end
            bench.failures.append(f"{step.__name__}: {error}")
            log(f"FAILED {step.__name__}: {error}")
            if step in (bench.generate, bench.setup_database):
                break
    section = bench.markdown()
    print(section)
    if not args.no_results:
        results = BENCH / "RESULTS.md"
        if not results.exists():
            results.write_text("# Benchmark results\n\nOne section per `make bench` run (bench/run.py), newest last.\n")
        with results.open("a", encoding="utf-8") as stream:
            stream.write("\n" + section)
    log(f"done in {time.perf_counter() - started:.0f} s")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
