"""A small form with every type the OData feed converts (int, decimal, date, dateTime,
geopoint, select_multiple), a group, a repeat inside it and a repeat inside that; two hamlets
with a head each; submissions received through the real ingest service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from backend.accounts.actors import actor_for_device
from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create, volunteer_create
from backend.places.models import Commune, Hamlet
from backend.submissions.services import submission_receive
from backend.surveys.services import form_publish
from tests.helpers import xlsform_bytes

FORM_ID = "od_test"
VERSION = "2026120101"
PASSWORD = "s3cret-pass-123"

SURVEY = [
    ["today", "today", ""],
    ["text", "dot_ks", "Đợt khảo sát"],
    ["text", "ap", "Ấp"],
    ["integer", "so_nguoi", "Số người"],
    ["decimal", "thu_nhap", "Thu nhập (triệu đồng)"],
    ["date", "ngay_sinh", "Ngày sinh chủ hộ"],
    ["dateTime", "luc_den", "Lúc đến"],
    ["geopoint", "vi_tri", "Vị trí"],
    ["select_multiple kenh", "kenh", "Kênh thông tin"],
    ["begin_group", "ho", "Hộ"],
    ["text", "ten_chu_ho", "Tên chủ hộ"],
    ["begin_repeat", "tv", "Thành viên"],
    ["text", "tv_ten", "Tên"],
    ["integer", "tv_tuoi", "Tuổi"],
    ["begin_repeat", "dt", "Điện thoại"],
    ["text", "dt_loai", "Loại"],
    ["end_repeat", "", ""],
    ["end_repeat", "", ""],
    ["end_group", "", ""],
]
CHOICES = [["kenh", "zalo", "Zalo"], ["kenh", "facebook", "Facebook"], ["kenh", "loa", "Loa truyền thanh"]]


def instance_xml(
    *, instance_id: str, ap: str = "AP01", members=(("Nguyễn Văn Hùng", "45", ("smartphone",)),), **answers: str
) -> bytes:
    values = {
        "today": "2026-11-27",
        "dot_ks": "2026-R1",
        "ap": ap,
        "so_nguoi": "3",
        "thu_nhap": "12.5",
        "ngay_sinh": "1970-05-01",
        "luc_den": "2026-11-27T08:15:00.000+07:00",
        "vi_tri": "10.9012 106.8123 12.5 4.0",
        "kenh": "zalo loa",
        "ten_chu_ho": "Nguyễn Văn Hùng",
        **answers,
    }
    head = "".join(
        f"<{k}>{escape(values[k])}</{k}>"
        for k in ("today", "dot_ks", "ap", "so_nguoi", "thu_nhap", "ngay_sinh", "luc_den", "vi_tri", "kenh")
    )
    tv = "".join(
        f"<tv><tv_ten>{escape(name)}</tv_ten><tv_tuoi>{age}</tv_tuoi>"
        + "".join(f"<dt><dt_loai>{escape(p)}</dt_loai></dt>" for p in phones)
        + "</tv>"
        for name, age, phones in members
    )
    return (
        f'<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
        f'id="{FORM_ID}" version="{VERSION}">{head}<ho><ten_chu_ho>{escape(values["ten_chu_ho"])}</ten_chu_ho>'
        f"{tv}</ho><meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


@dataclass
class World:
    form: object
    actor: object
    tokens: dict[str, str] = field(default_factory=dict)  # role name → API token
    users: dict[str, object] = field(default_factory=dict)

    def send(self, *, received_at=None, **kwargs) -> str:
        instance_id = kwargs.pop("instance_id", None) or f"uuid:{uuid.uuid4()}"
        xml = instance_xml(instance_id=instance_id, **kwargs)
        submission_receive(actor=self.actor, xml=xml, files={}, received_at=received_at)
        return instance_id


def world_build() -> World:
    commune = Commune.objects.create(code="PL", name="Phú Lâm", province="Đồng Nai")
    hamlet_a = Hamlet.objects.create(commune=commune, code="AP01", name="Ấp Phú Dũng")
    hamlet_b = Hamlet.objects.create(commune=commune, code="AP02", name="Ấp Phú Tân")
    form = form_publish(
        xlsform=xlsform_bytes(form_id=FORM_ID, version=VERSION, title="Hộ (OData)", survey=SURVEY, choices=CHOICES),
        filename=f"{FORM_ID}.xlsx",
    ).form
    volunteer, _token = volunteer_create(name="Trần Thị Bình", forms=[form], hamlets=[hamlet_a, hamlet_b])
    world = World(form=form, actor=actor_for_device(volunteer.tokens.get(), url_prefix=""))
    for role, username, hamlets in (
        (Role.ADMIN, "quantri", ()),
        (Role.HAMLET_HEAD, "truongap_a", (hamlet_a,)),
        (Role.VIEWER, "xem", ()),
    ):
        user = user_create(username=username, password=PASSWORD, role=role, hamlets=hamlets)
        world.users[role] = user
        world.tokens[role] = api_token_create(user=user)
    return world
