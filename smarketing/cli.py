"""`smarketing` command line: what the Makefile targets run.

smarketing demo [--api S,...] demo data, the nightly and the report DAG once, every edition delivered locally;
                              --api reads those sources through their API connectors from a local replay
                              (one ad platform and one CRM, e.g. --api meta_ads,amocrm)
smarketing run [--date D]     run the nightly DAG once for the night after day D (default: last night)
smarketing report [--edition daily|weekly|monthly|all|due] [--date D]
                              render and send report editions for report day D from the marts (no ETL)
smarketing warehouse          start the embedded warehouse (if none is configured); print how to connect
smarketing stop               stop the embedded warehouse
smarketing dbt ARGS...        run dbt against the warehouse (e.g. `smarketing dbt build`)
smarketing quality            both data-quality gates on the warehouse now: summary, GX Data Docs (exit 1 on critical)
smarketing airflow            Airflow standalone (UI on http://localhost:8080) with this project
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from smarketing import paths
from smarketing.config import REPO_ROOT, Config, ConfigError, config_path, load_config
from smarketing.runtime import apply_environment

if TYPE_CHECKING:
    from smarketing.demo.api_replay import DemoApiServer

DAG_ID = "smarketing_nightly"
REPORT_DAG_ID = "smarketing_report"


def _prepare() -> str:
    """Environment first (Airflow reads it at import), then the warehouse."""
    from smarketing.warehouse.connection import ensure_warehouse

    apply_environment(paths.home())
    return ensure_warehouse()


def _migrate_airflow() -> None:
    from airflow.utils.db import initdb

    initdb()


def run_dag(dag_id: str, logical_date: datetime, params: dict | None = None) -> None:
    """One run of a DAG of this project, in-process (`dag.test`), with retries off: a one-off run
    should fail at once, not wait out the scheduled retries' delays."""
    from airflow.dag_processing.dagbag import DagBag

    _migrate_airflow()
    bag = DagBag(dag_folder=str(REPO_ROOT / "dags"))
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag(dag_id)
    for task in dag.tasks:
        task.retries = 0
    dag_run = dag.test(logical_date=logical_date, run_conf=params or None)
    if dag_run.state != "success":
        failed = sorted(ti.task_id for ti in dag_run.get_task_instances() if ti.state == "failed")
        raise SystemExit(f"{dag_id} run at {logical_date} ended {dag_run.state}; failed tasks: {', '.join(failed)}")


def run_nightly(last_day: date) -> None:
    """One run of the nightly DAG for the night after `last_day`."""
    config = load_config()
    run_dag(DAG_ID, datetime.combine(last_day + timedelta(days=1), _scheduled_time(config.schedule), config.tz))


def run_report(editions: str | list[str] = "due", report_day: date | None = None) -> None:
    """One run of the report DAG: `editions` "due", "all" or names; `report_day` None = the latest
    day the ETL loaded."""
    config = load_config()
    send_day = (report_day + timedelta(days=1)) if report_day else datetime.now(config.tz).date()
    run_dag(
        REPORT_DAG_ID,
        datetime.combine(send_day, _scheduled_time(config.report.editions.daily.schedule), config.tz),
        {"editions": editions, "report_day": report_day.isoformat() if report_day else ""},
    )


def _issue_dirs(editions: list[str], report_day: date) -> dict[str, Path]:
    """Where each edition's issue for `report_day` is archived (report.publish.render_and_archive)."""
    from smarketing.report.editions import report_period
    from smarketing.report.publish import issue_dir

    periods = {edition: report_period(edition, report_day) for edition in editions}
    return {edition: issue_dir(edition, period.first_day, period.last_day) for edition, period in periods.items()}


def _print_issues(issues: dict[str, Path]) -> None:
    for edition, folder in issues.items():
        print(f"{edition + ':':<16}{folder / 'message.eml'}")
        print(f"{'':<16}{folder / 'report.html'}")
        print(f"{'':<16}{folder / 'preview' / 'report.html'}  (open in a browser)")


