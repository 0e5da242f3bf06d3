import pytest
from django.contrib.auth import get_user_model

from backend.accounts.models import ApiToken
from backend.accounts.services import api_token_create
from backend.audit.models import AuditEvent
from tests.helpers import COLLECT_HEADERS

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_hamlet_head_who_is_assigned_their_hamlets(world, client):
    client.force_login(world.users["admin"])
    response = client.post(
        "/api/v1/users",
        {
            "username": "truongap_c",
            "password": "mot-mat-khau-dai",
            "role": "hamlet_head",
            "name": "Phạm Văn Dũng",
            "hamlets": ["AP02"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["role"], body["hamlets"], body["name"]) == ("hamlet_head", ["AP02"], "Phạm Văn Dũng")
    user = get_user_model().objects.get(username="truongap_c")
    assert user.check_password("mot-mat-khau-dai") and not user.is_staff
    event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert event.actor_label == "user:quantri"


def test_a_volunteer_user_gets_the_forms_assigned_in_their_form_list(world, client):
    client.force_login(world.users["admin"])
    response = client.post(
        "/api/v1/users",
        {
            "username": "tnv_moi",
            "password": "mot-mat-khau-dai",
            "role": "volunteer",
            "hamlets": ["AP02"],
            "forms": ["ho_test"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["forms"] == ["ho_test"] and response.json()["volunteer_id"]
    client.logout()
    client.force_login(get_user_model().objects.get(username="tnv_moi"))
    form_list = client.get("/formList", **COLLECT_HEADERS)
    assert b"<formID>ho_test</formID>" in form_list.content


def test_an_unknown_hamlet_or_a_duplicate_username_is_refused_and_nothing_is_stored(world, client):
    client.force_login(world.users["admin"])
    before = get_user_model().objects.count()
    response = client.post(
        "/api/v1/users",
        {"username": "x_moi", "password": "mot-mat-khau-dai", "role": "hamlet_head", "hamlets": ["AP99"]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "AP99" in response.json()["message"]
    response = client.post(
        "/api/v1/users",
        {"username": "lanhdao", "password": "mot-mat-khau-dai", "role": "viewer"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert get_user_model().objects.count() == before
    assert not AuditEvent.objects.filter(action="user.create", details__username="x_moi").exists()


def test_an_admin_moves_a_hamlet_head_to_another_hamlet_and_one_audit_row_records_it(world, client):
    head = world.users["hamlet_head"]
    client.force_login(world.users["admin"])
    response = client.patch(f"/api/v1/users/{head.pk}", {"hamlets": ["AP02"]}, content_type="application/json")
    assert response.status_code == 200 and response.json()["hamlets"] == ["AP02"]
    rows = AuditEvent.objects.filter(action="user.update", object_id=str(head.pk))
    assert rows.count() == 1 and rows.get().details == {"changed": {"hamlets": ["AP02"]}}


def test_deactivating_a_user_also_revokes_their_api_tokens(world, client):
    leader = world.users["leadership"]
    token = api_token_create(user=leader, name="script")
    client.force_login(world.users["admin"])
    assert (
        client.patch(f"/api/v1/users/{leader.pk}", {"is_active": False}, content_type="application/json").status_code
        == 200
    )
    client.logout()
    assert client.get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert ApiToken.objects.get(user=leader).revoked_at is not None


def test_only_an_admin_manages_users(world, client):
    for role in ("leadership", "hamlet_head", "volunteer", "viewer"):
        client.force_login(world.users[role])
        assert client.get("/api/v1/users").status_code == 403
        assert (
            client.post(
                "/api/v1/users",
                {"username": "x", "password": "mot-mat-khau-dai", "role": "admin"},
                content_type="application/json",
            ).status_code
            == 403
        )
    assert not get_user_model().objects.filter(username="x").exists()


def test_a_revoked_api_token_is_refused_at_once_and_its_revocation_leaves_exactly_one_audit_row(world, client):
    leader = world.users["leadership"]
    token = api_token_create(user=leader, name="báo cáo")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    tokens = client.get("/api/v1/tokens", **bearer)
    assert tokens.status_code == 200
    token_id = tokens.json()[0]["id"]

    response = client.post(f"/api/v1/tokens/{token_id}/revoke", **bearer)
    assert response.status_code == 200 and response.json()["revoked_at"]
    assert client.get("/api/v1/tokens", **bearer).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token_id)).count() == 1

    client.force_login(leader)
    client.post(f"/api/v1/tokens/{token_id}/revoke")  # again: nothing changes, nothing recorded
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token_id)).count() == 1


def test_someone_elses_api_token_cannot_be_revoked_or_even_seen(world, client):
    api_token_create(user=world.users["leadership"], name="lãnh đạo")
    token_id = ApiToken.objects.get().pk
    client.force_login(world.users["viewer"])
    assert client.get("/api/v1/tokens").json() == []
    assert client.post(f"/api/v1/tokens/{token_id}/revoke").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_a_revoked_device_is_refused_on_its_next_request(world, client):
    key = f"/key/{world.device_token}"
    assert client.get(f"{key}/formList", **COLLECT_HEADERS).status_code == 200
    client.force_login(world.users["admin"])
    response = client.post(f"/api/v1/volunteers/{world.volunteer.pk}/revoke")
    assert response.status_code == 200 and response.json()["revoked_devices"] == 1
    client.logout()
    refused = client.get(f"{key}/formList", **COLLECT_HEADERS)
    assert refused.status_code == 403
    assert "revoked" in refused.content.decode()
    assert AuditEvent.objects.filter(action="device_token.revoke").count() == 1


def test_an_admin_reassigns_a_volunteers_forms_and_hamlets(world, client):
    client.force_login(world.users["admin"])
    response = client.patch(
        f"/api/v1/volunteers/{world.other_volunteer.pk}",
        {"forms": [], "hamlets": ["AP01"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["forms"], response.json()["hamlets"]) == ([], ["AP01"])
    client.logout()
    form_list = client.get(f"/key/{world.other_device_token}/formList", **COLLECT_HEADERS)
    assert b"ho_test" not in form_list.content
    assert AuditEvent.objects.filter(action="volunteer.assign").count() == 1
