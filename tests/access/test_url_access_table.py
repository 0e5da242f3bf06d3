"""The role × endpoint table: for every URL pattern in the URL conf, which roles may use it.

ONE table (TABLE below) decides the expected outcome; the test walks `get_resolver()`,
so an endpoint added without a row here fails `test_every_url_pattern_has_a_row_in_the_table`.

Adding an endpoint: add a row keyed by its route exactly as the URL conf joins it (run the
test; the failure message prints the missing keys), with the roles allowed per method. If a
path variable is new, give it a sample value in PARAMS (or the row's `params`). "Allowed"
means anything but 401/403/404, a redirect to a sign-in page, or 405 (a 400 for an empty
body is allowed: the caller got past the door). Every request runs in a rolled-back savepoint.

Device: a volunteer's phone holds only its key; under `key/<token>/` every role but the
device is given a revoked key, and outside `key/` the device has no credential at all.
Draft links (`test/<draft_token>/`) are capability URLs: whoever holds the link may use them.
"""

from __future__ import annotations

import fnmatch
from datetime import date

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from backend.accounts.services import api_token_create, device_token_issue, device_token_revoke
from backend.core.blobs import blob_store_bytes
from backend.jobs.models import Job
from backend.reports.models import SurveyRound
from backend.reports.services import indicator_results_compute
from backend.surveys.services import form_publish
from tests.access.url_table_support import (
    ADMIN,
    ANON,
    DEVICE,
    HEAD,
    LEAD,
    ROLES,
    VIEW,
    VOL,
    Access,
    concrete_path,
    outcome,
    route_strings,
)
from tests.helpers import COLLECT_HEADERS, with_media_form
from tests.submissions.factories import FORM_ID, VERSION, instance_xml, multipart, new_instance_id

EVERYONE = frozenset(ROLES)
NOBODY = frozenset()
ADMIN_ONLY = frozenset({ADMIN})
SIGNED_IN = frozenset({ADMIN, LEAD, HEAD, VOL, VIEW})
STAFF_PAGES = frozenset({ADMIN, LEAD, HEAD})  # pages for people who review and decide
MICRODATA = frozenset({ADMIN, LEAD, HEAD, VOL})  # scoped further by submissions_visible_to
REVIEWERS = frozenset({ADMIN, LEAD, HEAD})
DEVICE_ONLY = frozenset({DEVICE})
OPENROSA_USERS = frozenset({ADMIN, LEAD, VOL})  # forms visible to web users over OpenRosa
ALL_BUT_DEVICE = frozenset(ROLES) - {DEVICE}

MEDIA = {"form_id": "withmedia", "name": "ap.csv"}

