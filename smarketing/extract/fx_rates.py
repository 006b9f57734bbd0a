"""FX rates: the ECB's euro foreign exchange reference rates, `eurofxref-hist.csv` (unzipped).

One wide line per TARGET working day, newest first: `Date,USD,JPY,...,ZAR,` (a trailing comma
on every line), each value the units of that currency per 1 EUR, `N/A` where the ECB published
no rate (currencies that joined the euro or were suspended). There are no weekend or TARGET
holiday lines. Each line becomes one row per currency with a rate.

Only rows are added, never replaced by scope: the ECB does not revise published rates, and a
folder may hold a shorter file (a partial download, a hand-made file) that must not delete the
days it lacks. Rows merge by (date, currency) like every stream; the window is on the date and
reaches 10 days further back, so the first days of the history window have a rate to carry forward.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from smarketing.extract.currencies import CURRENCY_CODES
from smarketing.extract.streams import Column, Stream

DATE_FIELD = "Date"
NOT_PUBLISHED = "N/A"


def ecb_rates(record: dict[str, str]) -> Iterator[tuple[dict[str, str | None], Mapping[str, str]]]:
    """One ECB line -> (date, currency, rate) records, skipping `N/A` and empty cells."""
    day = record.get(DATE_FIELD)
    for currency, rate in record.items():
        if currency == DATE_FIELD or rate in ("", NOT_PUBLISHED):
            continue
        yield {"date": day, "currency": currency, "rate": rate}, {"date": DATE_FIELD, "rate": currency}


STREAMS = (
    Stream(
        source="fx_rates",
        name="daily",
        files="*.csv",
        records_at="rows",
        columns=(
            Column("date", "date", "date", required=True, not_future=True),
            Column("currency", "text", "currency", required=True, allowed=CURRENCY_CODES),
            Column("rate", "numeric", "rate", required=True, positive=True),
        ),
        natural_key=("date", "currency"),
        window_column="date",
        replace_scope=None,
        format="csv",
        explode=ecb_rates,
        # Covers the longest gap between two publications (Easter, Christmas to New Year) so
        # the first days of a window have a rate to carry forward.
        reach_back_days=10,
    ),
)
