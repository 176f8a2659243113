"""The benchmark: the archive's pages, export and import on a generated dataset, beside what users would pick instead.

Run with the project's virtualenv against a database filled by ``manage.py generate_dataset`` (``make bench`` does
both), for example::

    DJANGO_SETTINGS_MODULE=bench.settings ARCHIVE_DATA_DIR=var/bench .venv/bin/python bench/run.py --size 5000

Pages are requested in-process through Django's test client (``force_login``), each several times: the median,
the 95th percentile and the SQL query count of one run are kept. Exports run in a subprocess each, so their
peak resident memory is their own. The peers run on the same data in the same run: the Django admin changelist
of the same customer table (same page size and search), a plain openpyxl ``write_only`` loop over the same rows
and columns, and django-import-export exporting the same queryset to XLSX. Each run's figures are kept in
``bench/results/<database>-<size>.json`` and ``bench/RESULTS.md`` is written from every result kept there.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PLANS = BENCH / "plans"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

IMPORT_ROWS = 10_000
SEARCH_TERM_LENGTH = 4


def setup():
    import django

    django.setup()


# ---- Measuring ------------------------------------------------------------------------------------------------


def timed_requests(client, url: str, repeat: int) -> dict:
    """Median and p95 of ``repeat`` requests (after two warm-ups) and the query count of one of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "median_ms": statistics.median(times),
        "p95_ms": statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0],
        "queries": len(queries.captured_queries),
        "sql": [q["sql"] for q in queries.captured_queries],
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_worker(kind: str) -> dict:
    """One export of every customer the director sees, in this process; what it took (rows/s, memory)."""
    setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from customers import selectors
    from customers.columns import REGISTER_COLUMNS

    director = get_user_model().objects.get(username="director")
    rows = selectors.customer_list(user=director)
    started = time.perf_counter()
    first_byte = None
    size = 0
    if kind == "ours":
        client = Client()
        client.force_login(director)
        started = time.perf_counter()
        response = client.get("/customers/export.xlsx")
        for chunk in response.streaming_content:
            if first_byte is None and chunk:
                first_byte = time.perf_counter() - started
            size += len(chunk)
        count = rows.count()
    elif kind == "openpyxl":
        count = _openpyxl_loop(rows, REGISTER_COLUMNS)
    elif kind == "import_export":
        count, size = _import_export(rows, REGISTER_COLUMNS)
    else:
        raise SystemExit(f"unknown export {kind}")
    seconds = time.perf_counter() - started
    return {
        "kind": kind,
        "rows": count,
        "seconds": seconds,
        "rows_per_s": count / seconds,
        "first_byte_s": first_byte,
        "bytes": size,
        "peak_rss_mb": peak_rss_mb(),
    }


