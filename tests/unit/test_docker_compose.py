"""The Docker deployment: docker-compose.yml and the Dockerfile fit Airflow 3 and this repo.

No Docker engine is needed; the files are read as data. `docker compose config` runs only
where the Compose plugin is installed.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

# Airflow 3 runs each component as its own `airflow <subcommand>`.
AIRFLOW_COMMANDS = {
    "airflow-apiserver": ["api-server"],
    "airflow-scheduler": ["scheduler"],
    "airflow-dag-processor": ["dag-processor"],
    "airflow-triggerer": ["triggerer"],
    "airflow-init": ["db", "migrate"],
}
AIRFLOW_SERVICES = sorted(AIRFLOW_COMMANDS)
LONG_RUNNING_AIRFLOW_SERVICES = sorted(set(AIRFLOW_COMMANDS) - {"airflow-init"})
EXPECTED_SERVICES = {"warehouse", "airflow-db", "mailcatcher", *AIRFLOW_COMMANDS}

# Project paths the stack may bind-mount. Some are being written by others right now, so
# membership in this set is checked, not existence on disk.
PROJECT_MOUNTS = {"dags", "dbt_project", "expectations", "reports", "smarketing", "smarketing.yml"}
PROJECT_DIR_IN_IMAGE = "/opt/smarketing"

DEPENDS_ON_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}

# Env names that are deliberately not options of the installed Airflow core config.
NOT_CORE_AIRFLOW_OPTIONS = {
    # Section removed with Scarf in Airflow 3; a no-op kept for older images.
    "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED",
    # Read by astronomer-cosmos from its own [cosmos] section.
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def _command(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def _depends_on(service: dict) -> dict[str, str]:
    """Target -> condition, for both the list and the mapping form of depends_on."""
    depends_on = service.get("depends_on", {})
    if isinstance(depends_on, list):
        return {target: "service_started" for target in depends_on}
    return {target: spec.get("condition", "service_started") for target, spec in depends_on.items()}


def _mounts(service: dict) -> list[tuple[str, str, bool]]:
    """(source, target, read_only) for short- and long-syntax volume entries."""
    mounts = []
    for entry in service.get("volumes", []):
        if isinstance(entry, dict):
            mounts.append((entry["source"], entry["target"], bool(entry.get("read_only"))))
            continue
        source, target, *rest = entry.split(":")
        mounts.append((source, target, "ro" in (rest[0].split(",") if rest else [])))
    return mounts


def _is_bind_source(source: str) -> bool:
    return source.startswith((".", "/", "~", "$"))


def _pyproject_pin(name: str) -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        match = re.fullmatch(rf"{re.escape(name)}\s*==\s*([\w.]+)", requirement.strip())
        if match:
            return match.group(1)
    raise AssertionError(f"pyproject.toml does not pin {name} with ==")


def _base_images() -> list[str]:
    images = []
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words and words[0].upper() == "FROM":
            images.append(next(word for word in words[1:] if not word.startswith("--")))
    return images


def test_compose_uses_the_compose_spec_without_version_key(compose: dict) -> None:
    assert "version" not in compose


def test_expected_services_exist(services: dict) -> None:
    assert set(services) >= EXPECTED_SERVICES, EXPECTED_SERVICES - set(services)


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_service_runs_the_airflow3_subcommand(services: dict, name: str) -> None:
    assert _command(services[name]) == AIRFLOW_COMMANDS[name]


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_service_is_built_from_the_dockerfile(services: dict, name: str) -> None:
    build = services[name]["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    assert (ROOT / context / "Dockerfile").resolve() == DOCKERFILE


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_service_has_connections_and_dags_folder(services: dict, name: str) -> None:
    environment = services[name]["environment"]
    assert "AIRFLOW_CONN_SMARKETING_WAREHOUSE" in environment
    assert "AIRFLOW_CONN_SMTP_DEFAULT" in environment
    assert environment["AIRFLOW__CORE__DAGS_FOLDER"] == f"{PROJECT_DIR_IN_IMAGE}/dags"
    assert environment["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert environment["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    dags_mounts = [(s, t) for s, t, _ in _mounts(services[name]) if t == f"{PROJECT_DIR_IN_IMAGE}/dags"]
    assert dags_mounts == [("./dags", f"{PROJECT_DIR_IN_IMAGE}/dags")]


def test_airflow_metadata_db_is_not_the_warehouse(services: dict) -> None:
    url = urlsplit(services["airflow-scheduler"]["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert url.hostname == "airflow-db"
    assert services["airflow-db"]["image"] == services["warehouse"]["image"] == "postgres:18"


def test_warehouse_connection_points_at_the_warehouse_service(services: dict) -> None:
    url = urlsplit(services["airflow-scheduler"]["environment"]["AIRFLOW_CONN_SMARKETING_WAREHOUSE"])
    warehouse_env = services["warehouse"]["environment"]
    assert url.scheme == "postgresql"
    assert (url.hostname, url.port) == ("warehouse", 5432)
    assert url.username == warehouse_env["POSTGRES_USER"] == "smarketing"
    assert url.password == warehouse_env["POSTGRES_PASSWORD"]
    assert url.path == f"/{warehouse_env['POSTGRES_DB']}" == "/smarketing"


def test_smtp_connection_points_at_the_mail_catcher_without_tls(services: dict) -> None:
    url = urlsplit(services["airflow-scheduler"]["environment"]["AIRFLOW_CONN_SMTP_DEFAULT"])
    assert url.scheme == "smtp"
    assert (url.hostname, url.port) == ("mailcatcher", 1025)
    # The SMTP provider's SmtpHook reads these extras; the catcher speaks plain SMTP.
    assert parse_qs(url.query) == {"disable_ssl": ["true"], "disable_tls": ["true"]}


def test_airflow_env_names_are_options_of_the_installed_airflow(services: dict) -> None:
    spec = importlib.util.find_spec("airflow")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("apache-airflow is not installed")
    templates = Path(next(iter(spec.submodule_search_locations))) / "config_templates" / "config.yml"
    known = {
        f"AIRFLOW__{section.upper()}__{option.upper()}"
        for section, body in yaml.safe_load(templates.read_text(encoding="utf-8")).items()
        for option in (body.get("options") or {})
    }
    names = {
        name
        for service in AIRFLOW_SERVICES
        for name in services[service]["environment"]
        if name.startswith("AIRFLOW__")
    }
    assert names - known - NOT_CORE_AIRFLOW_OPTIONS == set()


def test_every_depends_on_target_is_a_defined_service(services: dict) -> None:
    for name, service in services.items():
        for target, condition in _depends_on(service).items():
            assert target in services, f"{name} depends on undefined service {target}"
            assert condition in DEPENDS_ON_CONDITIONS, f"{name}: {condition}"
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits on {target} health"


@pytest.mark.parametrize("name", LONG_RUNNING_AIRFLOW_SERVICES)
def test_airflow_components_wait_for_migration(services: dict, name: str) -> None:
    depends_on = _depends_on(services[name])
    assert depends_on["airflow-init"] == "service_completed_successfully"
    assert depends_on["airflow-db"] == "service_healthy"


def test_bind_mounts_are_read_only_project_paths(compose: dict, services: dict) -> None:
    declared_volumes = set(compose.get("volumes") or {})
    for name, service in services.items():
        for source, target, read_only in _mounts(service):
            if not _is_bind_source(source):
                assert source in declared_volumes, f"{name}: undeclared volume {source}"
                continue
            assert source.startswith("./"), f"{name}: {source} is not relative to the repo"
            relative = Path(source).as_posix()
            assert relative in PROJECT_MOUNTS, f"{name}: unexpected bind mount {source}"
            assert target == f"{PROJECT_DIR_IN_IMAGE}/{relative}"
            assert read_only, f"{name}: {source} should be mounted read-only"


def test_dockerfile_pins_the_airflow_image_of_pyproject() -> None:
    airflow_version = _pyproject_pin("apache-airflow")
    assert airflow_version == "3.3.2"
    assert _base_images() == [f"apache/airflow:{airflow_version}-python3.11"]


def test_dockerfile_copies_every_mounted_project_path() -> None:
    copied = {
        word.rstrip("/")
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if line.startswith("COPY ")
        for word in line.split()[1:-1]
        if not word.startswith("--")
    }
    assert copied >= PROJECT_MOUNTS, PROJECT_MOUNTS - copied


def test_docker_compose_config_is_valid() -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker CLI not installed")
    if subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode:
        pytest.skip("docker CLI has no compose plugin")
    result = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
