"""Photos are streamed (issue 18): each file part is written to disk beside the blob store and
hashed while the body arrives, then published by a hard link — the stored bytes are exactly
the sent ones, nothing is left behind in the incoming directory, and a cut-off upload stores
nothing."""

import hashlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadhandler import StopFutureHandlers

from backend.core.blobs import INCOMING, BlobUpload, BlobUploadHandler, blob_path, blob_read
from backend.submissions.models import Submission, SubmissionAttachment
from tests.helpers import COLLECT_HEADERS
from tests.submissions.factories import multipart, new_instance_id
from tests.sync.household_http import post, without_entity_block

pytestmark = pytest.mark.django_db
PHOTO_NAME = "1764201234567.jpg"


def incoming_files() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / INCOMING
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_a_200_kb_photo_is_stored_byte_for_byte_and_the_temporary_file_is_gone(client, pl_ho):
    url, writer = pl_ho
    photo = os.urandom(200 * 1024)
    iid = new_instance_id()
    response = post(
        client, url, without_entity_block(writer.xml(instance_id=iid, photo=PHOTO_NAME)), {PHOTO_NAME: photo}
    )
    assert response.status_code == 201, response.content
    slot = SubmissionAttachment.objects.get(version__instance_id=iid, name=PHOTO_NAME)
    assert blob_read(slot.blob_id) == photo
    assert slot.blob.size == len(photo) and len(slot.blob.md5) == 32
    assert incoming_files() == []
    # The same photo again under another submission: one blob, still nothing left over.
    again = new_instance_id()
    xml = without_entity_block(writer.xml(instance_id=again, photo=PHOTO_NAME))
    assert post(client, url, xml, {PHOTO_NAME: photo}).status_code == 201
    assert SubmissionAttachment.objects.get(version__instance_id=again).blob_id == slot.blob_id
    assert incoming_files() == []


def test_a_cut_off_upload_stores_no_blob_and_leaves_no_temporary_file(client, pl_ho):
    url, writer = pl_ho
    photo = os.urandom(150 * 1024)
    body, content_type = multipart(
        without_entity_block(writer.xml(instance_id=new_instance_id(), photo=PHOTO_NAME)), {PHOTO_NAME: photo}
    )
    response = client.generic("POST", url, body[: len(body) - 40_000], content_type=content_type, **COLLECT_HEADERS)
    assert response.status_code == 400 and b'nature="error"' in response.content
    assert Submission.objects.count() == 0
    assert incoming_files() == []


def test_the_handler_hashes_while_writing_and_hands_the_xml_part_on():
    handler = BlobUploadHandler(None, skip=("xml_submission_file",))
    handler.new_file("xml_submission_file", "i.xml", "text/xml", 10)
    assert handler.receive_data_chunk(b"<x/>", 0) == b"<x/>" and handler.file_complete(4) is None
    with pytest.raises(StopFutureHandlers):
        handler.new_file(PHOTO_NAME, PHOTO_NAME, "image/jpeg", 6)
    assert handler.receive_data_chunk(b"abc", 0) is None and handler.receive_data_chunk(b"def", 3) is None
    upload = handler.file_complete(6)
    assert isinstance(upload, BlobUpload) and upload.read() == b"abcdef"
    assert upload.sha256 == hashlib.sha256(b"abcdef").hexdigest() and upload.size == 6
    upload.publish()
    assert Path(settings.MEDIA_ROOT, blob_path(upload.sha256)).read_bytes() == b"abcdef"
    upload.close()
    assert incoming_files() == []