TABLE: dict[str, Access] = {
    # Sign-in pages and the language switch.
    "accounts/login/": Access(get=EVERYONE, post=EVERYONE),
    "accounts/logout/": Access(post=EVERYONE),
    "i18n/setlang/": Access(post=EVERYONE),
    "": Access(get=SIGNED_IN),  # the home page sends others to sign in
    # Forms and people: commune admins only.
    "api/v1/forms": Access(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "api/v1/forms/<str:form_id>": Access(get=ADMIN_ONLY, patch=ADMIN_ONLY),
    "api/v1/forms/<str:form_id>/media/<str:name>": Access(put=ADMIN_ONLY, params=MEDIA),
    "api/v1/volunteers": Access(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "api/v1/volunteers/<int:volunteer_id>": Access(get=ADMIN_ONLY, patch=ADMIN_ONLY),
    "api/v1/volunteers/<int:volunteer_id>/revoke": Access(post=ADMIN_ONLY),
    "api/v1/users": Access(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "api/v1/users/<int:user_id>": Access(get=ADMIN_ONLY, patch=ADMIN_ONLY),
    "api/v1/audit": Access(get=ADMIN_ONLY, post=NOBODY),
    # The household register: reviewers read their scope; admins import.
    "api/v1/registers/households": Access(get=REVIEWERS),
    "api/v1/registers/households/import": Access(post=ADMIN_ONLY),
    "api/v1/registers/households/conflicts": Access(get=REVIEWERS),
    "api/v1/registers/households/conflicts/<int:conflict_id>/resolve": Access(
        post=REVIEWERS, params={"conflict_id": "1"}, not_found_is_past_the_door=True
    ),
    "api/v1/registers/households/visits/duplicates": Access(get=REVIEWERS),
    "api/v1/registers/households/<uuid:household_id>": Access(
        get=REVIEWERS, params={"household_id": "00000000-0000-0000-0000-000000000001"}, not_found_is_past_the_door=True
    ),
    # API tokens: everyone signed in manages their own; the sample token is leadership's.
    "api/v1/tokens": Access(get=SIGNED_IN, post=SIGNED_IN),
    "api/v1/tokens/<int:token_id>/revoke": Access(post=frozenset({ADMIN, LEAD})),
    "api/v1/auth/token": Access(post=EVERYONE),
    "api/schema": Access(get=EVERYONE),
    "api/docs/": Access(get=EVERYONE),  # the human page for api/schema (Redoc), no data in it
    "favicon.ico": Access(get=EVERYONE),
    "healthz": Access(get=EVERYONE),  # container healthchecks; no data, errors by class name only
    # Aggregates: every signed-in role (suppressed below leadership, by the analytics layer).
    "api/v1/indicators": Access(get=SIGNED_IN),
    "api/v1/indicators/catalogue": Access(get=SIGNED_IN),
    "api/v1/indicators/review": Access(get=STAFF_PAGES),
    "api/v1/hamlets.geojson": Access(get=SIGNED_IN),
    "api/v1/scorecard": Access(get=SIGNED_IN, not_found_is_past_the_door=True),
    "api/v1/coverage": Access(get=SIGNED_IN, not_found_is_past_the_door=True),
    "api/v1/^exports/indicators\\.(?P<fmt>csv|xlsx|gpkg)$": Access(get=SIGNED_IN, post=SIGNED_IN),
    "api/v1/^maps/(?P<indicator>[A-Za-z0-9_]+)\\.png$": Access(
        get=SIGNED_IN, post=SIGNED_IN, not_found_is_past_the_door=True
    ),
    "api/v1/survey-rounds": Access(get=SIGNED_IN, post=ADMIN_ONLY),
    "api/v1/survey-rounds/unassigned": Access(get=REVIEWERS),  # scoped by submissions_visible_to
    "api/v1/survey-rounds/unassigned/assign": Access(post=frozenset({ADMIN, LEAD})),
    "api/v1/survey-rounds/<int:round_id>": Access(patch=frozenset({ADMIN, LEAD})),
    "api/v1/administrative-figures": Access(get=SIGNED_IN, post=ADMIN_ONLY),
    "api/v1/^reports/periodic\\.(?P<fmt>docx|pdf)$": Access(
        get=SIGNED_IN, params={"fmt": "docx"}, not_found_is_past_the_door=True
    ),  # suppressed below leadership
    "api/v1/reports/published": Access(get=SIGNED_IN, post=frozenset({ADMIN, LEAD})),
    # Background jobs: the sample job (with a file) was started by the viewer; the commune's
    # leadership and admins follow every job.
    "api/v1/jobs/<uuid:job_id>": Access(get=frozenset({ADMIN, LEAD, VIEW})),
    "api/v1/jobs/<uuid:job_id>/result": Access(get=frozenset({ADMIN, LEAD, VIEW})),
    # Webhooks: admin and leadership manage them and read their delivery log.
    "api/v1/webhooks": Access(get=frozenset({ADMIN, LEAD}), post=frozenset({ADMIN, LEAD})),
    "api/v1/webhooks/<int:webhook_id>": Access(
        get=frozenset({ADMIN, LEAD}), patch=frozenset({ADMIN, LEAD}), delete=frozenset({ADMIN, LEAD})
    ),
    "api/v1/webhooks/<int:webhook_id>/deliveries": Access(get=frozenset({ADMIN, LEAD})),
    "api/v1/webhooks/deliveries/<uuid:delivery_id>/retry": Access(post=frozenset({ADMIN, LEAD})),
    # Microdata: the sample submission is from ấp A by the volunteer, so ấp A's head sees it.
    "api/v1/forms/<str:form_id>/submissions": Access(get=MICRODATA),
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>": Access(get=MICRODATA, delete=ADMIN_ONLY),
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>.xml": Access(get=MICRODATA),
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/attachments": Access(get=MICRODATA),
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/attachments/<str:name>": Access(
        get=MICRODATA, params={"name": "1764201234567.jpg"}
    ),
    "api/v1/forms/<str:form_id>/submissions.csv": Access(get=MICRODATA, post=MICRODATA),
    "api/v1/forms/<str:form_id>/submissions.csv.zip": Access(get=MICRODATA, post=MICRODATA),
    "api/v1/forms/<str:form_id>/submissions.xlsx": Access(get=MICRODATA, post=MICRODATA),
    "api/v1/forms/<str:form_id>/submissions.geojson": Access(get=MICRODATA, post=MICRODATA),
    "api/v1/forms/<str:form_id>/attachments.zip": Access(get=MICRODATA, post=MICRODATA),
    # OData feed: the same readers; rows scoped by submissions_visible_to (tests/odata).
    "api/v1/forms/<str:form_id>.svc": Access(get=MICRODATA),
    "api/v1/forms/<str:form_id>.svc/": Access(get=MICRODATA),
    "api/v1/forms/<str:form_id>.svc/$metadata": Access(get=MICRODATA),
    "api/v1/forms/<str:form_id>.svc/<str:entity_set>": Access(get=MICRODATA),
    "api/v1/forms/<str:form_id>.svc/<str:entity_set>/$count": Access(get=MICRODATA),
    # Versions of a submission: the same scope as the submission.
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/versions": Access(get=MICRODATA),
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/versions/<str:version_id>.xml": Access(get=MICRODATA),
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/versions/<str:version_id>/attachments": Access(
        get=MICRODATA
    ),
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/versions/<str:version_id>/attachments/<str:name>": (
        Access(get=MICRODATA, params={"name": "1764201234567.jpg"})
    ),
    # The trash: admins delete (DELETE on the detail URL), restore, purge and list it; the
    # sample submission is live, so restore and purge change nothing (purge never takes a live one).
    "api/v1/forms/<str:form_id>/trash": Access(get=ADMIN_ONLY),
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/restore": Access(post=ADMIN_ONLY),
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/purge": Access(post=ADMIN_ONLY),
    # Hamlet heads flag a submission for deletion (an empty reason is a 400 past the door).
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/delete-request": Access(post=REVIEWERS),
    "api/v1/submissions": Access(get=MICRODATA),
    "api/v1/my/submissions": Access(get=frozenset({VOL})),
    "key/<str:token>/api/my-submissions": Access(get=DEVICE_ONLY),
    # Review.
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/review": Access(patch=REVIEWERS),
    "api/v1/forms/<str:form_id>/submissions/<str:instance_id>/comments": Access(get=MICRODATA, post=REVIEWERS),
    "api/v1/forms/<str:form_id>/submissions/review-bulk": Access(post=REVIEWERS),
    # Hamlet heads' and leadership's pages.
    "dashboard/": Access(get=frozenset({ADMIN, LEAD, HEAD, VIEW})),  # aggregates, suppressed below leadership
    "staff/volunteers/": Access(get=frozenset({ADMIN, LEAD}), post=frozenset({ADMIN, LEAD})),
    "staff/volunteers/sheet": Access(post=frozenset({ADMIN, LEAD})),
    "staff/volunteers/<int:volunteer_id>/<str:action>": Access(
        post=frozenset({ADMIN, LEAD}), params={"action": "assign"}
    ),
    "staff/exports/": Access(get=STAFF_PAGES, post=STAFF_PAGES),
    "staff/webhooks/": Access(get=frozenset({ADMIN, LEAD}), post=frozenset({ADMIN, LEAD})),
    "staff/webhooks/<int:webhook_id>": Access(get=frozenset({ADMIN, LEAD}), post=frozenset({ADMIN, LEAD})),
    "staff/webhooks/deliveries/<uuid:delivery_id>/retry": Access(post=frozenset({ADMIN, LEAD})),
    "ket-qua/": Access(get=EVERYONE),  # the published round, suppressed aggregates only
    "ket-qua/du-lieu.json": Access(get=EVERYONE),
    "ket-qua/loa.txt": Access(get=EVERYONE),
    "ket-qua/cong-bo": Access(post=frozenset({ADMIN, LEAD})),
    "hamlet/": Access(get=STAFF_PAGES),
    "hamlet/coverage": Access(get=STAFF_PAGES),
    "hamlet/register": Access(get=STAFF_PAGES),
    "hamlet/register/conflicts/<int:conflict_id>/resolve": Access(
        post=STAFF_PAGES, params={"conflict_id": "1"}, not_found_is_past_the_door=True
    ),
    "hamlet/register/households/<uuid:household_id>/settle": Access(
        post=STAFF_PAGES,
        params={"household_id": "00000000-0000-0000-0000-000000000001"},
        not_found_is_past_the_door=True,
    ),
    "hamlet/review/bulk-approve": Access(post=REVIEWERS),
    "hamlet/submissions/<str:form_id>/<str:instance_id>": Access(get=STAFF_PAGES),
    "hamlet/submissions/<str:form_id>/<str:instance_id>/review": Access(post=REVIEWERS),
    "hamlet/submissions/<str:form_id>/<str:instance_id>/files/<str:name>": Access(
        get=STAFF_PAGES, params={"name": "1764201234567.jpg"}
    ),
    # The volunteer's pages under their device key.
    "key/<str:token>/app/": Access(get=DEVICE_ONLY),
    "key/<str:token>/app/sw.js": Access(get=DEVICE_ONLY),
    "key/<str:token>/app/forms/<str:form_id>": Access(get=DEVICE_ONLY),
    "key/<str:token>/app/qr": Access(get=DEVICE_ONLY),
    "key/<str:token>/app/mine": Access(get=DEVICE_ONLY),
    "key/<str:token>/app/mine/<str:form_id>/<str:instance_id>.xml": Access(get=DEVICE_ONLY),
    "key/<str:token>/app/mine/<str:form_id>/<str:instance_id>/files/<str:name>": Access(
        get=DEVICE_ONLY, params={"name": "1764201234567.jpg"}
    ),
    # OpenRosa for web users (Basic/Bearer/session): forms the user may fetch.
    "formList": Access(get=SIGNED_IN),
    "forms/<str:form_id>.xml": Access(get=OPENROSA_USERS),
    "forms/<str:form_id>/manifest": Access(get=OPENROSA_USERS, params=MEDIA),
    "forms/<str:form_id>/attachments/<str:name>": Access(get=OPENROSA_USERS, params=MEDIA),
    "submission": Access(post=frozenset({ADMIN, LEAD, VOL}), body="submission"),
    # Entity-list integrity: only with an open form that consumes the list; none in this
    # world does, so everyone is refused (the allowed cases: tests/registers/test_entity_list.py).
    "datasets/<str:dataset>/integrity": Access(get=NOBODY, params={"dataset": "households"}),
    # OpenRosa under the device key.
    "key/<str:token>/formList": Access(get=DEVICE_ONLY),
    "key/<str:token>/forms/<str:form_id>.xml": Access(get=DEVICE_ONLY),
    "key/<str:token>/forms/<str:form_id>/manifest": Access(get=DEVICE_ONLY, params=MEDIA),
    "key/<str:token>/forms/<str:form_id>/attachments/<str:name>": Access(get=DEVICE_ONLY, params=MEDIA),
    "key/<str:token>/submission": Access(post=DEVICE_ONLY, body="submission"),
    # The JSON batch push: the door is the credential (an empty batch is a 400 past it); who
    # may submit to which form is decided per item, as on /submission (refused 403.1).
    "api/v1/sync/submissions": Access(post=SIGNED_IN),
    "key/<str:token>/api/v1/sync/submissions": Access(post=DEVICE_ONLY),
    # The pull feed: devices, and people who read submissions (a viewer reads none: 403).
    "api/v1/sync/changes": Access(get=MICRODATA),
    "key/<str:token>/api/v1/sync/changes": Access(get=DEVICE_ONLY),
    "key/<str:token>/datasets/<str:dataset>/integrity": Access(get=NOBODY, params={"dataset": "households"}),
    "key/<str:token>/^qr\\.(?P<kind>png|svg)$": Access(get=DEVICE_ONLY),
    # Draft links: capability URLs for testing a draft form.
    "test/<str:draft_token>/formList": Access(get=EVERYONE),
    "test/<str:draft_token>/forms/<str:form_id>.xml": Access(get=EVERYONE, params=MEDIA),
    "test/<str:draft_token>/forms/<str:form_id>/manifest": Access(get=EVERYONE, params=MEDIA),
    "test/<str:draft_token>/forms/<str:form_id>/attachments/<str:name>": Access(get=EVERYONE, params=MEDIA),
    # Draft submissions are not stored (yet): refused for everyone, even with the link.
    "test/<str:draft_token>/submission": Access(post=NOBODY, body="draft_submission"),
    "test/<str:draft_token>/datasets/<str:dataset>/integrity": Access(get=NOBODY, params={"dataset": "households"}),
    # The Django admin: commune admins (superusers) only.
    "admin/*": Access(get=ADMIN_ONLY),
    "admin/login/": Access(get=EVERYONE),
    # Not for anyone to open: autocomplete needs a field to complete; form versions come from
    # publishing; the audit log is read-only.
    "admin/autocomplete/": Access(get=NOBODY),
    "admin/surveys/formversion/add/": Access(get=NOBODY),
    "admin/audit/auditevent/add/": Access(get=NOBODY),
    "admin/audit/auditevent/<path:object_id>/delete/": Access(get=NOBODY),
    # Households change only through versions: no add or delete page (the delete action versions it).
    "admin/registers/household/add/": Access(get=NOBODY),
    "admin/registers/household/<path:object_id>/delete/": Access(get=NOBODY),
    "admin/logout/": Access(post=EVERYONE),
    # No model registered here has a public page, so "view on site" is 404 even for admins.
    "admin/r/<path:content_type_id>/<path:object_id>/": Access(get=NOBODY),
    "admin/(?P<url>.*)$": Access(get=NOBODY),
}

