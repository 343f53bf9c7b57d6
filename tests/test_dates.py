"""catalog/dates.py: the catalog's `date` is datetime's own class, without importing the
pure-Python datetime module on Python 3.11."""

from __future__ import annotations

import datetime

from llm_pick.catalog.compiled import as_of
from llm_pick.catalog.dates import date
from llm_pick.catalog.load import load_catalog


def test_the_date_class_is_datetimes() -> None:
    assert date is datetime.date
    found = as_of()
    assert isinstance(found, datetime.date) and found.isoformat() == str(found)
    assert all(isinstance(m.release_date, datetime.date) for m in load_catalog() if m.release_date)
