"""Issue 17, "Who sees what": personal responses are never cached, a browser session cannot be
made to post a submission from another site, `next=` stays on this site, and hostile input
(NFD usernames, NUL bytes) gets a 4xx, not a 500."""

import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import Role
from backend.accounts.services import api_token_create
from backend.submissions.models import Submission
from tests.access.world import PASSWORD
from tests.helpers import COLLECT_HEADERS
from tests.submissions.factories import FORM_ID, instance_xml, multipart, new_instance_id

pytestmark = pytest.mark.django_db


def _signed_in(world, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_every_response_carrying_personal_answers_is_private_and_not_stored(world):
    submission = world.submit()
    iid = submission.instance_id
    base = f"/api/v1/forms/{FORM_ID}/submissions"
    admin = _signed_in(world, "admin")
    head = _signed_in(world, "hamlet_head")
    volunteer = _signed_in(world, "volunteer")
    key = f"/key/{world.device_token}"
    routes = [
        (admin, f"{base}"),  # the submission list
        (admin, f"{base}/{iid}"),  # detail
        (admin, f"{base}/{iid}.xml"),  # the XML
        (admin, f"{base}/{iid}/attachments"),  # attachment list
        (admin, f"{base}/{iid}/attachments/1764201234567.jpg"),  # a photo
        (admin, f"{base}/{iid}/comments"),
        (admin, f"/api/v1/forms/{FORM_ID}/submissions.csv"),
        (admin, f"/api/v1/forms/{FORM_ID}/submissions.csv.zip"),
        (admin, f"/api/v1/forms/{FORM_ID}/submissions.xlsx"),
        (admin, f"/api/v1/forms/{FORM_ID}/submissions.geojson"),
        (admin, f"/api/v1/forms/{FORM_ID}/attachments.zip"),
        (admin, "/api/v1/submissions"),  # the review queue
        (volunteer, "/api/v1/my/submissions"),  # "my submissions", web account
        (Client(), f"{key}/api/my-submissions"),  # "my submissions", device
        (admin, "/api/v1/indicators/review"),  # the location review
        (admin, "/api/v1/audit"),
        (head, f"/hamlet/?form={FORM_ID}"),  # the hamlet pages
        (head, f"/hamlet/submissions/{FORM_ID}/{iid}"),
        (head, f"/hamlet/submissions/{FORM_ID}/{iid}/files/1764201234567.jpg"),
        (head, f"/hamlet/coverage?form={FORM_ID}"),
        (Client(), f"{key}/app/mine"),  # the volunteer's own page
        (Client(), f"{key}/app/mine/{FORM_ID}/{iid}.xml"),
    ]
    for client, url in routes:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response["Cache-Control"] == "private, no-store", url
    # A page without personal answers keeps its ordinary caching.
    assert "no-store" not in admin.get("/api/v1/indicators/catalogue").get("Cache-Control", "")


def _session_post(client: Client, xml: bytes, **extra):
    body, content_type = multipart(xml)
    return client.post("/submission", body, content_type=content_type, **COLLECT_HEADERS, **extra)


def test_a_browser_session_posting_a_submission_needs_the_csrf_token(world):
    # Issue 17: a foreign page could make a signed-in admin's browser store a submission.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["admin"])
    refused = _session_post(browser, instance_xml(instance_id=new_instance_id()), HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403 and b"CSRF" in refused.content
    assert b"<OpenRosaResponse" in refused.content
    assert not Submission.objects.exists()
    foreign_referer = _session_post(
        browser, instance_xml(instance_id=new_instance_id()), HTTP_REFERER="https://evil.example/page"
    )
    assert foreign_referer.status_code == 403
    # From this site's own pages it is accepted.
    accepted = _session_post(browser, instance_xml(instance_id=new_instance_id()), HTTP_ORIGIN="http://testserver")
    assert accepted.status_code == 201, accepted.content
    referred = _session_post(
        browser, instance_xml(instance_id=new_instance_id()), HTTP_REFERER="https://survey.example.org/hamlet/"
    )
    assert referred.status_code == 201, referred.content
    # Device links and Bearer tokens carry their credentials explicitly: unchanged.
    device = Client(enforce_csrf_checks=True)
    body, content_type = multipart(instance_xml(instance_id=new_instance_id()))
    response = device.post(f"/key/{world.device_token}/submission", body, content_type=content_type, **COLLECT_HEADERS)
    assert response.status_code == 201
    bearer = Client(enforce_csrf_checks=True)
    body, content_type = multipart(instance_xml(instance_id=new_instance_id()))
    response = bearer.post(
        "/submission",
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=world.users['admin'])}",
        HTTP_ORIGIN="https://evil.example",
        **COLLECT_HEADERS,
    )
    assert response.status_code == 201
    assert Submission.objects.count() == 4


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/hamlet/",
        "javascript:alert(1)",
        "///evil.example",
    ],
)
def test_bulk_approve_follows_next_only_on_this_site(world, target):
    head = _signed_in(world, "hamlet_head")
    response = head.post("/hamlet/review/bulk-approve", {"form": FORM_ID, "next": target})
    assert response.status_code == 302
    assert response["Location"] == f"/hamlet/?form={FORM_ID}"


