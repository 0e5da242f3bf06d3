"""A draft can be tested on a phone before it is published."""

import hashlib

from lxml import etree

from backend.surveys.models import Form
from backend.surveys.services import form_publish
from tests.helpers import COLLECT_HEADERS, xlsform_bytes


def test_a_draft_is_served_under_its_test_link_and_hidden_from_the_normal_list(client, db):
    result = form_publish(xlsform=xlsform_bytes(form_id="trial"), filename="trial.xlsx", publish=False)
    token = result.version.draft_token
    assert result.status == "draft_created" and token
    listing = client.get(f"/test/{token}/formList", **COLLECT_HEADERS)
    assert listing.status_code == 200
    ids = [e.text for e in etree.fromstring(listing.content).iter("{http://openrosa.org/xforms/xformsList}formID")]
    assert ids == ["trial"]
    xml = client.get(f"/test/{token}/forms/trial.xml")
    assert hashlib.md5(xml.content).hexdigest() == result.version.md5
    assert Form.objects.get(form_id="trial").current_version is None


def test_publishing_the_draft_ends_its_test_link(client, db):
    draft = form_publish(xlsform=xlsform_bytes(form_id="trial"), filename="trial.xlsx", publish=False)
    token = draft.version.draft_token
    published = form_publish(xlsform=xlsform_bytes(form_id="trial"), filename="trial.xlsx")
    assert published.status == "draft_published"
    assert Form.objects.get(form_id="trial").current_version_id == draft.version.pk
    response = client.get(f"/test/{token}/formList", **COLLECT_HEADERS)
    assert response.status_code == 404
    assert b"draft testing endpoint" in response.content
