"""Where the project keeps its local state: one gitignored folder, `.smarketing/` by default."""

from __future__ import annotations

import os
from pathlib import Path

from smarketing.config import REPO_ROOT


def home() -> Path:
    """SMARKETING_HOME, or `.smarketing/` in the checkout: warehouse data, Airflow home, outputs."""
    path = Path(os.environ.get("SMARKETING_HOME", REPO_ROOT / ".smarketing")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def reports_dir() -> Path:
    return home() / "reports"


def outbox_dir() -> Path:
    return home() / "outbox"
