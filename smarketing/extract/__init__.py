"""Connectors: what each source's streams look like and how their pages are read."""

from __future__ import annotations

from smarketing.extract import fx_rates, google_ads, hubspot, meta_ads
from smarketing.extract.streams import Stream

STREAMS: dict[str, tuple[Stream, ...]] = {
    "google_ads": google_ads.STREAMS,
    "meta_ads": meta_ads.STREAMS,
    "hubspot": hubspot.STREAMS,
    "fx_rates": fx_rates.STREAMS,
}


def streams_of(source: str) -> tuple[Stream, ...]:
    return STREAMS[source]
