"""The environment every entry point (CLI, Makefile targets, tests) runs Airflow, dbt and GX in.

Set before Airflow is imported: Airflow reads its configuration once, at import.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from smarketing.config import REPO_ROOT

# Cosmos, GX, dbt and Airflow phone home by default; without network that only fails slowly.
TELEMETRY_OFF = {
    "SCARF_ANALYTICS": "false",
    "DO_NOT_TRACK": "1",
    "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
    "GX_ANALYTICS_ENABLED": "False",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
}


def airflow_environment(home: Path) -> dict[str, str]:
    airflow_home = home / "airflow"
    return {
        **TELEMETRY_OFF,
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        # dbt and Cosmos keep caches next to the project; the gitignored home keeps the tree clean.
        "DBT_LOG_PATH": str(home / "dbt" / "logs"),
        "DBT_TARGET_PATH": str(home / "dbt" / "target"),
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos"),
    }


def apply_environment(home: Path, override: bool = False) -> None:
    """Export the environment unless the user already set a variable (they win)."""
    for key, value in airflow_environment(home).items():
        if override or key not in os.environ:
            os.environ[key] = value
    # Cosmos looks for `dbt` on PATH even when it runs dbt in-process: the venv's bin comes first.
    venv_bin = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != venv_bin:
        os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")
    (home / "airflow").mkdir(parents=True, exist_ok=True)
