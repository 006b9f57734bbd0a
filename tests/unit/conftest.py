from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from smarketing.demo.generator import DemoSummary, generate

WorldBesideGoogle = tuple[Path, Path, DemoSummary]


@pytest.fixture(scope="module")
def world_beside_google_ads(tmp_path_factory) -> Callable[[str, date, int], WorldBesideGoogle]:
    """The demo world written for an ad platform (its demo-data folder), the Google Ads folder of the
    same simulated company (the reference its numbers are checked against), and what it spent."""

    def written_for(ad_platform: str, end: date, days: int) -> WorldBesideGoogle:
        translated, google = tmp_path_factory.mktemp(ad_platform), tmp_path_factory.mktemp("google_ads")
        summary = generate(translated, end, days, ad_platform=ad_platform)
        generate(google, end, days)
        return translated, google / "google_ads", summary

    return written_for
