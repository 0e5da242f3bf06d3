"""The outbound request's guards, against a real receiver: a timeout, no redirect followed,
only the first bytes of an answer kept, private addresses refused unless allowed."""

from __future__ import annotations

import time

from backend.webhooks import sender
from tests.webhooks.receiver import Receiver


def post(url, **kwargs):
    options = {"timeout_s": 1.0, "excerpt_bytes": 2000, "allow_private": True, **kwargs}
    return sender.post(url, b'{"a":1}', {"Content-Type": "application/json"}, **options)


def test_a_receiver_that_never_answers_is_cut_off_at_the_timeout(receiver: Receiver):
    receiver.hang_s = 10
    receiver.up("hang")
    began = time.monotonic()
    outcome = post(receiver.url)
    took = time.monotonic() - began
    assert not outcome.ok and "timed out" in outcome.error.lower() and took < 3


def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver: Receiver):
    receiver.up("redirect")
    outcome = post(receiver.url)
    assert (outcome.ok, outcome.status_code) == (False, 302)
    assert "redirect not followed" in outcome.error and "10.0.0.1" in outcome.error
    assert len(receiver.requests) == 1  # one request: the redirect's target was never asked


def test_only_the_first_bytes_of_a_big_answer_are_kept(receiver: Receiver):
    receiver.up("big")  # answers 1 MB
    outcome = post(receiver.url, excerpt_bytes=2000)
    assert outcome.ok and len(outcome.excerpt) == 2000


def test_private_and_loopback_addresses_are_refused_unless_allowed(receiver: Receiver):
    receiver.up("ok")
    refused = post(receiver.url, allow_private=False)
    assert not refused.ok and "private address" in refused.error and receiver.requests == []
    assert not post("http://169.254.169.254/latest/meta-data", allow_private=False).ok
    assert post(receiver.url, allow_private=True).ok


def test_a_receiver_that_is_down_is_an_error_not_an_exception():
    outcome = post(Receiver().url)  # nothing listens on that port
    assert not outcome.ok and outcome.status_code is None and "refused" in outcome.error.lower()
