"""The register for hamlet heads: their hamlet's households, conflicts and their resolution
(audited with the address), households added in the field, duplicate visits in a round."""

import uuid

from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create
from backend.audit.models import AuditEvent
from backend.registers.models import Household, HouseholdConflict
from tests.registers.conftest import household_instance, send


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}", "REMOTE_ADDR": "10.0.0.7"}


def conflict_in(client, devices, ap="AP01"):
    _, token = devices[ap]
    entity = str(uuid.uuid4())
    send(client, token, household_instance(entity_id=entity, create=True, ap=ap, label="Lan", ma_ho="H001"))
    for mo_ta in ("Nhà hai tầng", "Nhà cấp bốn"):
        send(
            client,
            token,
            household_instance(
                entity_id=entity,
                update=True,
                base_version="1",
                ap=ap,
                label="Lan",
                ma_ho="H001",
                mo_ta=mo_ta,
                today="2026-12-03",
            ),
        )
    return entity


def test_a_hamlet_head_lists_only_their_hamlets_households_and_those_added_in_the_field(client, devices, hamlet_head):
    conflict_in(client, devices, "AP01")
    conflict_in(client, devices, "AP02")
    body = client.get("/api/v1/registers/households", **bearer(hamlet_head)).json()
    assert body["count"] == 1 and body["results"][0]["hamlet"] == "AP01"
    assert body["results"][0]["added_in_field"] is True and body["results"][0]["version"] == 3
    assert client.get("/api/v1/registers/households?hamlet=AP02", **bearer(hamlet_head)).json()["count"] == 0
    assert client.get("/api/v1/registers/households?added_in_field=0", **bearer(hamlet_head)).json()["count"] == 0
    viewer = user_create(username="xem", password="s3cret-pass", role=Role.VIEWER)
    assert client.get("/api/v1/registers/households", **bearer(viewer)).status_code == 403


def test_conflicts_are_listed_for_the_hamlet_head_and_resolving_restores_and_is_audited(client, devices, hamlet_head):
    entity = conflict_in(client, devices, "AP01")
    conflict_in(client, devices, "AP02")
    body = client.get("/api/v1/registers/households/conflicts", **bearer(hamlet_head)).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert (item["household"], item["kind"], item["fields"]) == (entity, "hard", ["mo_ta"])
    assert item["values"] == {"mo_ta": {"before": "Nhà hai tầng", "after": "Nhà cấp bốn"}}
    other = HouseholdConflict.objects.exclude(household_id=entity).get()
    url = "/api/v1/registers/households/conflicts/{}/resolve"
    assert (
        client.post(
            url.format(other.pk), {"resolution": "keep"}, content_type="application/json", **bearer(hamlet_head)
        ).status_code
        == 404
    )
    response = client.post(
        url.format(item["id"]),
        {"resolution": "restore", "note": "Đã hỏi lại chủ hộ"},
        content_type="application/json",
        **bearer(hamlet_head),
    )
    assert response.status_code == 200, response.content
    assert response.json()["resolution"] == "restore" and response.json()["resolved_by"] == "truong_ap1"
    household = Household.objects.get(pk=entity)
    assert (household.mo_ta, household.version) == ("Nhà hai tầng", 4)
    event = AuditEvent.objects.get(action="household.conflict.resolve")
    assert event.ip == "10.0.0.7" and event.object_id == entity
    again = client.post(
        url.format(item["id"]), {"resolution": "keep"}, content_type="application/json", **bearer(hamlet_head)
    )
    assert again.status_code == 409 and again.json()["code"] == "409.31"
    assert client.get("/api/v1/registers/households/conflicts", **bearer(hamlet_head)).json()["count"] == 0


def test_a_bad_resolution_is_400_and_changes_nothing(client, devices, hamlet_head):
    conflict_in(client, devices, "AP01")
    conflict = HouseholdConflict.objects.get()
    response = client.post(
        f"/api/v1/registers/households/conflicts/{conflict.pk}/resolve",
        {"resolution": "merge"},
        content_type="application/json",
        **bearer(hamlet_head),
    )
    assert response.status_code == 400
    conflict.refresh_from_db()
    assert conflict.resolved_at is None


def test_duplicate_visits_in_a_round_window_are_listed_as_pairs_in_order(client, devices, hamlet_head):
    conflict_in(client, devices, "AP01")
    body = client.get(
        "/api/v1/registers/households/visits/duplicates?from=2026-01-01&to=2026-12-31", **bearer(hamlet_head)
    ).json()
    assert body["count"] == 1 and len(body["results"][0]["visits"]) == 3
    empty = client.get(
        "/api/v1/registers/households/visits/duplicates?from=2025-01-01&to=2025-12-31", **bearer(hamlet_head)
    ).json()
    assert empty["count"] == 0
    bad = client.get("/api/v1/registers/households/visits/duplicates?from=hôm-qua", **bearer(hamlet_head))
    assert bad.status_code == 400


def test_a_household_shows_its_history_to_its_hamlet_head_only(client, devices, hamlet_head):
    entity = conflict_in(client, devices, "AP01")
    other = conflict_in(client, devices, "AP02")
    body = client.get(f"/api/v1/registers/households/{entity}", **bearer(hamlet_head)).json()
    assert [c["version"] for c in body["history"]] == [1, 2, 3]
    assert body["history"][2]["changed"] == ["mo_ta"] and body["history"][2]["base_version"] == 1
    assert body["history"][0]["instance_id"].startswith("uuid:")
    assert client.get(f"/api/v1/registers/households/{other}", **bearer(hamlet_head)).status_code == 404