@contextmanager
def _output_to(log: Path) -> Iterator[None]:
    """Send Airflow's and dbt's chatter (fd 1 and 2) to a log file; on failure show its tail."""
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"log:            {log}", flush=True)
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log.open("ab") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            _restore(saved)
            tail = log.read_text(errors="replace").splitlines()[-40:]
            print("\n".join(["", f"--- last lines of {log} ---", *tail, "---"]), file=sys.stderr)
            raise
        else:
            _restore(saved)


def _restore(saved: tuple[int, int]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(saved[0], 1)
    os.dup2(saved[1], 2)


def _run_log(name: str) -> Path:
    return paths.home() / "logs" / f"{name}-{datetime.now().strftime('%Y%m%dT%H%M%S')}.log"


def _scheduled_time(cron: str) -> time:
    minute, hour = cron.split()[:2]
    return time(int(hour) if hour.isdigit() else 0, int(minute) if minute.isdigit() else 0)


def _yesterday() -> date:
    return datetime.now(load_config().tz).date() - timedelta(days=1)


def cmd_demo(args: argparse.Namespace) -> None:
    from smarketing.demo.api_replay import DemoApiServer
    from smarketing.demo.generator import generate

    ad_platform, crm = _demo_world(args.api)
    url = _prepare()
    _forget_other_demo_worlds(url, {ad_platform, crm})
    demo_data = paths.home() / "demo-data"
    config = _use_demo_sources(demo_data, ad_platform, crm)
    last_day = args.date or _yesterday()
    summary = generate(demo_data, end_date=last_day, days=config.history_days, ad_platform=ad_platform, crm=crm)
    print(
        f"demo data:      {summary.ad_rows} {ad_platform} campaign rows ({config.currency} {summary.spend_eur:,} "
        f"spend), {summary.contacts} {crm} people, {summary.deals} deals ({summary.won_deals} won), "
        f"{config.history_days} days to {last_day}"
    )
    with ExitStack() as stack:
        if args.api:
            server = stack.enter_context(DemoApiServer(demo_data, args.api))
            config = _use_demo_sources(demo_data, ad_platform, crm, server)
            print(f"demo APIs:      {', '.join(args.api)} served from {server.url} (smarketing.demo.api_replay)")
        _run_demo(config, url, last_day)


def _forget_other_demo_worlds(url: str, world: set[str]) -> None:
    """A demo of another world leaves nothing of the last one: the raw rows and cursors of the ad
    platforms and CRMs outside this world are removed (else both worlds' spend would be reported)."""
    import psycopg
    from psycopg import sql

    from smarketing.demo.generator import AD_PLATFORMS, CRMS
    from smarketing.extract import streams_of
    from smarketing.extract.cursors import CURSORS_TABLE
    from smarketing.load import RAW_SCHEMA
    from smarketing.warehouse.connection import libpq_url, relation_exists

    others = [source for source in (*AD_PLATFORMS, *CRMS) if source not in world]
    with psycopg.connect(libpq_url(url)) as conn:
        for stream in (stream for source in others for stream in streams_of(source)):
            if relation_exists(conn, f"{RAW_SCHEMA}.{stream.table}"):
                conn.execute(sql.SQL("truncate {}").format(sql.Identifier(RAW_SCHEMA, stream.table)))
        if relation_exists(conn, CURSORS_TABLE):
            conn.execute(f"delete from {CURSORS_TABLE} where source = any(%s)", (others,))


def _demo_world(api: list[str]) -> tuple[str, str]:
    """The demo company advertises on one platform and keeps one CRM: Google Ads and HubSpot unless
    --api names another, whose demo data is then written (and served) instead."""
    from smarketing.demo.generator import AD_PLATFORMS, CRMS

    chosen = []
    for kind, options, default in (("ad platform", AD_PLATFORMS, "google_ads"), ("CRM", CRMS, "hubspot")):
        named = [source for source in api if source in options]
        if len(named) > 1:
            raise SystemExit(f"the demo company uses one {kind}: pick one of {', '.join(named)} for --api")
        chosen.append(named[0] if named else default)
    return chosen[0], chosen[1]


def _run_demo(config: Config, url: str, last_day: date) -> None:
    from smarketing.mailcatcher import MailCatcher, smtp_connection_uri
    from smarketing.warehouse import embedded

    print(f"running {DAG_ID} for {last_day}, then {REPORT_DAG_ID} with every edition ...", flush=True)
    with MailCatcher(paths.outbox_dir()) as catcher, _output_to(_run_log("demo")):
        os.environ[f"AIRFLOW_CONN_{config.report.smtp_conn_id.upper()}"] = smtp_connection_uri(catcher.port)
        run_nightly(last_day)
        run_report("all", last_day)
    editions = [name for name, edition in config.report.editions.items() if edition.enabled]
    running = embedded.status(paths.home())
    print()
    _print_issues(_issue_dirs(editions, last_day))
    for eml in catcher.received:
        print(f"delivered:      {eml}")
    print(f"quality:        {_quality_line(url)}")
    if running:
        print(f"warehouse:      {running.psql_command}")
        print("                (left running; `make stop` stops it)")
    else:
        print(f"warehouse:      {url.rsplit('@', 1)[-1]}")
    print("marts:          schema marts: fct_kpi_period, fct_lead_funnel, fct_campaign_performance, ... (README)")


def _quality_line(url: str) -> str:
    """The nightly gates' verdict in one line, as the warehouse recorded it."""
    import psycopg

    from smarketing.quality import latest_outcomes
    from smarketing.warehouse.connection import libpq_url

    with psycopg.connect(libpq_url(url)) as conn:
        reports = latest_outcomes(conn)
        quarantined = conn.execute(
            "select count(*) from quarantine.rejected_rows where released_at is null"
        ).fetchone()[0]
    checks = ", ".join(
        f"{stage} {len(reports[stage].outcomes)} checks" for stage in ("raw", "marts") if stage in reports
    )
    critical = sum(len(report.critical_failures) for report in reports.values())
    warnings = sum(len(report.warnings) for report in reports.values())
    return f"{checks}: {critical} critical, {warnings} warnings; {quarantined} rows in quarantine (`make quality`)"


def _use_demo_sources(folder: Path, ad_platform: str, crm: str, api: DemoApiServer | None = None) -> Config:
    """The user's config with the demo world's sources only, each pointed at the demo data: its
    files, or the local server that serves them as the platform's API. A demo never reads real ones.
    A source's settings (its lookback) are kept where the user's config has that source."""
    raw = yaml.safe_load(config_path().read_text(encoding="utf-8"))
    user_sources = raw.get("sources") or {}
    raw["sources"] = {name: dict(user_sources.get(name) or {}) for name in (ad_platform, crm, "fx_rates")}
    for name, source in raw["sources"].items():
        source.pop("conn_id", None)  # never a real account
        source.pop("accounts", None)
        source["path"] = str(folder / name)
        if api is not None and name in api.platforms:
            conn_id = f"demo_{name}"
            os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(api.connection(name))
            del source["path"]
            source.update(conn_id=conn_id, accounts=api.platforms[name].accounts)
    _add_demo_crm_mapping(raw.setdefault("definitions", {}), crm)
    demo_config = paths.home() / "demo-smarketing.yml"
    demo_config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    os.environ["SMARKETING_CONFIG"] = str(demo_config)
    return load_config(demo_config)


def _add_demo_crm_mapping(definitions: dict, crm: str) -> None:
    """The demo CRM's own stage values (amoCRM's statuses are per account) join its mapping."""
    from importlib import import_module
    from importlib.util import find_spec

    from smarketing.funnel_definitions import DEFAULT_CRM_MAPPINGS

    writer = f"smarketing.demo.{crm}"
    demo_fields = getattr(import_module(writer), "CRM_MAPPING_FIELDS", {}) if find_spec(writer) else {}
    if not demo_fields:
        return
    if "crm_mappings" not in definitions:  # listing any mapping replaces the defaults: start from them
        definitions["crm_mappings"] = {name: m.model_dump() for name, m in DEFAULT_CRM_MAPPINGS.items()}
    fields = definitions["crm_mappings"].setdefault(crm, {}).setdefault("fields", {})
    for field, values in demo_fields.items():
        fields[field] = {**(fields.get(field) or {}), **values}


def cmd_run(args: argparse.Namespace) -> None:
    _prepare()
    last_day = args.date or _yesterday()
    print(f"running {DAG_ID} for {last_day} ...", flush=True)
    with _output_to(_run_log("run")):
        run_nightly(last_day)
    print(f"{DAG_ID} for {last_day}: success")


@contextmanager
def _smtp_or_local_outbox(conn_id: str) -> Iterator[None]:
    """The configured SMTP connection, or (as after `make demo`) the local outbox server."""
    from smarketing.mailcatcher import MailCatcher, smtp_connection_uri

    env_var = f"AIRFLOW_CONN_{conn_id.upper()}"
    if os.environ.get(env_var) or _airflow_has_connection(conn_id):
        yield
        return
    with MailCatcher(paths.outbox_dir()) as catcher:
        print(f"no `{conn_id}` connection: delivering to the local outbox {paths.outbox_dir()}")
        os.environ[env_var] = smtp_connection_uri(catcher.port)
        try:
            yield
        finally:
            del os.environ[env_var]


def _airflow_has_connection(conn_id: str) -> bool:
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import BaseHook

    try:
        BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def cmd_report(args: argparse.Namespace) -> None:
    """Render and send report editions from the marts as they are (no ETL): a re-render or re-send."""
    import psycopg

    from smarketing.report.publish import enabled_editions, latest_loaded_day

    url = _prepare()
    config = load_config()
    report_day = args.date
    if report_day is None:
        with psycopg.connect(url) as conn:
            report_day = latest_loaded_day(conn)
    editions = args.edition if args.edition in ("all", "due") else [args.edition]
    print(f"running {REPORT_DAG_ID} for {report_day}, editions: {args.edition} ...", flush=True)
    with _smtp_or_local_outbox(config.report.smtp_conn_id), _output_to(_run_log("report")):
        run_report(editions, report_day)
    if args.edition == "all":
        picked = enabled_editions(config)
    elif args.edition == "due":
        from smarketing.report.publish import due_editions

        picked = due_editions(config, report_day + timedelta(days=1))
    else:
        picked = [args.edition]
    print(f"{REPORT_DAG_ID} for {report_day}: success")
    _print_issues(_issue_dirs(picked, report_day))


def cmd_warehouse(args: argparse.Namespace) -> None:
    from smarketing.warehouse import embedded

    url = _prepare()
    running = embedded.status(paths.home())
    print(running.psql_command if running else f"configured warehouse: {url.rsplit('@', 1)[-1]}")


def cmd_stop(args: argparse.Namespace) -> None:
    from smarketing.warehouse import embedded

    print("embedded warehouse stopped" if embedded.stop(paths.home()) else "embedded warehouse was not running")


def dbt_environment(url: str, threads: int) -> dict[str, str]:
    """The env the hand-run profile (dbt_project/profiles.yml) reads."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    return {
        "SMARKETING_PG_HOST": parts.hostname or "",
        "SMARKETING_PG_PORT": str(parts.port or 5432),
        "SMARKETING_PG_USER": unquote(parts.username or ""),
        "SMARKETING_PG_PASSWORD": unquote(parts.password or ""),
        "SMARKETING_PG_DATABASE": parts.path.lstrip("/"),
        "SMARKETING_DBT_THREADS": str(threads),
    }


def _dbt(url: str, dbt_args: list[str]) -> int:
    """dbt by hand reads the definitions from smarketing.yml as published here, like the DAG does."""
    import psycopg

    from smarketing.pipeline import prepare_warehouse

    config = load_config()
    with psycopg.connect(url, autocommit=True) as conn:
        prepare_warehouse(conn, config)
    return subprocess.call(
        dbt_command(dbt_args), env={**os.environ, **dbt_environment(url, config.warehouse.dbt_threads)}
    )


def dbt_command(dbt_args: list[str]) -> list[str]:
    """The virtualenv's dbt CLI on the project, with the hand-run profile (see dbt_environment)."""
    project = REPO_ROOT / "dbt_project"
    dbt = Path(sys.executable).parent / "dbt"
    return [str(dbt), *dbt_args, "--project-dir", str(project), "--profiles-dir", str(project)]


def cmd_dbt(args: argparse.Namespace) -> None:
    raise SystemExit(_dbt(_prepare(), args.dbt_args))


def cmd_docs(args: argparse.Namespace) -> None:
    """dbt docs (models, columns, lineage, the warehouse's catalog) as static HTML."""
    code = _dbt(_prepare(), ["docs", "generate"])
    if code == 0:
        print(f"dbt docs: {Path(os.environ['DBT_TARGET_PATH']) / 'index.html'}")
        print(f"serve them with: {Path(sys.executable).parent / 'smarketing'} dbt docs serve --port 8081")
    raise SystemExit(code)


def cmd_quality(args: argparse.Namespace) -> None:
    """The raw and marts gates on the warehouse as it is, recorded like nightly runs; never raises on a
    failed check, the exit code says it."""
    from smarketing.quality_summary import run_quality

    url = _prepare()
    raise SystemExit(run_quality(url, load_config(), paths.home() / "quality" / "data_docs"))


def cmd_airflow(args: argparse.Namespace) -> None:
    _prepare()
    airflow = Path(sys.executable).parent / "airflow"
    print(f"Airflow UI: http://localhost:8080 (user admin; password printed below, kept in {paths.home() / 'airflow'})")
    raise SystemExit(subprocess.call([str(airflow), "standalone"], env=os.environ.copy()))


def _day(text: str) -> date:
    return date.fromisoformat(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="smarketing", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="generate demo data, run the nightly DAG once, deliver the report locally")
    demo.add_argument("--date", type=_day, help="last day of demo data (default: yesterday)")
    demo.add_argument(
        "--api",
        type=lambda names: [name.strip() for name in names.split(",") if name.strip()],
        default=[],
        help="comma-separated sources to read through their API connectors from a local replay of the demo data "
        "(one ad platform and one CRM at most; another than Google Ads or HubSpot gets the demo world written for it)",
    )
    demo.set_defaults(func=cmd_demo)
    run = commands.add_parser("run", help="run the nightly DAG once")
    run.add_argument("--date", type=_day, help="last day the run covers (default: yesterday)")
    run.set_defaults(func=cmd_run)
    report = commands.add_parser("report", help="render and send report editions from the marts (no ETL)")
    report.add_argument(
        "--edition",
        choices=("daily", "weekly", "monthly", "all", "due"),
        default="due",
        help="which edition(s): due = by their schedules (default), all = every enabled one",
    )
    report.add_argument("--date", type=_day, help="report day (default: the latest day the ETL loaded)")
    report.set_defaults(func=cmd_report)
    commands.add_parser("warehouse", help="start the embedded warehouse; print how to connect").set_defaults(
        func=cmd_warehouse
    )
    commands.add_parser("stop", help="stop the embedded warehouse").set_defaults(func=cmd_stop)
    dbt = commands.add_parser("dbt", help="run dbt against the warehouse")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=cmd_dbt)
    commands.add_parser("docs", help="build the dbt docs of the warehouse").set_defaults(func=cmd_docs)
    commands.add_parser(
        "quality", help="run both data-quality gates now: summary and Data Docs (exit 1 on a critical failure)"
    ).set_defaults(func=cmd_quality)
    commands.add_parser("airflow", help="Airflow standalone with this project").set_defaults(func=cmd_airflow)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except ConfigError as exc:
        raise SystemExit(str(exc)) from None


if __name__ == "__main__":
    main()
