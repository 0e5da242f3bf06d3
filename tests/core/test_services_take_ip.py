"""Services are called by views, tasks, commands and other services alike: they take the
client's address (`ip=`), never the HTTP request (backend.audit.http.client_ip reads it)."""

import importlib
import inspect
import pkgutil

import backend


def _service_functions():
    for info in pkgutil.walk_packages(backend.__path__, "backend."):
        if info.name.endswith(".services"):
            module = importlib.import_module(info.name)
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if function.__module__ == module.__name__:
                    yield f"{info.name}.{name}", function


def test_no_service_takes_the_http_request():
    functions = dict(_service_functions())
    assert "backend.review.services.submissions_review_bulk" in functions
    takes_request = [name for name, f in functions.items() if "request" in inspect.signature(f).parameters]
    assert takes_request == []


def test_the_writes_that_record_an_address_take_it_as_ip():
    from backend.accounts.services import api_token_create, user_create, volunteer_create
    from backend.audit.services import audit_record, audit_records
    from backend.publication.services import round_publish
    from backend.review.services import submission_comment_add, submission_review_set, submissions_review_bulk

    for function in (
        audit_record,
        audit_records,
        user_create,
        volunteer_create,
        api_token_create,
        round_publish,
        submission_review_set,
        submissions_review_bulk,
        submission_comment_add,
    ):
        assert "ip" in inspect.signature(function).parameters, function.__name__
