from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from backend.accounts.actors import actor_for_user
from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.audit.http import client_ip
from backend.audit.models import AppendOnlyError, AuditEvent
from backend.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return user_create(username="quantri", password="quan-tri-pass-1", role=Role.ADMIN)


@pytest.fixture
def leader(db):
    return user_create(username="lanhdao", password="lanh-dao-pass-1", role=Role.LEADERSHIP)


def test_an_audit_row_says_who_did_what_to_which_object_and_from_where(admin, rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    event = audit_record(
        actor=actor_for_user(admin), action="form.publish", obj=admin, ip=client_ip(request), note="ấp 1"
    )
    event.refresh_from_db()
    assert (event.actor_user, event.actor_label, event.action) == (admin, "user:quantri", "form.publish")
    assert (event.object_type, event.object_id, event.ip) == ("auth.user", str(admin.pk), "203.0.113.7")
    assert event.details == {"note": "ấp 1"}


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(admin):
    event = audit_record(actor=admin, action="x.y")
    event.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"


def test_the_database_refuses_raw_updates_and_deletes_of_audit_rows(admin, postgres_only):
    event = audit_record(actor=admin, action="x.y")
    for sql in (
        "UPDATE audit_auditevent SET action = 'rewritten' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_truncate_of_the_audit_table(postgres_only):
    # Issue 17: TRUNCATE fires no row trigger, so it emptied the log. Test sessions allow it
    # for their teardown (tests/conftest.py); here the session takes that back first. The row
    # is committed first: PostgreSQL refuses a TRUNCATE after an INSERT in the same transaction
    # for another reason.
    audit_record(actor=None, action="x.y")
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL phulam.audit_truncate = ''")
            cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(action="x.y").exists()


def test_admins_query_the_log_by_actor_action_and_time(admin, leader, client):
    audit_record(actor=leader, action="submission.export")
    audit_record(actor=leader, action="submission.read")
    audit_record(actor=admin, action="submission.read")
    client.force_login(admin)

    rows = client.get("/api/v1/audit", {"actor": "lanhdao"}).json()
    assert rows["count"] == 2 and {r["action"] for r in rows["results"]} == {"submission.export", "submission.read"}
    rows = client.get("/api/v1/audit", {"action": "submission.read"}).json()
    assert sorted(r["actor_label"] for r in rows["results"]) == ["user:lanhdao", "user:quantri"]
    rows = client.get("/api/v1/audit", {"action": "submission."}).json()
    assert rows["count"] == 3
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.get("/api/v1/audit", {"since": tomorrow}).json()["count"] == 0
    assert client.get("/api/v1/audit", {"until": tomorrow}).json()["count"] >= 3


def test_a_malformed_date_filter_is_a_400_not_an_empty_list(admin, client):
    client.force_login(admin)
    response = client.get("/api/v1/audit", {"since": "hôm qua"})
    assert response.status_code == 400
    assert "since" in response.json()


def test_only_admins_read_the_log_and_nobody_writes_it_through_the_api(admin, leader, client):
    audit_record(actor=admin, action="x.y")
    client.force_login(leader)
    assert client.get("/api/v1/audit").status_code == 403
    client.force_login(admin)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/v1/audit", {}, content_type="application/json").status_code == 405
    assert AuditEvent.objects.filter(action="x.y").count() == 1


def test_the_admin_site_shows_the_log_read_only(admin, client):
    event = audit_record(actor=admin, action="x.y")
    client.force_login(admin)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    page = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "rewritten"})
    assert page.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"