PARAMS = {
    "form_id": "ho_test",
    "volunteer_id": None,  # filled by the fixture
    "user_id": None,
    "token_id": None,
    "instance_id": None,
    "name": "ap.csv",
    "fmt": "csv",
    "indicator": "A1",
    "kind": "png",
    "object_id": "1",
    "content_type_id": "1",
    "app_label": "accounts",
    "url": "khong-co/",
    "entity_set": "Submissions",
}


def row_for(route: str) -> Access | None:
    if route in TABLE:
        return TABLE[route]
    matches = [key for key in TABLE if "*" in key and fnmatch.fnmatchcase(route, key)]
    return TABLE[max(matches, key=len)] if matches else None


def test_every_url_pattern_has_a_row_in_the_table():
    missing = [route for route in route_strings() if row_for(route) is None]
    assert not missing, "URL patterns without a row in TABLE:\n" + "\n".join(
        f'    "{r}": Access(...),' for r in missing
    )


@pytest.fixture
def scene(world):
    """The world plus what the sample URLs point at."""
    published = form_publish(
        xlsform=with_media_form(),
        filename="withmedia.xlsx",
        attachments={"ap.csv": "name,label\nAP01,Ấp Phú Dũng\n".encode()},
    )
    world.volunteer.forms.add(published.form)
    draft = form_publish(
        xlsform=with_media_form(version="2026112702"),
        filename="withmedia.xlsx",
        attachments={"ap.csv": "name,label\nAP01,Ấp Phú Dũng\n".encode()},
        publish=False,
    )
    submission = world.submit(hamlet="AP01")
    declared = SurveyRound.objects.create(name="2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    indicator_results_compute()  # stored results: no request recomputes them in a background job
    job = Job.objects.create(
        kind="indicators.recompute",
        state="done",
        created_by=world.users["viewer"],
        result_blob_id=blob_store_bytes(b"ma_ap,so_ho\nAP01,1\n").sha256,
        result_name="ho.csv",
        result_type="text/csv",
    )
    api_token_create(user=world.users["leadership"], name="báo cáo")
    hook, delivery = _sample_webhook(submission)
    revoked = device_token_issue(volunteer=world.volunteer)
    from backend.accounts.models import DeviceToken
    from backend.accounts.tokens import token_hash

    device_token_revoke(device=DeviceToken.objects.get(token_hash=token_hash(revoked)))
    params = {
        **PARAMS,
        "volunteer_id": world.other_volunteer.pk,
        "user_id": world.users["viewer"].pk,
        "token_id": world.users["leadership"].api_tokens.get().pk,
        "instance_id": submission.instance_id,
        "version_id": submission.instance_id,
        "draft_token": draft.version.draft_token,
        "id": world.users["viewer"].pk,
        "job_id": str(job.pk),
        "round_id": declared.pk,
        "webhook_id": hook.pk,
        "delivery_id": str(delivery.pk),
    }
    return world, params, revoked


def _sample_webhook(submission):
    """A webhook of the sample submission's form, with one failed delivery to retry."""
    from django.utils import timezone

    from backend.webhooks.models import DeliveryState, Webhook, WebhookDelivery

    hook = Webhook.objects.create(
        form=submission.form,
        name="tỉnh",
        url="https://tinh.example.vn/h",
        events=["submission.created"],
        secret="s" * 32,
    )
    delivery = WebhookDelivery.objects.create(
        webhook=hook,
        event="submission.created",
        body=b"{}",
        state=DeliveryState.FAILED,
        next_attempt_at=timezone.now(),
        created_at=timezone.now(),
    )
    return hook, delivery


def client_for(world, role: str) -> Client:
    # A fresh client per request: a sign-out row must not sign the next request out.
    client = Client()
    if role not in (ANON, DEVICE):
        client.force_login(world.users[role])
    return client


def submission_body(form_id: str = FORM_ID, version: str = VERSION) -> dict:
    xml = instance_xml(
        instance_id=new_instance_id(), form_id=form_id, version=version, ap="AP01", photo=None, audit=None
    )
    data, content_type = multipart(xml)
    return {"data": data, "content_type": content_type}


BODIES = {
    "submission": submission_body,
    "draft_submission": lambda: submission_body(form_id="withmedia", version="2026112702"),
}


def request_as(client: Client, method: str, path: str, body: str = ""):
    kwargs = dict(COLLECT_HEADERS)
    if body:
        kwargs.update(BODIES[body]())
    elif method in ("post", "put", "patch"):
        kwargs.update(data={}, content_type="application/json")
    return getattr(client, method)(path, **kwargs)


def actual_outcomes(scene, role: str) -> dict[tuple[str, str], str]:
    world, params, revoked_token = scene
    results = {}
    for route in route_strings():
        row = row_for(route)
        if row is None:
            continue
        values = {**params, **row.params, "token": world.device_token if role == DEVICE else revoked_token}
        path = concrete_path(route, values)
        for method in row.methods():
            cache.clear()
            with transaction.atomic():
                response = request_as(client_for(world, role), method, path, row.body)
                transaction.set_rollback(True)
            results[(route, method)] = (outcome(response, row), response.status_code, path)
    return results


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_what_the_table_says(scene, role):
    mismatches = []
    for (route, method), (got, status, path) in actual_outcomes(scene, role).items():
        expected = "allow" if role in row_for(route).methods()[method] else "deny"
        if got != expected:
            mismatches.append(f"{method.upper()} {path}  [{route}]: expected {expected}, got {got} ({status})")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)
