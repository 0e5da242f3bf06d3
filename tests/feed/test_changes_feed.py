"""The pull side of the JSON sync API (`GET /api/v1/sync/changes`, issue 13): one feed per
device scope — its forms, its hamlet's households, its own submissions' review states and
comments — with tombstones, in order, resumable from the cursor."""

import pytest

from backend.accounts.actors import actor_for_user
from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create
from backend.registers.models import Household
from backend.review.services import submission_review_set
from backend.submissions.models import Submission
from backend.surveys.models import FormState
from backend.surveys.services import form_state_set
from tests.registers.conftest import household_instance, send

pytestmark = pytest.mark.django_db


def pull(client, token, since="", limit=None):
    query = {"since": since} if since else {}
    if limit is not None:
        query["limit"] = limit
    response = client.get(f"/key/{token}/api/v1/sync/changes", query)
    assert response.status_code == 200, response.content
    return response.json()


def sync_all(client, token, store=None, since="", limit=500):
    """Apply every page in order, as a client would; returns (store, cursor, pages)."""
    store = {} if store is None else store
    pages = 0
    while True:
        page = pull(client, token, since, limit)
        pages += 1
        if page["reset"]:
            store.clear()
        for change in page["changes"]:
            key = (change["kind"], change["id"])
            if change["op"] == "upsert":
                store[key] = change["data"]
            else:
                store.pop(key, None)
        since = page["cursor"]
        if not page["more"]:
            return store, since, pages


def of_kind(store, kind):
    return {k[1]: v for k, v in store.items() if k[0] == kind}


def test_a_device_pulls_its_form_and_only_its_hamlets_households(client, devices, register):
    _volunteer, token = devices["AP01"]
    store, _cursor, _pages = sync_all(client, token)
    forms = of_kind(store, "form")
    assert [f["form_id"] for f in forms.values()] == ["ho_theo_doi"]
    form = next(iter(forms.values()))
    assert form["hash"].startswith("md5:") and form["download_url"].endswith(f"/key/{token}/forms/ho_theo_doi.xml")
    households = of_kind(store, "household")
    assert sorted(h["properties"]["ma_ho"] for h in households.values()) == ["H001", "H002"]
    assert {h["hamlet"] for h in households.values()} == {"AP01"}
    live = {str(h.pk) for h in Household.objects.filter(hamlet__code="AP01")}
    assert set(households) == live


def test_a_cursor_returns_only_what_changed_since_and_a_review_with_its_comment(client, devices, register, admin):
    volunteer, token = devices["AP01"]
    _other, other_token = devices["AP02"]
    store, cursor, _ = sync_all(client, token)
    assert pull(client, token, cursor)["changes"] == []  # nothing new: an empty page, same position

    mine = household_instance(
        entity_id="uuid:2b1f6c0e-0b8e-4d9b-9a51-5c0f3c2d7a11", create=True, label="Hộ bà Tư", ma_ho="H010"
    )
    assert send(client, token, mine).status_code == 201
    theirs = household_instance(
        entity_id="uuid:7d3a9e2f-1c4b-4e8a-b6d5-0f9e8d7c6b5a", create=True, ap="AP02", label="Hộ khác", ma_ho="H020"
    )
    assert send(client, other_token, theirs).status_code == 201
    submission = Submission.objects.get(volunteer=volunteer)
    submission_review_set(
        actor=actor_for_user(admin), submission=submission, state="has_issues", comment="Thiếu ảnh nhà, gửi lại nhé."
    )

    page = pull(client, token, cursor)
    kinds = [(c["kind"], c["op"]) for c in page["changes"]]
    assert ("submission", "upsert") in kinds and ("household", "upsert") in kinds
    assert all(c["kind"] != "form" for c in page["changes"])  # the form did not change
    sub = next(c["data"] for c in page["changes"] if c["kind"] == "submission")
    assert sub["instance_id"] == submission.instance_id and sub["review_state"] == "has_issues"
    assert [c["body"] for c in sub["comments"]] == ["Thiếu ảnh nhà, gửi lại nhé."]
    # The other hamlet's device sent a submission; this device never sees it.
    assert {c["id"] for c in page["changes"] if c["kind"] == "submission"} == {str(submission.pk)}


def test_pages_of_one_change_end_where_one_big_page_ends(client, devices, register, admin):
    _volunteer, token = devices["AP01"]
    for n in range(3):
        send(
            client,
            token,
            household_instance(
                entity_id=f"uuid:00000000-0000-4000-8000-00000000000{n}", create=True, label=f"Hộ {n}", ma_ho=f"H1{n}"
            ),
        )
    whole, _, _ = sync_all(client, token)
    paged, _, pages = sync_all(client, token, limit=1)
    assert paged == whole and pages > 5


def test_a_closed_form_and_a_household_taken_off_the_register_become_tombstones(client, devices, register, admin):
    _volunteer, token = devices["AP01"]
    store, cursor, _ = sync_all(client, token)
    household = Household.objects.filter(hamlet__code="AP01").first()
    from backend.registers.services import household_delete

    household_delete(household=household, user=admin)
    form_state_set(form=devices["AP01"][0].forms.get(), state=FormState.CLOSED)
    page = pull(client, token, cursor)
    tombstones = {(c["kind"], c["id"]) for c in page["changes"] if c["op"] == "delete"}
    assert ("household", str(household.pk)) in tombstones
    assert any(kind == "form" for kind, _ in tombstones)
    assert all(c["data"] is None for c in page["changes"] if c["op"] == "delete")


def test_an_assigned_hamlet_resets_the_cursor_so_older_households_are_not_missed(client, devices, register, hamlets):
    volunteer, token = devices["AP01"]
    _store, cursor, _ = sync_all(client, token)
    volunteer.hamlets.add(hamlets["AP02"])
    page = pull(client, token, cursor)
    assert page["reset"] is True
    hamlets_seen = {c["data"]["hamlet"] for c in page["changes"] if c["kind"] == "household"}
    assert hamlets_seen == {"AP01", "AP02"}


def test_an_api_token_of_an_admin_pulls_every_hamlet(client, devices, register, admin):
    token = api_token_create(user=admin)
    response = client.get("/api/v1/sync/changes", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    hamlets_seen = {c["data"]["hamlet"] for c in response.json()["changes"] if c["kind"] == "household"}
    assert hamlets_seen == {"AP01", "AP02"}


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [({"since": "not-a-cursor"}, 400, "since"), ({"limit": "0"}, 400, "limit"), ({"limit": "abc"}, 400, "limit")],
)
def test_a_bad_cursor_or_limit_is_a_clear_400(client, devices, query, status, field):
    _volunteer, token = devices["AP01"]
    response = client.get(f"/key/{token}/api/v1/sync/changes", query)
    assert response.status_code == status
    assert field in response.content.decode()


def test_no_credentials_is_401_a_wrong_key_401_and_a_viewer_403(client, devices):
    assert client.get("/api/v1/sync/changes").status_code == 401
    assert client.get("/key/wrong-token/api/v1/sync/changes").status_code in (401, 403)
    viewer = user_create(username="xem", password="s3cret-pass", role=Role.VIEWER)
    response = client.get("/api/v1/sync/changes", HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=viewer)}")
    assert response.status_code == 403
