"""Builders for submission tests: a household-like form, instance XML as Collect writes it,
and multipart bodies laid out exactly as Collect's OkHttp sends them (OPENROSA.md §3.3)."""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape

from backend.accounts.services import volunteer_create
from backend.surveys.services import form_publish
from tests.helpers import xlsform_bytes

FORM_ID = "ho_test"
VERSION = "2026112701"
OLD_VERSION = "2026110101"

SURVEY = [
    ["start", "start", ""],
    ["today", "today", ""],
    ["text", "dot_ks", "Đợt khảo sát"],
    ["text", "ap", "Ấp"],
    ["geopoint", "vi_tri", "Vị trí"],
    ["image", "anh", "Ảnh nhà"],
    ["begin_group", "ho", "Hộ"],
    ["integer", "so_tv", "Số thành viên"],
    ["end_group", "", ""],
    ["begin_repeat", "tv", "Thành viên"],
    ["text", "tv_ten", "Tên"],
    ["image", "tv_anh", "Ảnh"],
    ["end_repeat", "", ""],
    ["audit", "audit", ""],
]

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"
AUDIT = b"event,node,start,end\nform start,,1764200000000,\n"


def publish_household_form(*, form_id: str = FORM_ID, version: str = VERSION):
    result = form_publish(
        xlsform=xlsform_bytes(form_id=form_id, version=version, title="Hộ gia đình (thử)", survey=SURVEY),
        filename=f"{form_id}.xlsx",
    )
    return result.form


def device_for(form, *, name: str = "Trần Thị Bình"):
    """A volunteer assigned `form`; returns (volunteer, raw token)."""
    return volunteer_create(name=name, forms=[form])


def new_instance_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def instance_xml(
    *,
    instance_id: str,
    form_id: str = FORM_ID,
    version: str = VERSION,
    deprecated_id: str | None = None,
    ap: str = "AP03",
    name_note: str = "",
    photo: str | None = "1764201234567.jpg",
    members: list[tuple[str, str]] | None = None,
    audit: str | None = "audit.csv",
    vi_tri: str = "10.9012 106.8123 12.5 4.0",
) -> bytes:
    """Instance XML as pyxform's form makes Collect write it (namespaces, meta last)."""
    members = members if members is not None else [("Nguyễn Văn Hùng", ""), ("Lê Thị Hoa", "")]
    member_xml = "".join(f"<tv><tv_ten>{escape(n)}</tv_ten><tv_anh>{escape(f)}</tv_anh></tv>" for n, f in members)
    meta = f"<instanceID>{instance_id}</instanceID>"
    if deprecated_id:
        meta += f"<deprecatedID>{deprecated_id}</deprecatedID>"
    if audit is not None:
        meta = f"<audit>{audit}</audit>" + meta
    xml = (
        f'<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
        f'id="{form_id}" version="{version}">'
        "<start>2026-11-27T08:15:00.000+07:00</start><today>2026-11-27</today>"
        f"<dot_ks>2026-R1</dot_ks><ap>{ap}</ap><vi_tri>{vi_tri}</vi_tri>"
        f"<anh>{photo or ''}</anh><ho><so_tv>{len(members)}</so_tv></ho>{member_xml}"
        f"<orx:meta>{meta}</orx:meta>"
        f"{'<!-- ' + name_note + ' -->' if name_note else ''}"
        "</data>"
    )
    return xml.encode("utf-8")


def multipart(
    xml: bytes,
    files: dict[str, bytes] | None = None,
    *,
    incomplete: bool = False,
    boundary: str = "7f3a9c2e-1b4d-4e8f-a6b0-collect",
) -> tuple[bytes, str]:
    """A Collect-style body: the XML part, one part per file named after the file, and the
    `*isIncomplete*` field when the upload is split. Returns (body, content type)."""
    b = boundary.encode()
    parts = [
        b"--" + b + b"\r\n"
        b'Content-Disposition: form-data; name="xml_submission_file"; filename="instance.xml"\r\n'
        b"Content-Type: text/xml\r\n" + f"Content-Length: {len(xml)}\r\n\r\n".encode() + xml + b"\r\n"
    ]
    for name, data in (files or {}).items():
        encoded = name.encode("utf-8")
        parts.append(
            b"--" + b + b"\r\n"
            b'Content-Disposition: form-data; name="' + encoded + b'"; filename="' + encoded + b'"\r\n'
            b"Content-Type: "
            + (b"image/jpeg" if name.endswith(".jpg") else b"application/octet-stream")
            + b"\r\n"
            + f"Content-Length: {len(data)}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    if incomplete:
        parts.append(b"--" + b + b'\r\nContent-Disposition: form-data; name="*isIncomplete*"\r\n\r\nyes\r\n')
    body = b"".join(parts) + b"--" + b + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"
