"""The phones' submissions take the lean request cycle (sync/submission_handler.py), and a
phone cannot tell: for every kind of answer, the lean handler's status, headers and body are
the full Django stack's, byte for byte. Called as gunicorn calls the application (WSGI)."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from backend.submissions.models import Submission
from backend.wsgi import application
from sync.submission_handler import SubmissionHandler, lean_route
from tests.bench.profile_submission import environ_for
from tests.submissions.factories import multipart, new_instance_id
from tests.sync.household_http import without_entity_block

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connection_kept():
    # As Django's test client does: a handler would otherwise close the test's connection
    # (and its transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


FULL = WSGIHandler()
LEAN = SubmissionHandler()


def environ(path, *, method="POST", body=b"", content_type="", headers=None) -> dict:
    """What gunicorn hands the application for a Collect request (the profiler's environ)."""
    env = environ_for(path, body, content_type) | {"REQUEST_METHOD": method, "QUERY_STRING": "deviceID=collect%3Ax"}
    env["HTTP_ACCEPT_ENCODING"] = "gzip, br"
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app, env: dict) -> tuple[str, list, bytes]:
    seen = []
    chunks = app(env, lambda status, headers, *exc: seen.append((status, headers)))
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    status, headers = seen[0]
    assert any(name == "Date" for name, _ in headers)  # OpenRosa's; a clock value, not compared
    return status, sorted(h for h in headers if h[0] != "Date"), body


def both(make_env) -> tuple[tuple, tuple]:
    return call(FULL, make_env()), call(LEAN, make_env())


def household_body(writer, *, cut: bool = False):
    body, content_type = multipart(without_entity_block(writer.xml(instance_id=new_instance_id(), photo=None)))
    return (body[:-40] if cut else body), content_type


def test_the_application_sends_phone_submissions_down_the_lean_cycle_and_the_rest_down_the_full_one():
    basic = {"HTTP_AUTHORIZATION": "Basic dTpw"}
    assert lean_route({"PATH_INFO": "/key/abc/submission"}) and lean_route({"PATH_INFO": "/submission", **basic})
    assert not lean_route({"PATH_INFO": "/submission", **basic, "HTTP_COOKIE": "sessionid=x"})  # a browser's session
    assert not lean_route({"PATH_INFO": "/submission"})  # no credential: the full stack looks for a session
    assert not lean_route({"PATH_INFO": "/key/abc/formList"}) and not lean_route({"PATH_INFO": "/key/a/b/submission"})
    assert not lean_route({"PATH_INFO": "/submission/"})


def test_a_new_household_and_its_replay_answer_byte_for_byte_as_the_full_stack(pl_ho):
    url, writer = pl_ho
    first, second = household_body(writer), household_body(writer)
    created_full = call(FULL, environ(url, body=first[0], content_type=first[1]))
    created_lean = call(LEAN, environ(url, body=second[0], content_type=second[1]))
    assert created_full[0] == "201 Created" and created_lean == created_full
    assert Submission.objects.count() == 2  # both stored
    replay_full, replay_lean = both(lambda: environ(url, body=first[0], content_type=first[1]))
    assert replay_full[0] == "201 Created" and replay_lean == replay_full
    assert Submission.objects.count() == 2
    # the application itself (gunicorn's entry point) gives the same answer again
    assert call(application, environ(url, body=first[0], content_type=first[1])) == replay_full


@pytest.mark.parametrize(
    "case",
    ["bad token", "no OpenRosa header", "HEAD pre-flight", "PUT", "truncated body", "not multipart", "Basic over http"],
)
def test_refusals_and_the_pre_flight_answer_byte_for_byte_as_the_full_stack(pl_ho, case):
    url, writer = pl_ho
    body, content_type = household_body(writer, cut=case == "truncated body")
    path = {"bad token": "/key/not-a-token/submission", "Basic over http": "/submission"}.get(case, url)
    method = {"HEAD pre-flight": "HEAD", "PUT": "PUT"}.get(case, "POST")
    if case == "not multipart":
        content_type = "application/xml"

    def make():
        credential = {"Authorization": "Basic dm9sOnB3"} if case == "Basic over http" else {}
        env = environ(path, method=method, body=body, content_type=content_type, headers=credential)
        if case == "no OpenRosa header":
            del env["HTTP_X_OPENROSA_VERSION"]
        return env

    full, lean = both(make)
    assert not full[0].startswith(("200", "201", "5")), full
    assert lean == full
    assert Submission.objects.count() == 0
