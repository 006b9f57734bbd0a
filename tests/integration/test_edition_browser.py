"""The edition in a real browser: headless Chromium (Debian's `chromium`) loads the HTML with its
charts, every image loads, nothing is wider than the 600 px e-mail column, and a screenshot is
saved. Without Chromium the test is skipped, saying how to install it."""

from __future__ import annotations

import importlib.util
import shutil
import struct
from pathlib import Path

import pytest

from smarketing.report.browser import COLUMN_WIDTH, check_page, screenshot, write_preview
from smarketing.report.edition_render import render_edition

pytestmark = pytest.mark.integration


def _edition_fixture():
    """The hand-made ReportData of the unit tests (tests/ is not a package)."""
    path = Path(__file__).parent.parent / "unit" / "test_edition_render.py"
    spec = importlib.util.spec_from_file_location("edition_fixture", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def chromium():
    if shutil.which("chromium") is None:
        pytest.skip("chromium not installed: apt-get install chromium")


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_the_edition_loads_every_image_and_fits_a_600px_column(chromium, tmp_path):
    fixture = _edition_fixture()
    rendered = render_edition(fixture.make_data(), generated_at=fixture.GENERATED_AT)
    page = write_preview(rendered, tmp_path / "preview")
    assert "cid:" not in page.read_text(encoding="utf-8")

    check = check_page(page, width=COLUMN_WIDTH)
    assert [image["src"] for image in check.images] == ["spend_leads.png", "funnel.png", "channels.png"]
    assert check.broken_images == ()
    for image in check.images:
        assert image["naturalWidth"] == 1120  # drawn at 2x
        assert 540 <= image["width"] <= 560  # shown in the column, not at natural size
    assert check.scroll_width <= COLUMN_WIDTH, f"the page is {check.scroll_width}px wide"

    shot = screenshot(page, tmp_path / "edition.png", height=check.scroll_height)
    width, height = png_size(shot)
    assert width == COLUMN_WIDTH
    assert height == check.scroll_height > 2000  # the whole edition, not a blank page


def test_a_missing_image_is_reported(chromium, tmp_path):
    fixture = _edition_fixture()
    rendered = render_edition(fixture.make_data(), generated_at=fixture.GENERATED_AT)
    page = write_preview(rendered, tmp_path / "preview")
    (page.parent / "funnel.png").unlink()
    assert check_page(page).broken_images == ("funnel.png",)
