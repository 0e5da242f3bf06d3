"""The data version the stored results are checked against (backend/reports/data_version.py):
it must see every change a reader would see, including a submission whose transaction took its
id first and committed last, and it must not call unchanged data stale because the anchor moved."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from backend.places.models import Hamlet
from backend.reports.data_version import data_version_current, data_version_take
from tests.analytics.builders import household
from tests.reports.factories import small_commune, store

pytestmark = pytest.mark.usefixtures("postgres_only")


def _other_session() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=False
    )


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_late_and_out_of_id_order_is_seen():
    forms = small_commune()
    with _other_session() as late:
        # A submission's transaction takes its change row's id, then waits (a slow upload).
        late.execute(
            "INSERT INTO core_change (kind, key, hamlet_code, xid, created_at) "
            "VALUES ('submission', 'late', 'AP01', pg_current_xact_id(), now())"
        )
        store(forms, household("AP01"))  # a later id, committed first
        version = data_version_take().encode()
        assert data_version_current(version)
        late.commit()  # the lower id becomes visible below the newest one
    assert not data_version_current(version)
    assert data_version_current(data_version_take().encode())


@pytest.mark.django_db(transaction=True)
def test_unchanged_data_stays_current_while_other_transactions_move_the_anchor():
    forms = small_commune()
    version = data_version_take().encode()
    with _other_session() as other:
        for _ in range(3):  # transactions that write nothing the results read
            other.execute("CREATE TEMP TABLE IF NOT EXISTS t (x int); INSERT INTO t VALUES (1)")
            other.commit()
    later = data_version_take().encode()
    assert data_version_current(version) and data_version_current(later)
    store(forms, household("AP02"))
    assert not data_version_current(version) and not data_version_current(later)


@pytest.mark.django_db
def test_a_hamlet_register_figure_edited_makes_the_version_stale():
    small_commune()
    version = data_version_take().encode()
    hamlet = Hamlet.objects.get(code="AP02")
    hamlet.registered_households = 30
    hamlet.save()
    assert not data_version_current(version)


@pytest.mark.django_db
def test_a_version_of_the_earlier_scheme_is_stale():
    small_commune()
    assert not data_version_current("3f2a9c0d1e")  # a hex fingerprint stored before issue 18
