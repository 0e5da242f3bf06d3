"""The register served to Collect as an entity list (OPENROSA.md §2.1–§2.3, checklist 41–42),
checked on the bytes: manifest entry, CSV, ETag/304, integrity, hamlet scoping."""

import hashlib
import uuid

from lxml import etree

from backend.registers.models import Household
from backend.surveys.models import FormState
from backend.surveys.services import form_state_set
from tests.helpers import COLLECT_HEADERS
from tests.registers.conftest import household_instance, send

NS = {"m": "http://openrosa.org/xforms/xformsManifest"}
A, B, C = (str(uuid.UUID(int=n)) for n in (1, 2, 3))


def register(client, devices):
    """Two households in AP01 and one in AP02, created by submissions."""
    _, token1 = devices["AP01"]
    _, token2 = devices["AP02"]
    send(
        client,
        token1,
        household_instance(
            entity_id=A,
            create=True,
            label="AP01 H001 · Lan",
            ma_ho="H001",
            ten_goi="Lan",
            mo_ta="Nhà mái tôn, cổng xanh",
            geometry="10.9012 106.8123 0 0",
        ),
    )
    send(
        client,
        token1,
        household_instance(entity_id=B, create=True, label='AP01 H002 · "Út"', ma_ho="H002", ten_goi="Út"),
    )
    send(
        client,
        token2,
        household_instance(entity_id=C, create=True, ap="AP02", label="AP02 H001 · Hoa", ma_ho="H001", ten_goi="Hoa"),
    )


def manifest(client, token):
    response = client.get(f"/key/{token}/forms/ho_theo_doi/manifest?deviceID=collect:x", **COLLECT_HEADERS)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8" and response["X-OpenRosa-Version"] == "1.0"
    return response


def test_the_manifest_lists_households_csv_as_an_entity_list_with_hash_download_and_integrity_urls(client, devices):
    register(client, devices)
    _, token = devices["AP01"]
    response = manifest(client, token)
    csv = client.get(f"/key/{token}/forms/ho_theo_doi/attachments/households.csv")
    etag = csv["ETag"].strip('"')
    assert (
        response.content
        == (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<manifest xmlns="http://openrosa.org/xforms/xformsManifest">'
            '<mediaFile type="entityList"><filename>households.csv</filename>'
            f"<hash>md5:{etag}</hash>"
            f"<downloadUrl>https://survey.example.org/key/{token}/forms/ho_theo_doi/attachments/households.csv"
            "</downloadUrl>"
            f"<integrityUrl>https://survey.example.org/key/{token}/datasets/households/integrity</integrityUrl>"
            "</mediaFile></manifest>"
        ).encode()
    )
    assert len(etag) == 32 and int(etag, 16) >= 0


def test_the_csv_has_the_spec_columns_and_only_the_volunteers_hamlet(client, devices):
    register(client, devices)
    _, token = devices["AP01"]
    response = client.get(f"/key/{token}/forms/ho_theo_doi/attachments/households.csv?deviceID=collect:x")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.content
        == (
            "name,label,__version,ap,ma_ho,ten_goi,mo_ta,geometry\r\n"
            f'{A},AP01 H001 · Lan,1,AP01,H001,Lan,"Nhà mái tôn, cổng xanh",10.9012 106.8123 0 0\r\n'
            f'{B},"AP01 H002 · ""Út""",1,AP01,H002,Út,,\r\n'
        ).encode()
    )
    _, token2 = devices["AP02"]
    other = client.get(f"/key/{token2}/forms/ho_theo_doi/attachments/households.csv").content.decode()
    assert C in other and A not in other and B not in other


