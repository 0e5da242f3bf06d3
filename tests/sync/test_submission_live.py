"""Guarantees against a real gunicorn process on PostgreSQL: races decided by the database,
and a server SIGKILLed mid-stream loses nothing it acknowledged."""

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from backend.core.blobs import blob_path, blob_read
from backend.core.models import Blob
from backend.submissions.models import Submission, SubmissionAttachment, SubmissionVersion
from tests.submissions.factories import device_for, instance_xml, multipart, new_instance_id, publish_household_form
from tests.submissions.live import GunicornServer

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
HEADERS = {"X-OpenRosa-Version": "1.0", "User-Agent": "org.odk.collect.android/v2025.2.1"}


@pytest.fixture
def live(postgres_only, settings):
    """A published form, a device, and a gunicorn factory pointed at the test database."""
    _volunteer, token = device_for(publish_household_form())
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    servers = []

    def start(**kwargs):
        server = GunicornServer(database_url=database_url, media_root=settings.MEDIA_ROOT, **kwargs).start()
        servers.append(server)
        return server

    yield start, token
    for server in servers:
        server.stop()


def fire(url, bodies, workers=50):
    """POST every (body, content type) at once: threads wait on a barrier, then all send."""
    barrier = threading.Barrier(len(bodies))

    def one(item):
        body, content_type = item
        barrier.wait()
        return requests.post(url, data=body, headers={**HEADERS, "Content-Type": content_type}, timeout=60)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, bodies))


def test_fifty_identical_posts_in_parallel_store_exactly_one_and_all_get_201(live):
    start, token = live
    server = start(workers=4, threads=8)
    iid = new_instance_id()
    photo = os.urandom(30_000)
    body = multipart(instance_xml(instance_id=iid), {"1764201234567.jpg": photo})
    responses = fire(f"{server.base}/key/{token}/submission", [body] * 50)
    assert sorted({r.status_code for r in responses}) == [201]
    assert Submission.objects.count() == 1 and SubmissionVersion.objects.count() == 1
    attachment = SubmissionAttachment.objects.get(name="1764201234567.jpg")
    assert blob_read(attachment.blob_id) == photo


def test_fifty_different_xmls_with_one_instance_id_store_one_and_refuse_the_rest(live):
    start, token = live
    server = start(workers=4, threads=8)
    iid = new_instance_id()
    bodies = [multipart(instance_xml(instance_id=iid, ap=f"AP{i:02d}")) for i in range(50)]
    responses = fire(f"{server.base}/key/{token}/submission", bodies)
    codes = [r.status_code for r in responses]
    assert codes.count(201) == 1 and codes.count(409) == 49
    winner = bodies[codes.index(201)][0]
    stored = Submission.objects.select_related("current_version").get()
    assert bytes(stored.current_version.xml) in winner


def test_a_sigkilled_server_loses_nothing_it_acknowledged_and_retries_succeed(live, settings):
    start, token = live
    server = start(workers=2, threads=4)
    url = f"{server.base}/key/{token}/submission"
    sent: dict[str, tuple[bytes, bytes]] = {}
    acknowledged: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def phone(n):
        session = requests.Session()
        while not stop.is_set():
            iid = new_instance_id()
            xml, photo = instance_xml(instance_id=iid, ap=f"AP{n:02d}", audit=None), os.urandom(80_000)
            with lock:
                sent[iid] = (xml, photo)
            body, content_type = multipart(xml, {"1764201234567.jpg": photo})
            try:
                r = session.post(url, data=body, headers={**HEADERS, "Content-Type": content_type}, timeout=10)
            except requests.RequestException:
                return  # the server died under us: this one is unacknowledged
            if r.status_code == 201:
                with lock:
                    acknowledged.add(iid)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    while len(acknowledged) < 40:
        threading.Event().wait(0.01)
    server.kill()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acknowledged) >= 40 and len(sent) > len(acknowledged)  # some were cut off mid-request

    # Every acknowledged submission is whole: XML byte-identical, its photo byte-identical.
    for iid in acknowledged:
        xml, photo = sent[iid]
        version = SubmissionVersion.objects.get(instance_id=iid)
        assert bytes(version.xml) == xml
        assert blob_read(version.attachments.get(name="1764201234567.jpg").blob_id) == photo
    # Nothing half-stored is visible: every submission has its version, every file row its bytes.
    assert not Submission.objects.filter(current_version__isnull=True).exists()
    for blob in Blob.objects.filter(sha256__in=SubmissionAttachment.objects.values("blob_id")):
        with open(os.path.join(settings.MEDIA_ROOT, blob_path(blob.sha256)), "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == blob.sha256

    # The phones retry everything not acknowledged (and, to be sure, the rest too): all 201.
    server = start(workers=2, threads=4)
    url = f"{server.base}/key/{token}/submission"
    for iid, (xml, photo) in sent.items():
        body, content_type = multipart(xml, {"1764201234567.jpg": photo})
        r = requests.post(url, data=body, headers={**HEADERS, "Content-Type": content_type}, timeout=30)
        assert r.status_code == 201, (iid, r.status_code, r.text)
    assert Submission.objects.count() == len(sent)
    assert not SubmissionAttachment.objects.filter(blob__isnull=True).exists()


def test_a_2gb_declared_body_over_a_real_socket_gets_an_openrosa_413(live):
    import socket

    start, token = live
    server = start(workers=1, threads=2)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            f"POST /key/{token}/submission HTTP/1.1\r\nHost: x\r\nX-OpenRosa-Version: 1.0\r\n"
            "Content-Type: multipart/form-data; boundary=zz\r\nContent-Length: 2147483648\r\n\r\n--zz\r\n".encode()
        )
        # The status line and the OpenRosaResponse body may arrive in separate segments.
        reply = b""
        while b"</OpenRosaResponse>" not in reply:
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 413") and b"OpenRosaResponse" in reply
    assert requests.head(f"{server.base}/key/{token}/submission", headers=HEADERS, timeout=5).status_code == 204
