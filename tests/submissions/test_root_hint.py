"""The root-tag look that lets one query fetch the form version before any parse: it must
read what the parse reads, or say it cannot (the caller then asks again after the parse)."""

from backend.submissions.ingest_lookup import root_hint
from backend.submissions.instance_xml import instance_read


def test_the_hint_is_what_the_parse_reads_for_collects_bytes():
    xml = (
        b'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" id="pl_ho" version="2026112701">'
        b"<meta><instanceID>uuid:1</instanceID></meta></data>"
    )
    doc = instance_read(xml)
    assert root_hint(xml) == (doc.form_id, doc.version) == ("pl_ho", "2026112701")


def test_a_namespaced_version_and_single_quotes_are_read_like_the_parse():
    xml = b"<data id='ho' orx:version='3' xmlns:orx=\"http://openrosa.org/xforms\"><meta/></data>"
    assert root_hint(xml) == ("ho", "3") == (instance_read(xml).form_id, instance_read(xml).version)


def test_no_version_attribute_reads_as_empty_like_the_parse():
    xml = b'<data id="ho"><meta/></data>'
    assert root_hint(xml) == ("ho", "") == (instance_read(xml).form_id, instance_read(xml).version)


def test_what_the_hint_cannot_read_plainly_it_leaves_to_the_parse():
    assert root_hint(b'<data id="a&amp;b" version="1"/>') is None  # an escaped character
    assert root_hint(b'<data version="1" orx:version="2" id="x"/>') is None  # two versions
    assert root_hint(b"<data/>") is None  # no id at all
    assert root_hint(b"") is None
    # A comment before the root may fool the look; the caller compares with the parse.
    fooled = b'<!-- <old id="other" version="9"> --><data id="ho" version="1"/>'
    assert root_hint(fooled) != (instance_read(fooled).form_id, instance_read(fooled).version)