def _openpyxl_loop(rows, columns) -> int:
    """The floor: the same rows and columns appended as plain values to a write-only workbook, no styles."""
    from django.utils import timezone
    from openpyxl import Workbook

    def plain(value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("customers")
    ws.append([str(c.label) for c in columns])
    count = 0
    for customer in rows.iterator(chunk_size=2000):
        ws.append([plain(c.get(customer)) for c in columns])
        count += 1
    with tempfile.TemporaryFile() as out:
        wb.save(out)
    return count


def _import_export(rows, columns) -> tuple[int, int]:
    """What a Django team would write: a django-import-export resource over the same columns, to XLSX."""
    from import_export import fields, resources

    from customers.models import Customer

    related = {
        "region": fields.Field(attribute="region__name", column_name="region"),
        "owner": fields.Field(attribute="owner__first_name", column_name="owner"),
        "contact_count": fields.Field(attribute="contact_count", column_name="contact_count"),
    }
    names = [c.name for c in columns]
    meta = type("Meta", (), {"model": Customer, "fields": names, "export_order": names})
    resource_class = type("CustomerResource", (resources.ModelResource,), {**related, "Meta": meta})
    dataset = resource_class().export(queryset=rows)
    body = dataset.export("xlsx")
    return len(dataset), len(body)


def run_export(kind: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "export-worker", kind],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- The import -----------------------------------------------------------------------------------------------


def import_file(rows: int) -> bytes:
    """A customer list of ``rows`` new customers, as a company would keep it: the register's Chinese headers."""
    import random

    from django.contrib.auth import get_user_model
    from django.utils import translation
    from openpyxl import Workbook

    from customers import demo_data as vocab
    from customers.imports import IMPORT_COLUMNS
    from customers.models import Customer, Region

    rng = random.Random(7)
    taken = set(Customer.all_objects.exclude(credit_code="").values_list("credit_code", flat=True))
    regions = list(Region.objects.values_list("name", flat=True))
    managers = list(
        get_user_model()
        .objects.filter(username__startswith="manager", groups__name="account_manager")
        .order_by("username")
        .values_list("username", flat=True)[:20]
    )
    city_names = list(vocab.CITIES)
    wanted = ["name", "short_name", "credit_code", "grade", "tier", "lifecycle", "channel", "region", "route"]
    wanted += ["owner", "legal_representative", "registered_capital", "founded_on", "industry", "address", "phone"]
    columns = [c for c in IMPORT_COLUMNS if c.name in wanted]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("客户名册")
    with translation.override("zh-hans"):
        ws.append([str(c.label) for c in columns])
        labels = {
            name: [str(label) for _value, label in Customer._meta.get_field(name).choices]
            for name in ("tier", "lifecycle", "channel")
        }
    for n in range(rows):
        city = vocab.CITIES[city_names[n % len(city_names)]]
        district = city.districts[n % len(city.districts)]
        while (code := vocab.credit_code(rng, "co", district.division_code)) in taken:
            pass
        taken.add(code)
        values = {
            "name": f"{city_names[n % len(city_names)]}基准导入{n:05d}机电设备有限公司",
            "short_name": f"基准{n:05d}",
            "credit_code": code,
            "grade": rng.choice("ABCD"),
            "tier": rng.choice(labels["tier"]),
            "lifecycle": rng.choice(labels["lifecycle"]),
            "channel": rng.choice(labels["channel"]),
            "region": rng.choice(regions),
            "route": city.route,
            "owner": managers[n % len(managers)],
            "legal_representative": rng.choice(vocab.SURNAMES)[0] + rng.choice(vocab.GIVEN_NAMES["m"])[0],
            "registered_capital": rng.choice((500_000, 1_000_000, 5_000_000)),
            "founded_on": datetime.date(rng.randint(1990, 2020), rng.randint(1, 12), rng.randint(1, 28)),
            "industry": "通用设备制造",
            "address": f"{city.province}{district.name}{district.roads[0]}{n % 999 + 1}号",
            "phone": f"{city.phone_prefix}-{rng.randint(5, 8)}{rng.randint(0, 9_999_999):07d}",
        }
        ws.append([values[c.name] for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def measure_import(director) -> dict:
    """Upload (read and check every row, store the file) and confirm (check again and create the drafts)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from customers import imports

    body = import_file(IMPORT_ROWS)
    upload = SimpleUploadedFile("客户名册.xlsx", body, content_type="application/octet-stream")
    started = time.perf_counter()
    record, result = imports.import_start(actor=director, upload=upload)
    previewed = time.perf_counter()
    record, result = imports.import_confirm(actor=director, record_id=record.pk)
    finished = time.perf_counter()
    record.file.delete(save=False)
    if record.imported_count != IMPORT_ROWS:
        raise RuntimeError(f"imported {record.imported_count} of {IMPORT_ROWS}: {result.problems[:3]}")
    return {
        "rows": IMPORT_ROWS,
        "preview_s": previewed - started,
        "confirm_s": finished - previewed,
        "seconds": finished - started,
        "rows_per_s": IMPORT_ROWS / (finished - started),
    }


# ---- The run --------------------------------------------------------------------------------------------------


def database_label() -> tuple[str, str]:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return "sqlite", f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return connection.vendor, f"PostgreSQL {cursor.fetchone()[0]}"


def explain(sql_list: list[str]) -> str:
    """The plans of the queries that read the customer table, as the database would run them."""
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    out = []
    with connection.cursor() as cursor:
        for sql in sql_list:
            if "customers_customer" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(prefix + sql)
            plan = "\n".join(" | ".join(str(v) for v in row) for row in cursor.fetchall())
            out.append(f"{sql}\n{plan}\n")
    return "\n".join(out)


def measure(size: int, repeat: int, explain_label: str | None) -> dict:
    setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client

    from customers.models import Customer

    User = get_user_model()
    vendor, version = database_label()
    director = User.objects.get(username="director")
    admin = User.objects.get(username="admin")
    large = (
        Customer.objects.annotate(n=Count("interactions")).order_by("-n", "pk").only("pk", "owner_id", "short_name")
    ).first()
    manager = User.objects.get(pk=large.owner_id)
    term = large.short_name[:SEARCH_TERM_LENGTH]
    report: dict = {
        "vendor": vendor,
        "database": version,
        "size": size,
        "customers": Customer.objects.count(),
        "manager_customers": Customer.objects.filter(owner=manager).count(),
        "search_term": term,
        "repeat": repeat,
        "pages": {},
    }
    print(f"{version}: {report['customers']:,} customers; search {term!r}", flush=True)

    print("exports …", flush=True)
    report["exports"] = {kind: run_export(kind) for kind in ("ours", "openpyxl", "import_export")}

    plans = []
    with transaction.atomic():
        # The admin peer for a manager: staff with the model's view right; the admin still restricts the rows
        # through the gateway. Rolled back with the import at the end.
        manager.is_staff = True
        manager.save(update_fields=["is_staff"])
        manager.user_permissions.add(Permission.objects.get(codename="view_customer"))
        manager = User.objects.get(pk=manager.pk)
        pages = {
            "list_director_plain": (director, "/customers/"),
            "admin_director_plain": (admin, "/admin/customers/customer/"),
            "list_director_filter": (director, "/customers/?grade=A&lifecycle=current"),
            "admin_director_filter": (admin, "/admin/customers/customer/?grade__exact=A&lifecycle__exact=current"),
            "list_director_search": (director, f"/customers/?q={term}"),
            "admin_director_search": (admin, f"/admin/customers/customer/?q={term}"),
            "list_manager_plain": (manager, "/customers/"),
            "admin_manager_plain": (manager, "/admin/customers/customer/"),
            "list_manager_filter": (manager, "/customers/?grade=A&lifecycle=current"),
            "admin_manager_filter": (manager, "/admin/customers/customer/?grade__exact=A&lifecycle__exact=current"),
            "list_manager_search": (manager, f"/customers/?q={term}"),
            "admin_manager_search": (manager, f"/admin/customers/customer/?q={term}"),
            "card": (manager, f"/customers/{large.pk}/"),
            "history": (manager, f"/customers/{large.pk}/history/"),
            "inbox": (director, "/approvals/"),
            "aging": (director, "/credit/aging/"),
        }
        clients = {}
        for name, (user, url) in pages.items():
            if user.pk not in clients:
                clients[user.pk] = Client()
                clients[user.pk].force_login(user)
            print(f"{name} …", flush=True)
            result = timed_requests(clients[user.pk], url, repeat)
            sql = result.pop("sql")
            if explain_label and name.startswith("list_"):
                plans.append(f"## {name}: {url}\n\n{explain(sql)}")
            report["pages"][name] = {"url": url, **result}
        print("import …", flush=True)
        report["import"] = measure_import(director)
        transaction.set_rollback(True)
    if explain_label:
        PLANS.mkdir(exist_ok=True)
        path = PLANS / f"{vendor}-{size}-{explain_label}.txt"
        path.write_text(f"# {version}, {report['customers']:,} customers, {explain_label}\n\n" + "\n".join(plans))
        print(f"plans written to {path.relative_to(ROOT)}")
    connection.close()
    return report


# ---- The report -----------------------------------------------------------------------------------------------


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or platform.machine(),
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return (
        f"{model}, {os.cpu_count()} cores, {memory_kb / 1024 / 1024:.1f} GiB memory, Python {platform.python_version()}"
    )


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


PAGE_ROWS = [
    # (label, ours, peer, absolute target in ms for PostgreSQL / SQLite or None)
    ("customer list, director, no filter", "list_director_plain", "admin_director_plain", None),
    ("customer list, director, filter", "list_director_filter", "admin_director_filter", None),
    ("customer list, director, search", "list_director_search", "admin_director_search", 30),
    ("customer list, manager, no filter", "list_manager_plain", "admin_manager_plain", None),
    ("customer list, manager, filter", "list_manager_filter", "admin_manager_filter", None),
    ("customer list, manager, search", "list_manager_search", "admin_manager_search", 30),
    ("card page (many records)", "card", None, 80),
    ("history page", "history", None, 100),
    ("approvals inbox", "inbox", None, None),
    ("aging report", "aging", None, None),
]


def _timings(log: str) -> str:
    """The generation's output without its progress lines."""
    progress = re.compile(r"^\s*[\d,]+ / [\d,]+ customers$")
    return "\n".join(line for line in log.splitlines() if not progress.match(line))


def render(report: dict) -> list[str]:
    pages = report["pages"]
    lines = [
        f"### {report['database']}, {report['customers']:,} customers",
        "",
        f"Manager measured: {report['manager_customers']:,} customers of their own; "
        f"search term `{report['search_term']}`; {report['repeat']} timed runs per page after two warm-ups. "
        f"Date {report['date']}, commit `{report['commit']}`.",
        "",
        *(
            ["`manage.py generate_dataset`:", "", "```", _timings(report["generate"]), "```", ""]
            if report.get("generate")
            else []
        ),
        "| what | ours median / p95 (ms) | queries | peer | peer median (ms) | ratio ours/peer | target | met? |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, ours_key, peer_key, absolute in PAGE_ROWS:
        ours = pages[ours_key]
        peer = pages.get(peer_key) if peer_key else None
        ratio = ours["median_ms"] / peer["median_ms"] if peer else None
        targets, ok = [], []
        if peer:
            targets.append("≤ admin")
            ok.append(ratio <= 1.0)
        if ours_key.startswith("list_"):
            targets.append("≤ 12 queries")
            ok.append(ours["queries"] <= 12)
        if absolute and (report["vendor"] == "postgresql" or not ours_key.startswith("list_")):
            targets.append(f"≤ {absolute} ms")
            ok.append(ours["median_ms"] <= absolute)
        peer_name = "admin changelist" if peer else "—"
        peer_time = f"{peer['median_ms']:.1f} ({peer['queries']} q)" if peer else "—"
        ratio_text = f"{ratio:.2f}" if ratio else "—"
        lines.append(
            f"| {label} | {ours['median_ms']:.1f} / {ours['p95_ms']:.1f} | {ours['queries']} | {peer_name} | "
            f"{peer_time} | {ratio_text} | {', '.join(targets) or '—'} | {_met(all(ok)) if ok else '—'} |"
        )
    ex = report["exports"]
    ours, floor, iex = ex["ours"], ex["openpyxl"], ex["import_export"]
    lines += [
        "",
        "| export of every customer | rows | rows/s | time (s) | first byte (s) | peak RSS (MB) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in (
        ("ours (/customers/export.xlsx)", ours),
        ("openpyxl write_only loop", floor),
        ("django-import-export", iex),
    ):
        first = f"{row['first_byte_s']:.2f}" if row.get("first_byte_s") is not None else "—"
        lines.append(
            f"| {name} | {row['rows']:,} | {row['rows_per_s']:,.0f} | {row['seconds']:.1f} | {first} | "
            f"{row['peak_rss_mb']:.0f} |"
        )
    vs_floor = ours["rows_per_s"] / floor["rows_per_s"]
    vs_iex = ours["rows_per_s"] / iex["rows_per_s"]
    imp = report["import"]
    lines += [
        "",
        "| export and import targets | measured | target | met? |",
        "| --- | --- | --- | --- |",
        f"| export vs openpyxl loop | {vs_floor:.2f}× | ≥ 0.85× | {_met(vs_floor >= 0.85)} |",
        f"| export vs django-import-export | {vs_iex:.2f}× | ≥ 2× | {_met(vs_iex >= 2)} |",
        f"| export peak RSS | {ours['peak_rss_mb']:.0f} MB | ≤ 150 MB | {_met(ours['peak_rss_mb'] <= 150)} |",
        f"| export first byte | {ours['first_byte_s']:.2f} s | < 1 s | {_met(ours['first_byte_s'] < 1)} |",
        f"| import of {imp['rows']:,} rows (upload + confirm) | {imp['rows_per_s']:,.0f} rows/s "
        f"({imp['preview_s']:.1f} s + {imp['confirm_s']:.1f} s) | ≥ 2,000 rows/s | {_met(imp['rows_per_s'] >= 2000)} |",
        "",
    ]
    return lines


def write_markdown() -> Path:
    reports = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json")) if not p.name.startswith("load")]
    reports.sort(key=lambda r: (-r["customers"], r["vendor"]))
    out = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py` (`make bench`; `BENCH_SIZE=100000` for the full run, `BENCH_DATABASE_URL` for "
        "PostgreSQL). Times are in-process through Django's test client, login and middleware included. "
        "Ratios are ours divided by the peer's (lower is better for times, higher for rows/s).",
        "",
        f"Machine: {machine()}.",
        "",
        "The list queries' plans are in `bench/plans/`: `*-after.txt` as measured here, "
        "`postgresql-*-before.txt` on the same data before migration 0010 (trigram and credit code indexes) "
        "and before the gateway's rights became one `UNION`.",
        "",
    ]
    for report in reports:
        out += render(report)
    load = RESULTS / "load.md"
    if load.exists():
        out += [load.read_text()]
    path = BENCH / "RESULTS.md"
    path.write_text("\n".join(out).rstrip() + "\n")
    return path


def plans_only(size: int, label: str) -> None:
    """Save the plans of the list's queries (director and manager; plain, filter, search) without timing them."""
    setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from customers.models import Customer

    User = get_user_model()
    vendor, version = database_label()
    large = Customer.objects.annotate(n=Count("interactions")).order_by("-n", "pk").only("pk", "owner_id", "short_name")
    large = large.first()
    term = large.short_name[:SEARCH_TERM_LENGTH]
    out = []
    for who in (User.objects.get(username="director"), User.objects.get(pk=large.owner_id)):
        client = Client()
        client.force_login(who)
        for url in ("/customers/", "/customers/?grade=A&lifecycle=current", f"/customers/?q={term}"):
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            out.append(f"## {who.username}: {url}\n\n{explain([q['sql'] for q in queries.captured_queries])}")
    PLANS.mkdir(exist_ok=True)
    path = PLANS / f"{vendor}-{size}-{label}.txt"
    path.write_text(f"# {version}, {Customer.objects.count():,} customers, {label}\n\n" + "\n".join(out))
    print(f"plans written to {path.relative_to(ROOT)}")


def reset() -> None:
    """Start the benchmark database afresh: the SQLite file removed, or the PostgreSQL database dropped and made.

    Only the benchmark's own database: ``ARCHIVE_DATA_DIR`` must be set for SQLite, and the PostgreSQL database
    is the one named in ``DATABASE_URL``, dropped through the server's ``postgres`` maintenance database.
    """
    from urllib.parse import urlsplit

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        data = os.environ.get("ARCHIVE_DATA_DIR")
        if not data:
            raise SystemExit("Set ARCHIVE_DATA_DIR to the benchmark's own directory.")
        for suffix in ("", "-wal", "-shm"):
            Path(data, f"archive.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name in {"archive", "test_archive", "postgres"}:
        raise SystemExit(f"Refusing to drop {name!r}: give the benchmark a database of its own.")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="measure and write the results (the default)")
    for p in (parser, run):
        p.add_argument("--size", type=int, default=5000, help="the size the dataset was generated with")
        p.add_argument("--repeat", type=int, default=15, help="timed runs per page")
        p.add_argument(
            "--explain", metavar="LABEL", help="also save the list queries' plans as bench/plans/*-LABEL.txt"
        )
        p.add_argument("--generate-log", type=Path, help="the output of generate_dataset, to report its timings")
    worker = sub.add_parser("export-worker", help=argparse.SUPPRESS)
    worker.add_argument("kind")
    sub.add_parser("report", help="write RESULTS.md from the results kept in bench/results")
    sub.add_parser("reset", help="drop and recreate the benchmark database (only the one in DATABASE_URL)")
    plans = sub.add_parser("plans", help="only save the list queries' plans as bench/plans/<db>-<size>-LABEL.txt")
    plans.add_argument("label")
    plans.add_argument("--size", type=int, default=5000)
    args = parser.parse_args(argv)
    if args.command == "reset":
        reset()
        return
    if args.command == "plans":
        plans_only(args.size, args.label)
        return
    if args.command == "export-worker":
        print(json.dumps(export_worker(args.kind)))
        return
    if args.command != "report":
        report = measure(args.size, args.repeat, args.explain)
        report["date"] = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        report["commit"] = commit()[:12]
        if args.generate_log and args.generate_log.exists():
            report["generate"] = args.generate_log.read_text().strip()
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{report['vendor']}-{args.size}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"wrote {write_markdown().relative_to(ROOT)}")


if __name__ == "__main__":
    main()