def test_the_hash_is_stable_across_requests_and_answers_304_until_the_list_changes(client, devices):
    register(client, devices)
    _, token = devices["AP01"]
    _, token2 = devices["AP02"]
    url = f"/key/{token}/forms/ho_theo_doi/attachments/households.csv"
    first, again = manifest(client, token).content, manifest(client, token).content
    assert first == again
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Another hamlet's list has its own hash.
    assert manifest(client, token2).content.split(b"<hash>")[1] != first.split(b"<hash>")[1]
    # A follow-up visit updates a household: new hash, new ETag, the new version in the CSV.
    send(
        client,
        token,
        household_instance(
            entity_id=A,
            update=True,
            base_version="1",
            label="AP01 H001 · Lan",
            ma_ho="H001",
            ten_goi="Lan",
            mo_ta="Nhà hai tầng",
        ),
    )
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert f"{A},AP01 H001 · Lan,2,AP01,H001,Lan,Nhà hai tầng,".encode() in changed.content
    assert manifest(client, token).content != first
    assert f"md5:{changed['ETag'].strip(chr(34))}".encode() in manifest(client, token).content


def test_form_list_announces_the_manifest_of_a_form_that_consumes_the_register(client, devices):
    _, token = devices["AP01"]
    response = client.get(f"/key/{token}/formList", **COLLECT_HEADERS)
    assert f"https://survey.example.org/key/{token}/forms/ho_theo_doi/manifest".encode() in response.content


def test_integrity_says_which_offline_households_were_deleted(client, devices):
    register(client, devices)
    Household.objects.filter(pk=B).update(deleted_at="2026-12-03T10:00:00Z")
    _, token = devices["AP01"]
    unknown = str(uuid.uuid4())
    response = client.get(
        f"/key/{token}/datasets/households/integrity?id={A},{B},{unknown},{C}&deviceID=collect:x", **COLLECT_HEADERS
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert (
        response.content
        == (
            '<?xml version="1.0" encoding="UTF-8"?>\n<data><entities>'
            f'<entity id="{A}"><deleted>false</deleted></entity>'
            f'<entity id="{B}"><deleted>true</deleted></entity>'
            "</entities></data>"
        ).encode()
    )
    root = etree.fromstring(response.content)
    assert [e.findtext("deleted") for e in root.iter("entity")] == ["false", "true"]


def test_a_deleted_household_leaves_the_csv_and_changes_the_hash(client, devices, admin):
    from backend.registers.services import household_delete

    register(client, devices)
    _, token = devices["AP01"]
    before = manifest(client, token).content
    deleted = household_delete(household=Household.objects.get(pk=B), user=admin, ip="10.0.0.1")
    assert deleted.version == 2 and deleted.changes.get(version=2).changed == ["deleted"]
    csv = client.get(f"/key/{token}/forms/ho_theo_doi/attachments/households.csv").content.decode()
    assert B not in csv and A in csv
    assert manifest(client, token).content != before


def test_integrity_and_the_list_are_refused_when_the_consuming_form_is_closed(client, devices, follow_up_form):
    _, token = devices["AP01"]
    form_state_set(form=follow_up_form, state=FormState.CLOSED)
    assert client.get(f"/key/{token}/datasets/households/integrity?id={A}", **COLLECT_HEADERS).status_code == 403
    assert client.get(f"/key/{token}/forms/ho_theo_doi/attachments/households.csv").status_code == 403
    assert client.get(f"/key/{token}/datasets/people/integrity", **COLLECT_HEADERS).status_code == 404


def test_a_form_that_does_not_consume_the_register_keeps_its_plain_manifest(client, hamlets):
    from backend.accounts.services import volunteer_create
    from backend.surveys.services import form_publish
    from tests.helpers import with_media_form

    form = form_publish(
        xlsform=with_media_form(), filename="withmedia.xlsx", attachments={"ap.csv": b"name,label\n"}
    ).form
    _, token = volunteer_create(name="Lê Văn C", forms=[form])
    content = client.get(f"/key/{token}/forms/withmedia/manifest", **COLLECT_HEADERS).content
    assert b"entityList" not in content and hashlib.md5(b"name,label\n").hexdigest().encode() in content
