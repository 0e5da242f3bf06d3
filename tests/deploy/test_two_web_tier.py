"""The web tier keeps no state of its own: two gunicorn processes ("two web containers") against
one PostgreSQL, one Redis and one S3-compatible object store (moto's server mode, a real HTTP
S3 endpoint in a thread) give the same answers, whichever of them a phone or a script reaches.

What would break a second web container is exactly what this exercises: files on a local disk
(a photo received by one and asked of the other), per-process caches (login-failure counters),
and identity decided in memory (a replay reaching the other process).
"""

import hashlib
import os
import uuid

import boto3
import pytest
import redis
import requests
from django.db import connection

from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.core.blobs import blob_path
from tests.submissions.factories import device_for, instance_xml, multipart, new_instance_id, publish_household_form
from tests.submissions.live import GunicornServer, free_port

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
COLLECT = {"X-OpenRosa-Version": "1.0", "User-Agent": "org.odk.collect.android/v2025.2.1"}
PASSWORD = "mat-khau-dai-du-manh-2026"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11").rsplit("/", 1)[0] + "/13"


@pytest.fixture
def object_store():
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    credentials = {"aws_access_key_id": "phulam-test", "aws_secret_access_key": "phulam-test-secret"}
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials)
    bucket = f"phulam-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    env = {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
    }
    yield s3, bucket, env
    server.stop()


@pytest.fixture
def shared_redis():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def two_web_servers(postgres_only, object_store, shared_redis, tmp_path):
    _s3, _bucket, s3_env = object_store
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    servers = []
    for name in ("a", "b"):
        # Each "container" has its own empty local disk: nothing may be read from it.
        media = tmp_path / f"media-{name}"
        media.mkdir()
        env = {**s3_env, "REDIS_URL": shared_redis, "PUBLIC_BASE_URL": "http://127.0.0.1"}
        servers.append(
            GunicornServer(database_url=database_url, media_root=media, workers=1, threads=4, extra_env=env).start(
                timeout=60
            )
        )
    yield servers
    for server in servers:
        server.stop()


def test_a_photo_sent_to_one_web_container_is_served_by_the_other_from_object_storage(
    two_web_servers, object_store, tmp_path
):
    a, b = two_web_servers
    s3, bucket, _env = object_store
    form = publish_household_form()
    _volunteer, token = device_for(form)
    user_create(username="lanhdao", password=PASSWORD, role=Role.LEADERSHIP)
    iid = new_instance_id()
    photo = os.urandom(50_000)
    body, content_type = multipart(instance_xml(instance_id=iid), {"1764201234567.jpg": photo})

    sent = requests.post(
        f"{a.base}/key/{token}/submission", data=body, headers={**COLLECT, "Content-Type": content_type}, timeout=30
    )
    assert sent.status_code == 201, sent.text
    # The retry a flaky network makes reaches the other container: the same one submission.
    replay = requests.post(
        f"{b.base}/key/{token}/submission", data=body, headers={**COLLECT, "Content-Type": content_type}, timeout=30
    )
    assert replay.status_code == 201, replay.text

    sha256 = hashlib.sha256(photo).hexdigest()
    stored = s3.get_object(Bucket=bucket, Key=blob_path(sha256))["Body"].read()
    assert stored == photo
    assert not any(p.is_file() for p in tmp_path.rglob("*") if "media-" in str(p)), "a file landed on a local disk"

    # A script signs in through one container and reads through the other.
    signed_in = requests.post(
        f"{a.base}/api/v1/auth/token", json={"username": "lanhdao", "password": PASSWORD}, timeout=30
    )
    assert signed_in.status_code == 201, signed_in.text
    bearer = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    listed = requests.get(f"{b.base}/api/v1/forms/{form.form_id}/submissions", headers=bearer, timeout=30)
    assert listed.status_code == 200
    assert [row["instance_id"] for row in listed.json()["results"]] == [iid]
    downloaded = requests.get(
        f"{b.base}/api/v1/forms/{form.form_id}/submissions/{iid}/attachments/1764201234567.jpg",
        headers=bearer,
        timeout=30,
    )
    assert downloaded.status_code == 200
    assert downloaded.content == photo


def test_login_failures_counted_by_one_container_lock_the_account_on_the_other(two_web_servers):
    a, b = two_web_servers
    user_create(username="lanhdao", password=PASSWORD, role=Role.LEADERSHIP)
    # Five failures spread over both containers: with per-process counters each would have seen
    # only two or three, and the account would still open.
    for server in (a, b, a, b, a):
        wrong = requests.post(
            f"{server.base}/api/v1/auth/token", json={"username": "lanhdao", "password": "sai"}, timeout=30
        )
        assert wrong.status_code == 401
    for server in (a, b):
        right = requests.post(
            f"{server.base}/api/v1/auth/token", json={"username": "lanhdao", "password": PASSWORD}, timeout=30
        )
        assert right.status_code in {401, 429}, f"{server.base} let a locked account in"
