"""Connectors: what each source's streams look like and how their pages are read.

A connector is the module smarketing.extract.<source> declaring its STREAMS; one that can read
its platform's API as well has smarketing.extract.<source>_api, whose `connect(settings)` gives
the API of one run: `pages(stream, window, cursors)` reads, `close()` ends it.
"""

from __future__ import annotations

from importlib import import_module

from smarketing.extract.streams import Stream

# Every source a configuration may name, in the order the DAG lists them; one line each.
CONNECTORS = (
    "google_ads",
    "meta_ads",
    "hubspot",
    "salesforce",
    "amocrm",
    "bitrix24",
    "yandex_direct",
    "linkedin_ads",
    "fx_rates",
)
# The connectors that can read their platform's API (`conn_id`); one line each.
API_CONNECTORS = (
    "google_ads",
    "amocrm",
    "meta_ads",
    "hubspot",
    "bitrix24",
    "yandex_direct",
    "salesforce",
    "linkedin_ads",
)

STREAMS: dict[str, tuple[Stream, ...]] = {
    source: import_module(f"smarketing.extract.{source}").STREAMS for source in CONNECTORS
}


def streams_of(source: str) -> tuple[Stream, ...]:
    return STREAMS[source]
