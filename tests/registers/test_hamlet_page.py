"""The register section of the hamlet head's pages (/hamlet/register): coverage in a declared
round, conflicts resolved from the page (audited), households added in the field, duplicates."""

import datetime as dt
import re
import uuid

from backend.audit.models import AuditEvent
from backend.registers.models import Household, HouseholdConflict
from backend.reports.models import SurveyRound
from tests.registers.conftest import household_instance, send


def cells(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_register_page_shows_coverage_conflicts_added_households_and_duplicates(client, devices, hamlet_head):
    SurveyRound.objects.create(name="2026", start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 31))
    _, token = devices["AP01"]
    a, b, c = (str(uuid.uuid4()) for _ in range(3))
    send(client, token, household_instance(entity_id=a, create=True, label="H001 · Lan", ma_ho="H001"))
    send(client, token, household_instance(entity_id=b, create=True, label="H002 · Út", ma_ho="H002", dong_y="khong"))
    send(
        client,
        token,
        household_instance(entity_id=c, create=True, label="H003 · Hoa", ma_ho="H003", today="2026-10-15"),
    )  # before the round: not visited in it
    for mo_ta in ("Nhà hai tầng", "Nhà cấp bốn"):  # two phones, one household: conflict and duplicate
        send(
            client,
            token,
            household_instance(
                entity_id=a,
                update=True,
                base_version="1",
                label="H001 · Lan",
                ma_ho="H001",
                mo_ta=mo_ta,
                ket_qua="chuyen_di",
            ),
        )
    send(
        client,
        devices["AP02"][1],
        household_instance(
            entity_id=str(uuid.uuid4()), create=True, ap="AP02", label="AP02 ngoài phạm vi", ma_ho="H001"
        ),
    )
    client.force_login(hamlet_head)
    html = client.get("/hamlet/register?round=2026").content.decode()
    assert cells(html, "register-coverage") == [["Phú Dũng", "3", "0", "1", "1", "0", "1"]]
    assert "AP02 ngoài phạm vi" not in html
    assert [row[2] for row in cells(html, "register-added")] == ["H001 · Lan", "H002 · Út", "H003 · Hoa"]
    duplicates = cells(html, "register-duplicates")
    assert len(duplicates) == 1 and duplicates[0][0].startswith("H001 · Lan")
    assert "Nhà cấp bốn" in html and "Khôi phục bản trước" in html

    conflict = HouseholdConflict.objects.get(household_id=a)
    response = client.post(
        f"/hamlet/register/conflicts/{conflict.pk}/resolve", {"resolution": "restore"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302
    assert Household.objects.get(pk=a).mo_ta == "Nhà hai tầng"
    assert AuditEvent.objects.get(action="household.conflict.resolve").ip == "10.0.0.9"
    assert 'id="no-conflicts"' in client.get("/hamlet/register?round=2026").content.decode()


def test_the_page_is_vietnamese_by_default_english_with_the_switch_and_refused_to_volunteers(
    client, devices, hamlet_head, settings
):
    client.force_login(hamlet_head)
    html = client.get("/hamlet/register").content.decode()
    assert "Độ phủ theo sổ hộ" in html and "Coverage against the register" not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/hamlet/register").content.decode()
    assert "Coverage against the register" in html and "Độ phủ theo sổ hộ" not in html
    from backend.accounts.models import Role
    from backend.accounts.services import user_create

    volunteer = user_create(username="tnv", password="s3cret-pass", role=Role.VOLUNTEER)
    client.force_login(volunteer)
    assert client.get("/hamlet/register").status_code == 403


def test_a_rejected_visit_settles_nothing_and_the_household_is_not_yet_visited(client, devices, hamlet_head):
    from backend.submissions.models import ReviewState, Submission

    SurveyRound.objects.create(name="2026", start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 31))
    send(
        client,
        devices["AP01"][1],
        household_instance(entity_id=str(uuid.uuid4()), create=True, label="H001", ma_ho="H001"),
    )
    client.force_login(hamlet_head)
    page = "/hamlet/register?round=2026"
    assert cells(client.get(page).content.decode(), "register-coverage")[0][1:3] == ["1", "1"]
    Submission.objects.update(review_state=ReviewState.REJECTED)
    row = cells(client.get(page).content.decode(), "register-coverage")[0]
    assert (row[1], row[2], row[6]) == ("1", "0", "1")


def test_a_household_first_found_after_a_round_is_not_in_that_rounds_register(client, devices, hamlet_head):
    for year in (2025, 2027):  # declared from the start (migration); the same windows either way
        SurveyRound.objects.get_or_create(
            name=str(year), defaults={"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}
        )
    _, token = devices["AP01"]
    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    send(client, token, household_instance(entity_id=old, create=True, label="H001", ma_ho="H001", today="2025-10-01"))
    send(client, token, household_instance(entity_id=new, create=True, label="H002", ma_ho="H002", today="2027-10-01"))
    client.force_login(hamlet_head)
    row_2025 = cells(client.get("/hamlet/register?round=2025").content.decode(), "register-coverage")[0]
    row_2027 = cells(client.get("/hamlet/register?round=2027").content.decode(), "register-coverage")[0]
    assert (row_2025[1], row_2025[2], row_2025[6]) == ("1", "1", "0")
    assert (row_2027[1], row_2027[2], row_2027[6]) == ("2", "1", "1")
