"""The feed is read in commit order, not insert order: a transaction that started first and
commits last is not skipped by a reader that already went past the rows committed meanwhile
(issue 13). Real PostgreSQL, two connections (threads), no mocks."""

import threading

import pytest
from django.db import connection, transaction

from backend.accounts.actors import actor_for_device_token
from backend.core.models import Change
from backend.feed.selectors import changes_page
from backend.surveys.models import FormState
from backend.surveys.services import form_state_set

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_change_committed_late_is_served_after_the_cursor_that_went_past_it(devices, register):
    if connection.vendor != "postgresql":
        pytest.skip("commit order needs PostgreSQL's transaction ids")
    volunteer, token = devices["AP01"]
    actor = actor_for_device_token(token)
    form = volunteer.forms.get()
    first = changes_page(actor)
    seen = {(c["kind"], c["id"]) for c in first.changes}
    assert ("form", str(form.pk)) in seen

    inserted, release, done = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def slow_writer():
        # Starts first, writes its change row first (smaller id, smaller xid), commits last.
        try:
            with transaction.atomic():
                form_state_set(form=form, state=FormState.CLOSING)
                inserted.set()
                release.wait(30)
        except Exception as exc:  # pragma: no cover - surfaced by the assert below
            errors.append(exc)
        finally:
            connection.close()
            done.set()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert inserted.wait(30)
    # Meanwhile a quick transaction (this connection) changes a household and commits.
    from backend.registers.models import Household
    from backend.registers.services import household_delete

    household = Household.objects.filter(hamlet__code="AP01").first()
    household_delete(household=household, user=None)
    slow_id = Change.objects.filter(kind="form").order_by("-id").values_list("id", flat=True).first()
    quick_id = Change.objects.filter(kind="household").order_by("-id").values_list("id", flat=True).first()
    assert quick_id > slow_id  # the slow one holds the smaller id, yet is not committed

    during = changes_page(actor, since=first.cursor)
    # An id-ordered reader would serve the household now and move its cursor past the form's
    # row; ours serves nothing until the older transaction ends.
    assert during.changes == []
    assert during.cursor == first.cursor

    release.set()
    assert done.wait(30)
    writer.join()
    assert not errors
    after = changes_page(actor, since=during.cursor)
    got = [(c["kind"], c["id"], c["op"]) for c in after.changes]
    assert got == [("form", str(form.pk), "delete"), ("household", str(household.pk), "delete")]
    # And the cursor survives a restart: it is only numbers from the database.
    assert changes_page(actor, since=after.cursor).changes == []
