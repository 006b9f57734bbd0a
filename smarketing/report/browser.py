"""Look at a rendered edition in a real browser (headless Chromium): write it out with its images
as files, check that every image loads and nothing is wider than the e-mail column, and take a
screenshot (for the tests, and for `docs/report.png`).

Debian's `chromium` package provides the browser; without it these functions raise
`ChromiumNotFound`, and the tests that use them are skipped with that reason.
"""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from smarketing.report.edition_render import RenderedEdition

COLUMN_WIDTH = 600
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
# Runs in the checked copy only (the e-mail itself has no script): once everything has loaded,
# write what the test needs into the DOM, where --dump-dom shows it.
_PROBE = """<script>
window.addEventListener("load", function () {
  var images = Array.prototype.map.call(document.images, function (img) {
    return {src: img.getAttribute("src"), complete: img.complete, naturalWidth: img.naturalWidth,
            width: img.getBoundingClientRect().width};
  });
  var out = document.createElement("pre");
  out.id = "smarketing-probe";
  out.textContent = JSON.stringify({images: images,
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight});
  document.body.appendChild(out);
});
</script>"""
_PROBE_RESULT = re.compile(r'<pre id="smarketing-probe">(.*?)</pre>', re.DOTALL)


class ChromiumNotFound(RuntimeError):
    pass


@dataclass(frozen=True)
class PageCheck:
    images: tuple[dict, ...]  # src, complete, naturalWidth, width (as laid out)
    scroll_width: int
    scroll_height: int

    @property
    def broken_images(self) -> tuple[str, ...]:
        return tuple(image["src"] for image in self.images if not image["complete"] or image["naturalWidth"] <= 0)


def chromium() -> str:
    """The Chromium binary, or ChromiumNotFound saying how to install it."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise ChromiumNotFound("chromium not installed: apt-get install chromium")


def write_preview(rendered: RenderedEdition, out_dir: Path) -> Path:
    """The HTML part as a page a browser can open: each `cid:` becomes the image's file name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = rendered.html
    for image in rendered.images:
        (out_dir / image.filename).write_bytes(image.png)
        html = html.replace(f'src="cid:{image.cid}"', f'src="{image.filename}"')
    path = out_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def check_page(html_path: Path, *, width: int = COLUMN_WIDTH, timeout: float = 60) -> PageCheck:
    """Load a copy of the page with a probe script in a `width` px wide window; report whether
    its images loaded and how wide and tall the document is."""
    probed = html_path.with_name(f".probe-{html_path.name}")
    html = html_path.read_text(encoding="utf-8")
    probed.write_text(html.replace("</body>", _PROBE + "</body>", 1), encoding="utf-8")
    try:
        dom = _run(["--virtual-time-budget=5000", f"--window-size={width},800", "--dump-dom", probed.as_uri()], timeout)
    finally:
        probed.unlink(missing_ok=True)
    found = _PROBE_RESULT.search(dom)
    if not found:
        raise RuntimeError(f"the probe did not run in Chromium; page dump starts {dom[:300]!r}")
    result = json.loads(html_module.unescape(found.group(1)))  # --dump-dom escapes the text
    return PageCheck(
        images=tuple(result["images"]), scroll_width=result["scrollWidth"], scroll_height=result["scrollHeight"]
    )


def screenshot(html_path: Path, png_path: Path, *, width: int = COLUMN_WIDTH, height: int | None = None) -> Path:
    """A PNG of the page at `width` px; `height` defaults to the page's full height."""
    if height is None:
        height = check_page(html_path, width=width).scroll_height
    png_path.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            "--virtual-time-budget=5000",
            f"--window-size={width},{height}",
            f"--screenshot={png_path}",
            html_path.as_uri(),
        ]
    )
    if not png_path.exists():
        raise RuntimeError(f"Chromium wrote no screenshot to {png_path}")
    return png_path


def _run(arguments: list[str], timeout: float = 60) -> str:
    binary = chromium()
    with tempfile.TemporaryDirectory(prefix="smarketing-chromium-") as profile:
        completed = subprocess.run(
            [binary, *_FLAGS, f"--user-data-dir={profile}", *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if completed.returncode != 0:
        raise RuntimeError(f"Chromium exited with {completed.returncode}: {completed.stderr[-2000:]}")
    return completed.stdout
