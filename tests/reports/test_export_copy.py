"""The CSV zip PostgreSQL writes (COPY, export_copy.py) holds exactly the tables the Python
writer builds row by row (analytics.submission_tables): same columns, same keys, nested
repeats pointing at their repeat instance, the same formula guard, groups flattened."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

import pytest
from django.http import QueryDict

from analytics.submission_tables import instance_rows, layout_from_nodes
from backend.accounts.actors import actor_for_device, actor_for_user
from backend.accounts.models import Role
from backend.accounts.services import user_create, volunteer_create
from backend.reports.export_formats import csv_zip_chunks, export_stream
from backend.reports.submission_export import ExportSpec, export_layout, export_records
from backend.submissions.services import submission_receive
from backend.surveys.services import form_publish
from tests.helpers import xlsform_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres_only")]

SURVEY = [
    ["text", "ap", "Ấp"],
    ["begin_group", "ho", "Hộ"],
    ["text", "ten_chu", "Chủ hộ"],
    ["end_group", "", ""],
    ["begin_repeat", "tv", "Thành viên"],
    ["text", "ten", "Tên"],
    ["begin_repeat", "con", "Con"],
    ["text", "ten_con", "Tên con"],
    ["end_repeat", "", ""],
    ["end_repeat", "", ""],
]


def instance(members: list[tuple[str, list[str]]], *, owner: str) -> bytes:
    body = "".join(
        f"<tv><ten>{name}</ten>" + "".join(f"<con><ten_con>{c}</ten_con></con>" for c in children) + "</tv>"
        for name, children in members
    )
    return (
        f'<data id="long" version="1"><ap>AP01</ap><ho><ten_chu>{owner}</ten_chu></ho>{body}'
        f"<meta><instanceID>uuid:{uuid.uuid4()}</instanceID></meta></data>"
    ).encode()


def tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {n: list(csv.DictReader(io.StringIO(archive.read(n).decode("utf-8-sig")))) for n in archive.namelist()}


def test_postgres_and_python_write_the_same_tables_with_nested_repeats():
    form = form_publish(xlsform=xlsform_bytes(form_id="long", version="1", survey=SURVEY), filename="long.xlsx").form
    volunteer, _token = volunteer_create(name="Phạm Thị Lan", forms=[form])
    device = actor_for_device(volunteer.tokens.get(revoked_at__isnull=True), url_prefix="")
    submission_receive(actor=device, xml=instance([("Hùng", ["Nam", "=1+1"]), ("Hoa", [])], owner="Ông Tư"), files={})
    submission_receive(actor=device, xml=instance([("-Bảy", ["Út"])], owner="@Bà Năm"), files={})
    admin = user_create(username="quantri", password="mat-khau-an-toan-1", role=Role.ADMIN)
    spec = ExportSpec(actor=actor_for_user(admin), form=form, params=QueryDict())

    layout, has_register = export_layout(form)
    python = tables(
        b"".join(
            csv_zip_chunks(
                export_records(spec, has_register=has_register), layout, form_id="long", has_register=has_register
            )
        )
    )
    postgres = tables(b"".join(export_stream(spec, "csv.zip")))
    assert postgres == python
    assert sorted(postgres) == ["long-con.csv", "long-tv.csv", "long.csv"]
    households, members, children = postgres["long.csv"], postgres["long-tv.csv"], postgres["long-con.csv"]
    assert [h["ho/ten_chu"] for h in households] == ["Ông Tư", "'@Bà Năm"]
    assert [m["ten"] for m in members] == ["Hùng", "Hoa", "'-Bảy"]
    first = households[0]["KEY"]
    assert [(c["KEY"], c["PARENT_KEY"], c["ten_con"]) for c in children[:2]] == [
        (f"{first}/tv[1]/con[1]", f"{first}/tv[1]", "Nam"),
        (f"{first}/tv[1]/con[2]", f"{first}/tv[1]", "'=1+1"),
    ]
    assert {c["PARENT_KEY"] for c in children} <= {m["KEY"] for m in members}
    assert [m["con[count]"] for m in members] == ["2", "", "1"]  # Hoa's row has no `con` at all


def test_the_layout_puts_each_field_in_its_nearest_repeat():
    layout = layout_from_nodes(
        [("ap", "field"), ("tv", "repeat"), ("tv/ten", "field"), ("tv/con", "repeat"), ("tv/con/x", "field")]
    )
    assert [(t.path, t.name, t.columns) for t in layout.tables] == [
        ("", "", ("ap", "tv[count]")),
        ("tv", "tv", ("ten", "con[count]")),
        ("tv/con", "con", ("x",)),
    ]
    rows = list(instance_rows({"ap": "1", "tv": [{"ten": "a", "con": [{"x": "b"}]}]}, "uuid:k", layout))
    assert rows == [
        ("", {"ap": "1", "tv[count]": 1}),
        ("tv", {"KEY": "uuid:k/tv[1]", "PARENT_KEY": "uuid:k", "ten": "a", "con[count]": 1}),
        ("tv/con", {"KEY": "uuid:k/tv[1]/con[1]", "PARENT_KEY": "uuid:k/tv[1]", "x": "b"}),
    ]
