"""The submission export carries each household's register status in the submission's round
(visited / refused / moved / not_found / not_visited), read from the register's selector."""

import csv
import datetime as dt
import io
import uuid

from backend.reports.models import SurveyRound
from tests.registers.conftest import FORM_ID, household_instance, send


def test_each_export_row_says_how_its_household_stands_in_the_round(client, devices, admin):
    SurveyRound.objects.create(name="2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), target_year=2027)
    _, token = devices["AP01"]
    met, refused, moved = (str(uuid.uuid4()) for _ in range(3))
    for entity, ket_qua, dong_y, code in (
        (met, "gap", "co", "H001"),
        (refused, "gap", "khong", "H002"),
        (moved, "chuyen_di", "", "H003"),
    ):
        response = send(
            client,
            token,
            household_instance(entity_id=entity, create=True, label=code, ma_ho=code, ket_qua=ket_qua, dong_y=dong_y),
        )
        assert response.status_code == 201, response.content
    # A later visit of the household that refused settles it as visited in the round.
    revisit = household_instance(entity_id=refused, update=True, base_version="1", ma_ho="H002", today="2026-12-04")
    assert send(client, token, revisit).status_code == 201
    # Out of every round: no round, no status.
    send(client, token, household_instance(entity_id=str(uuid.uuid4()), create=True, ma_ho="H009", today="2024-05-01"))

    client.force_login(admin)
    response = client.get(f"/api/v1/forms/{FORM_ID}/submissions.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["ma_ho"], r["round"], r["register_status"]) for r in rows] == [
        ("H001", "2026", "visited"),
        ("H002", "2026", "visited"),
        ("H003", "2026", "moved"),
        ("H002", "2026", "visited"),
        ("H009", "", ""),
    ]