def test_bulk_approve_follows_a_next_on_this_site(world):
    head = _signed_in(world, "hamlet_head")
    response = head.post("/hamlet/review/bulk-approve", {"form": FORM_ID, "next": "/hamlet/?form=x&state=received"})
    assert response["Location"] == "/hamlet/?form=x&state=received"


def test_usernames_are_stored_in_nfkc_and_another_spelling_of_a_taken_name_is_refused(world):
    admin = APIClient()
    admin.force_authenticate(world.users["admin"])
    nfd = unicodedata.normalize("NFD", "trưởngấp")
    created = admin.post("/api/v1/users", {"username": nfd, "password": PASSWORD, "role": Role.VIEWER}, format="json")
    assert created.status_code == 201, created.content
    assert get_user_model().objects.filter(username=unicodedata.normalize("NFKC", nfd)).exists()
    # The NFC spelling, and a ligature spelling of another name, are the same name: 409.10, not 500.
    again = admin.post(
        "/api/v1/users",
        {"username": unicodedata.normalize("NFC", nfd), "password": PASSWORD, "role": Role.VIEWER},
        format="json",
    )
    assert again.status_code == 409 and again.json()["code"] == "409.10"
    admin.post("/api/v1/users", {"username": "office", "password": PASSWORD, "role": Role.VIEWER}, format="json")
    ligature = admin.post(
        "/api/v1/users", {"username": "o\ufb03ce", "password": PASSWORD, "role": Role.VIEWER}, format="json"
    )
    assert ligature.status_code == 409 and ligature.json()["code"] == "409.10"
    # And the NFD spelling signs in to the NFKC account.
    assert Client().post("/accounts/login/", {"username": nfd, "password": PASSWORD}).status_code == 302


def test_a_nul_byte_in_a_path_or_a_query_is_a_4xx_not_a_500(world):
    world.submit()
    admin = _signed_in(world, "admin")
    head = _signed_in(world, "hamlet_head")
    for client, url in [
        (admin, "/api/v1/forms/pl_ho%00/submissions"),
        (admin, f"/api/v1/forms/{FORM_ID}/submissions/uuid:x%00"),
        (admin, f"/api/v1/forms/{FORM_ID}/submissions/uuid:x/attachments/a%00.jpg"),
        (head, f"/hamlet/submissions/{FORM_ID}/uuid:x%00"),
        (Client(), "/key/abc%00/formList"),
        (Client(), f"/key/{world.device_token}/forms/{FORM_ID}%00.xml"),
    ]:
        response = client.get(url, **COLLECT_HEADERS)
        assert response.status_code == 404, (url, response.status_code)
    response = admin.get("/api/v1/forms/pl_ho%00/submissions")
    assert response.json()["code"] == "404.1"
    response = admin.get(f"/api/v1/forms/{FORM_ID}/submissions", {"hamlet": "AP\x0001"})
    assert response.status_code == 400 and response.json()["code"] == "400.1"
    response = Client().get(f"/key/{world.device_token}/forms/{FORM_ID}%00.xml", **COLLECT_HEADERS)
    assert b"<OpenRosaResponse" in response.content
