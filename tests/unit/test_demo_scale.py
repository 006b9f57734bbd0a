"""The scaled demo data of `make bench`: exact sizes, the demo's shapes, flat memory."""

import json
import tracemalloc
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.demo.scale import Scale, write_scaled
from smarketing.extract import google_ads, hubspot
from smarketing.extract.files import read_pages
from smarketing.extract.records import Rejection, page_rows
from smarketing.extract.streams import Window

END = date(2026, 11, 22)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scaled")
    summary = write_scaled(out, "10k", END)
    assert (summary.ad_group_rows, summary.persons) == (10_000, 10_000)
    return out


def rows_of(folder: Path, streams, name: str) -> list:
    stream = next(s for s in streams if s.name == name)
    window = Window(date(2020, 1, 1), END, ZoneInfo("UTC"), datetime(2026, 11, 23, tzinfo=UTC))
    rows = [row for page in read_pages(stream, folder) for row in page_rows(stream, page, window)]
    assert not [row for row in rows if isinstance(row, Rejection)]
    columns = [column.name for column in stream.columns]
    return [dict(zip(columns, row.values, strict=False)) for row in rows]


def test_the_10k_scale_loads_exactly_10k_ad_group_rows_and_10k_contacts(folder):
    assert len(rows_of(folder / "google_ads", google_ads.STREAMS, "ad_group_daily")) == 10_000
    contacts = rows_of(folder / "hubspot", hubspot.STREAMS, "contacts")
    assert len(contacts) == 10_000 and len({c["id"] for c in contacts}) == 10_000


def test_each_campaign_day_is_the_sum_of_its_ad_groups(folder):
    groups = rows_of(folder / "google_ads", google_ads.STREAMS, "ad_group_daily")
    campaigns = rows_of(folder / "google_ads", google_ads.STREAMS, "campaign_daily")
    metrics = ("cost_micros", "impressions", "clicks")  # COPY texts of bigints
    summed = defaultdict(lambda: [0, 0, 0])
    for row in groups:
        assert int(row["clicks"]) <= int(row["impressions"])
        totals = summed[(row["customer_id"], row["campaign_id"], row["date"])]
        for index, metric in enumerate(metrics):
            totals[index] += int(row[metric])
    assert {(r["customer_id"], r["campaign_id"], r["date"]): [int(r[m]) for m in metrics] for r in campaigns} == summed
    assert {row["currency_code"] for row in campaigns} == {"EUR", "CHF"}


def test_paid_people_name_the_scaled_campaigns(folder):
    campaign_names = {r["campaign_name"] for r in rows_of(folder / "google_ads", google_ads.STREAMS, "campaign_daily")}
    contacts = rows_of(folder / "hubspot", hubspot.STREAMS, "contacts")
    paid = [c for c in contacts if c["utm_medium"] in ("cpc", "display", "video")]
    assert 0.3 < len(paid) / len(contacts) < 0.5
    assert {c["utm_campaign"] for c in paid} <= campaign_names


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    small = Scale(ad_group_rows=500, persons=300)
    write_scaled(tmp_path / "a", small, END)
    write_scaled(tmp_path / "b", small, END)
    files = sorted(path.relative_to(tmp_path / "a") for path in (tmp_path / "a").rglob("*.json"))
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    pages = [json.loads((tmp_path / "a" / f).read_text()) for f in files if f.parts[:2] == ("hubspot", "contacts")]
    assert [p.get("paging", {}).get("next", {}).get("after") for p in pages] == ["10000101", "10000201", None]


def test_memory_stays_flat_as_the_scale_grows(tmp_path):
    def peak(scale: Scale) -> int:
        tracemalloc.start()
        write_scaled(tmp_path / str(scale.ad_group_rows), scale, END)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, ten_times = peak(Scale(4_000, 400)), peak(Scale(40_000, 4_000))
    assert ten_times < 2 * small
