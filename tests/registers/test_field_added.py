"""The hamlet head settles a household a volunteer added in the field, from /hamlet/register:
confirm it, reject it, or merge it into the household it duplicates. Each is audited and the
entity list phones download (CSV, hash, integrity) says the same."""

import uuid

from backend.audit.models import AuditEvent
from backend.registers.models import EntityProblem, Household, HouseholdVisit
from tests.helpers import COLLECT_HEADERS
from tests.registers.conftest import household_instance, send
from tests.registers.test_hamlet_page import cells

CSV = "/key/{token}/forms/ho_theo_doi/attachments/households.csv"
ADDRESS = "198.51.100.7"


def _csv(client, token):
    response = client.get(CSV.format(token=token))
    return response["ETag"], [r.split(",", 1)[0] for r in response.content.decode().splitlines()[1:]]


def _settle(client, household_id, **data):
    return client.post(f"/hamlet/register/households/{household_id}/settle", data, REMOTE_ADDR=ADDRESS)


def _field_households(client, token):
    listed, real, stray, duplicate = (str(uuid.uuid4()) for _ in range(4))
    send(client, token, household_instance(entity_id=listed, create=True, label="H001 · Lan", ma_ho="H001"))
    Household.objects.filter(pk=listed).update(added_in_field=False)  # already in the commune's list
    send(client, token, household_instance(entity_id=real, create=True, label="H002 · Út", ma_ho="H002"))
    send(client, token, household_instance(entity_id=stray, create=True, label="Thử máy"))
    send(
        client,
        token,
        household_instance(
            entity_id=duplicate, create=True, label="Lan (nhà xanh)", mo_ta="Nhà xanh", geometry="10.9 106.8 0 4"
        ),
    )
    return listed, real, stray, duplicate


def test_confirm_reject_and_merge_from_the_register_page(client, devices, hamlet_head):
    _, token = devices["AP01"]
    listed, real, stray, duplicate = _field_households(client, token)
    client.force_login(hamlet_head)
    page = client.get("/hamlet/register").content.decode()
    assert sorted(row[2] for row in cells(page, "register-added")) == ["H002 · Út", "Lan (nhà xanh)", "Thử máy"]
    assert f'/hamlet/register/households/{real}/settle"' in page
    etag, names = _csv(client, token)
    assert sorted(names) == sorted([listed, real, stray, duplicate])

    # Confirm: no longer flagged; the phones' list is byte-for-byte the same (no re-download).
    assert _settle(client, real, action="confirm").status_code == 302
    assert Household.objects.get(pk=real).added_in_field is False
    assert _csv(client, token)[0] == etag
    assert AuditEvent.objects.get(action="household.confirm", object_id=real).ip == ADDRESS

    # Reject: off the register, off the phones' list, reported deleted by the integrity URL.
    assert _settle(client, stray, action="reject").status_code == 302
    etag_after_reject, names = _csv(client, token)
    assert stray not in names and etag_after_reject != etag
    integrity = client.get(f"/key/{token}/datasets/households/integrity?id={stray}", **COLLECT_HEADERS).content
    assert f'<entity id="{stray}"><deleted>true</deleted></entity>'.encode() in integrity
    assert AuditEvent.objects.filter(action="household.reject", object_id=stray).exists()

    # Merge: the duplicate's visit becomes H001's, H001 gains what it lacked (house, location)
    # as a new version, the duplicate leaves the list.
    assert _settle(client, duplicate, action="merge", into="H001").status_code == 302
    kept = Household.objects.get(pk=listed)
    assert (kept.version, kept.mo_ta, kept.lat, kept.ma_ho) == (2, "Nhà xanh", 10.9, "H001")
    merged = Household.objects.get(pk=duplicate)
    assert merged.deleted_at is not None and merged.merged_into_id == kept.pk
    assert HouseholdVisit.objects.filter(household=kept).count() == 2
    assert not HouseholdVisit.objects.filter(household=merged).exists()
    _, names = _csv(client, token)
    assert sorted(names) == sorted([listed, real])
    event = AuditEvent.objects.get(action="household.merge", object_id=duplicate)
    assert event.details["into"] == listed and event.details["visits_moved"] == 1
    assert cells(client.get("/hamlet/register").content.decode(), "register-added") == [["Không có."]]

    # A phone still holding the duplicate visits it again: the visit counts for H001.
    send(client, token, household_instance(entity_id=duplicate, update=True, base_version="1", label="Lan", mo_ta="X"))
    assert HouseholdVisit.objects.filter(household=kept).count() == 3
    assert "merged into" in EntityProblem.objects.get(entity_id=duplicate).reason
    assert Household.objects.get(pk=listed).mo_ta == "Nhà xanh"


def test_bad_settle_requests_say_why_and_change_nothing(client, devices, hamlet_head):
    _, token = devices["AP01"]
    listed, real, _, duplicate = _field_households(client, token)
    client.force_login(hamlet_head)
    for data, message in (
        ({"action": "merge", "into": "H999"}, "không có hộ mã"),
        ({"action": "merge"}, "Nhập mã hộ"),
        ({"action": "burn"}, "Hành động phải là"),
    ):
        response = client.post(f"/hamlet/register/households/{duplicate}/settle", data, follow=True)
        assert message in response.content.decode()
    assert _settle(client, listed, action="reject").status_code == 302  # not a field-added household
    assert Household.objects.get(pk=listed).deleted_at is None
    assert (
        Household.objects.get(pk=duplicate).deleted_at is None
        and not AuditEvent.objects.filter(action__in=["household.merge", "household.reject"]).exists()
    )


def test_a_head_of_another_hamlet_cannot_settle(client, devices, hamlets):
    from backend.accounts.models import Role
    from backend.accounts.services import user_create

    _, token = devices["AP01"]
    _, real, _, _ = _field_households(client, token)
    other = user_create(username="truong_ap2", password="s3cret-pass", role=Role.HAMLET_HEAD, hamlets=[hamlets["AP02"]])
    client.force_login(other)
    assert _settle(client, real, action="confirm").status_code == 404
    assert Household.objects.get(pk=real).added_in_field is True
