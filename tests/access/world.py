"""A small commune with one person per role, shared by the access, review and audit tests.

Ấp A (AP01) and ấp B (AP02); a volunteer (login + device) of ấp A, a hamlet head of each,
leadership, admin, viewer. Submissions are added by the tests that need them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from backend.accounts.actors import actor_for_device
from backend.accounts.models import Role, Volunteer
from backend.accounts.services import device_token_issue, user_create
from backend.places.models import Commune, Hamlet
from tests.submissions.factories import PHOTO, instance_xml, new_instance_id, publish_household_form

PASSWORD = "mat-khau-an-toan-1"


@dataclass
class World:
    form: object
    hamlet_a: Hamlet
    hamlet_b: Hamlet
    users: dict = field(default_factory=dict)  # role name → user
    volunteer: Volunteer | None = None
    device_token: str = ""
    other_volunteer: Volunteer | None = None
    other_device_token: str = ""

    @property
    def device(self):
        return self.volunteer.tokens.get(revoked_at__isnull=True)

    def submit(
        self, *, hamlet: str = "AP01", other: bool = False, instance_id: str | None = None, photo: bool = True, **kwargs
    ):
        """A submission received from a volunteer's device (ấp A's volunteer unless `other`)."""
        from backend.submissions.services import submission_receive

        volunteer = self.other_volunteer if other else self.volunteer
        actor = actor_for_device(volunteer.tokens.get(revoked_at__isnull=True), url_prefix="")
        instance_id = instance_id or new_instance_id()
        xml = instance_xml(
            instance_id=instance_id,
            ap=hamlet,
            audit=None,
            members=[("Nguyễn Văn Hùng", "")],
            photo="1764201234567.jpg" if photo else None,
            **kwargs,
        )
        files = {"1764201234567.jpg": SimpleUploadedFile("1764201234567.jpg", PHOTO, "image/jpeg")} if photo else {}
        return submission_receive(actor=actor, xml=xml, files=files).submission


def world_build() -> World:
    commune = Commune.objects.create(code="PL", name="Phú Lâm", province="Đồng Nai")
    hamlet_a = Hamlet.objects.create(commune=commune, code="AP01", name="Ấp Phú Dũng")
    hamlet_b = Hamlet.objects.create(commune=commune, code="AP02", name="Ấp Phú Tân")
    form = publish_household_form()
    world = World(form=form, hamlet_a=hamlet_a, hamlet_b=hamlet_b)
    world.users["admin"] = user_create(username="quantri", password=PASSWORD, role=Role.ADMIN)
    world.users["leadership"] = user_create(username="lanhdao", password=PASSWORD, role=Role.LEADERSHIP)
    world.users["hamlet_head"] = user_create(
        username="truongap_a", password=PASSWORD, role=Role.HAMLET_HEAD, hamlets=[hamlet_a]
    )
    world.users["hamlet_head_b"] = user_create(
        username="truongap_b", password=PASSWORD, role=Role.HAMLET_HEAD, hamlets=[hamlet_b]
    )
    world.users["viewer"] = user_create(username="nguoixem", password=PASSWORD, role=Role.VIEWER)
    world.users["volunteer"] = user_create(
        username="tnv_a",
        password=PASSWORD,
        role=Role.VOLUNTEER,
        name="Trần Thị Bình",
        hamlets=[hamlet_a],
        forms=[form],
        with_volunteer=True,
    )
    world.volunteer = world.users["volunteer"].volunteer
    world.device_token = device_token_issue(volunteer=world.volunteer)
    world.other_volunteer = Volunteer.objects.create(name="Lê Văn Cường")
    world.other_volunteer.forms.set([form])
    world.other_volunteer.hamlets.set([hamlet_b])
    world.other_device_token = device_token_issue(volunteer=world.other_volunteer)
    return world
