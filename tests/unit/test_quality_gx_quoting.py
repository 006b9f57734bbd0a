"""GX's case-insensitive column names against SQLAlchemy's cache of quoted identifiers."""

import sqlalchemy as sa
from great_expectations.expectations.metrics.util import CaseInsensitiveString
from sqlalchemy.dialects import postgresql

from smarketing.quality import _quote_mixed_case_columns


def test_a_mixed_case_column_is_quoted_after_its_lower_case_twin_was_cached():
    _quote_mixed_case_columns()
    dialect = postgresql.dialect()
    dialect.identifier_preparer.quote("name")  # as SQLAlchemy's own catalog query leaves it cached

    def compiled(column: str) -> str:
        return str(sa.select(sa.column(CaseInsensitiveString(column))).compile(dialect=dialect))

    assert compiled("Name") == 'SELECT "Name"'
    assert compiled("name") == "SELECT name"
    assert compiled("status_id") == "SELECT status_id"
