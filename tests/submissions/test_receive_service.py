"""submission_receive: new, replay, split upload, edit and every refusal, on real bytes."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.core.blobs import blob_read
from backend.core.errors import Problem
from backend.submissions.models import ReviewState, Submission, SubmissionAttachment, SubmissionVersion
from backend.submissions.services import submission_receive
from backend.surveys.models import FormState
from tests.submissions.factories import (
    AUDIT,
    OLD_VERSION,
    PHOTO,
    instance_xml,
    new_instance_id,
    publish_household_form,
)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg" if name.endswith(".jpg") else "text/csv")


def receive(actor, xml, files=None, **kwargs):
    files = {name: upload(name, data) for name, data in (files or {}).items()}
    return submission_receive(actor=actor, xml=xml, files=files, **kwargs)


def test_a_new_submission_is_stored_verbatim_with_its_typed_columns(device_actor):
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid)
    result = receive(
        device_actor,
        xml,
        {"1764201234567.jpg": PHOTO, "audit.csv": AUDIT},
        device_id="collect:abc",
        user_agent="org.odk.collect.android/v2025.2.1",
    )
    assert (result.status, result.outcome) == (201, "created")
    sub = Submission.objects.select_related("current_version").get(instance_id=iid)
    assert bytes(sub.current_version.xml) == xml
    assert sub.review_state == ReviewState.RECEIVED
    assert (sub.hamlet_code, sub.survey_round, sub.survey_date) == ("AP03", "2026-R1", datetime.date(2026, 11, 27))
    assert (sub.lat, sub.lon, sub.altitude, sub.accuracy) == (10.9012, 106.8123, 12.5, 4.0)
    assert sub.volunteer == device_actor.volunteer and sub.submitter_device == device_actor.device
    assert (sub.device_id, sub.user_agent) == ("collect:abc", "org.odk.collect.android/v2025.2.1")
    parsed = sub.current_version.parsed
    assert parsed["tv"] == [{"tv_ten": "Nguyễn Văn Hùng", "tv_anh": ""}, {"tv_ten": "Lê Thị Hoa", "tv_anh": ""}]
    assert parsed["ho"] == {"so_tv": "2"} and parsed["meta"]["instanceID"] == iid
    files = {a.name: a for a in SubmissionAttachment.objects.filter(version=sub.current_version)}
    assert set(files) == {"1764201234567.jpg", "audit.csv"}
    assert blob_read(files["1764201234567.jpg"].blob_id) == PHOTO
    assert files["audit.csv"].is_client_audit and not files["1764201234567.jpg"].is_client_audit


def test_a_single_repeat_instance_is_still_a_list(device_actor):
    iid = new_instance_id()
    receive(device_actor, instance_xml(instance_id=iid, members=[("Một người", "")]))
    assert Submission.objects.get(instance_id=iid).current_version.parsed["tv"] == [
        {"tv_ten": "Một người", "tv_anh": ""}
    ]


def test_survey_date_falls_back_to_the_received_day_without_today_or_start(device_actor):
    iid = new_instance_id()
    xml = (
        instance_xml(instance_id=iid)
        .replace(b"<today>2026-11-27</today>", b"<today/>")
        .replace(b"<start>2026-11-27T08:15:00.000+07:00</start>", b"<start></start>")
    )
    when = datetime.datetime(2026, 12, 1, 20, 0, tzinfo=datetime.UTC)  # 2 December in Đồng Nai
    receive(device_actor, xml, received_at=when)
    assert Submission.objects.get(instance_id=iid).survey_date == datetime.date(2026, 12, 2)


@pytest.mark.usefixtures("postgres_only")  # the one-statement insert is PostgreSQL's (SQLite takes the ORM path)
def test_a_new_submission_with_one_attachment_costs_few_queries(device_actor, django_assert_max_num_queries):
    receive(device_actor, instance_xml(instance_id=new_instance_id()))  # warm the form-shape cache
    xml = instance_xml(instance_id=new_instance_id(), audit=None)
    files = {"1764201234567.jpg": upload("1764201234567.jpg", PHOTO)}
    # replay check by hash, form lookup, blob row, submission, version, current pointer,
    # attachment row, audit row, change-feed row (+ savepoint pair in tests)
    with django_assert_max_num_queries(11):
        submission_receive(actor=device_actor, xml=xml, files=files)


def test_a_byte_identical_replay_is_201_and_stores_nothing_new(device_actor):
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid)
    receive(device_actor, xml, {"1764201234567.jpg": PHOTO})
    again = receive(device_actor, xml, {"1764201234567.jpg": PHOTO})
    assert (again.status, again.outcome) == (201, "replayed")
    assert Submission.objects.count() == 1 and SubmissionVersion.objects.count() == 1


@pytest.mark.usefixtures("postgres_only")  # one query is the PostgreSQL lookup
def test_a_byte_identical_replay_is_answered_from_its_hash_without_parsing_or_locking(device_actor):
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid)
    receive(device_actor, xml, {"1764201234567.jpg": PHOTO, "audit.csv": AUDIT})
    files = {"1764201234567.jpg": upload("1764201234567.jpg", PHOTO), "audit.csv": upload("audit.csv", AUDIT)}
    with CaptureQueriesContext(connection) as queries:
        again = submission_receive(actor=device_actor, xml=xml, files=files)
    assert (again.status, again.outcome, again.missing) == (201, "replayed", ())
    statements = [q["sql"] for q in queries.captured_queries]
    # one query: the version by hash with its submission, form, the volunteer's assignment
    # and its file slots (and the version the root names, unused here); no lock, no write
    assert len(statements) == 1, statements
    assert not any("FOR UPDATE" in sql or sql.lstrip().upper().startswith(("INSERT", "UPDATE")) for sql in statements)


def test_a_replay_that_brings_a_missing_file_still_fills_the_slot(device_actor):
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid, audit=None)
    first = receive(device_actor, xml)
    assert first.missing == ("1764201234567.jpg",)
    again = receive(device_actor, xml, {"1764201234567.jpg": PHOTO})
    assert (again.status, again.outcome, again.missing) == (201, "replayed", ())
    slot = SubmissionAttachment.objects.get(version__instance_id=iid, name="1764201234567.jpg")
    assert blob_read(slot.blob_id) == PHOTO


def test_a_split_upload_ends_with_every_file_present_and_replays_change_nothing(device_actor):
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid, members=[("A", "m1.jpg"), ("B", "m2.jpg")])
    posts = [{"1764201234567.jpg": PHOTO}, {"m1.jpg": PHOTO[:500], "audit.csv": AUDIT}, {"m2.jpg": PHOTO[:900]}]
    outcomes = [receive(device_actor, xml, files).outcome for files in posts]
    assert outcomes == ["created", "replayed", "replayed"]

    def state():
        return sorted(SubmissionAttachment.objects.values_list("name", "blob_id", "updated_at"))

    before = state()
    assert all(blob for _, blob, _ in before) and len(before) == 4
    for files in posts:
        assert receive(device_actor, xml, files).status == 201
    assert state() == before and SubmissionVersion.objects.count() == 1


def test_missing_files_are_listed_as_slots_until_they_arrive(device_actor):
    iid = new_instance_id()
    result = receive(device_actor, instance_xml(instance_id=iid), {"unreferenced.jpg": PHOTO})
    assert set(result.missing) == {"1764201234567.jpg", "audit.csv"}
    assert not SubmissionAttachment.objects.filter(blob__isnull=False).exists()


def test_the_same_instance_id_with_different_xml_is_refused_with_409(device_actor):
    iid = new_instance_id()
    receive(device_actor, instance_xml(instance_id=iid))
    with pytest.raises(Problem) as exc:
        receive(device_actor, instance_xml(instance_id=iid, ap="AP04"))
    assert exc.value.code == "409.1" and "different XML" in exc.value.message
    assert Submission.objects.get(instance_id=iid).hamlet_code == "AP03"


def test_the_same_instance_id_on_another_form_is_a_new_submission(device_actor, household_form):
    other = publish_household_form(form_id="ho_khac")
    device_actor.volunteer.forms.add(other)
    iid = new_instance_id()
    receive(device_actor, instance_xml(instance_id=iid))
    assert receive(device_actor, instance_xml(instance_id=iid, form_id="ho_khac")).outcome == "created"


def test_a_deleted_submission_cannot_be_resent(device_actor):
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid)
    receive(device_actor, xml)
    Submission.objects.update(deleted_at=datetime.datetime.now(datetime.UTC))
    with pytest.raises(Problem) as exc:
        receive(device_actor, xml)
    assert exc.value.code == "409.18"


def test_an_edit_adds_a_version_marks_it_edited_and_carries_files_forward(device_actor):
    first = new_instance_id()
    receive(
        device_actor,
        instance_xml(instance_id=first, members=[("A", "m1.jpg")]),
        {"1764201234567.jpg": PHOTO, "m1.jpg": b"member one", "audit.csv": AUDIT},
    )
    second = new_instance_id()
    edit = instance_xml(
        instance_id=second, deprecated_id=first, ap="AP05", members=[("A", "m1.jpg")], audit="audit2.csv"
    )
    result = receive(device_actor, edit, {"m1.jpg": b"member one, retaken"})
    assert result.outcome == "edited"
    sub = Submission.objects.get()
    assert sub.instance_id == first and sub.current_version.instance_id == second
    assert sub.review_state == ReviewState.EDITED and sub.hamlet_code == "AP05"
    assert SubmissionVersion.objects.filter(submission=sub).count() == 2
    files = {a.name: a.blob_id and blob_read(a.blob_id) for a in sub.current_version.attachments.all()}
    assert files == {"1764201234567.jpg": PHOTO, "m1.jpg": b"member one, retaken", "audit2.csv": None}
    old = SubmissionVersion.objects.get(instance_id=first)
    assert blob_read(old.attachments.get(name="m1.jpg").blob_id) == b"member one"
    # The edit resent (a retry) is a replay; a later identical POST can fill the missing file.
    again = receive(device_actor, edit, {"audit2.csv": AUDIT})
    assert again.outcome == "replayed" and not again.missing


def test_an_edit_of_an_unknown_submission_is_404(device_actor):
    with pytest.raises(Problem) as exc:
        receive(device_actor, instance_xml(instance_id=new_instance_id(), deprecated_id="uuid:nothing"))
    assert exc.value.code == "404.5"


def test_an_edit_of_an_out_of_date_copy_is_409(device_actor):
    first, second, third = new_instance_id(), new_instance_id(), new_instance_id()
    receive(device_actor, instance_xml(instance_id=first))
    receive(device_actor, instance_xml(instance_id=second, deprecated_id=first))
    with pytest.raises(Problem) as exc:
        receive(device_actor, instance_xml(instance_id=third, deprecated_id=first))
    assert exc.value.code == "409.9" and "out of date" in exc.value.message


def test_an_edit_reusing_an_existing_instance_id_is_409(device_actor):
    first, other = new_instance_id(), new_instance_id()
    receive(device_actor, instance_xml(instance_id=first))
    receive(device_actor, instance_xml(instance_id=other))
    with pytest.raises(Problem) as exc:
        receive(device_actor, instance_xml(instance_id=other, deprecated_id=first, ap="AP09"))
    assert exc.value.code == "409.3" and other in exc.value.message
    assert Submission.objects.get(instance_id=first).review_state == ReviewState.RECEIVED


def test_an_older_published_version_is_accepted_and_bound_to_it(db, device_actor, household_form):
    # Publish an older version string first under another form id, then the real older version.
    from backend.surveys.services import form_publish
    from tests.helpers import xlsform_bytes
    from tests.submissions.factories import SURVEY

    form_publish(xlsform=xlsform_bytes(form_id="ho_test", version=OLD_VERSION, survey=SURVEY[:6]), filename="old.xlsx")
    form_publish(xlsform=xlsform_bytes(form_id="ho_test", version="2026120101", survey=SURVEY), filename="new.xlsx")
    iid = new_instance_id()
    receive(device_actor, instance_xml(instance_id=iid, version=OLD_VERSION))
    assert Submission.objects.get(instance_id=iid).form_version.version == OLD_VERSION


@pytest.mark.parametrize(
    ("xml", "code"),
    [
        (b"<test", "400.2"),
        (b'<data version="1"><meta><instanceID>uuid:x</instanceID></meta></data>', "400.2"),
        (b'<data id="ho_test" version="2026112701"><ap>AP01</ap></data>', "400.8"),
        (b'<data id="nonexistent"><meta><instanceID>uuid:x</instanceID></meta></data>', "404.1"),
        (b'<data id="ho_test" version="-1"><meta><instanceID>uuid:x</instanceID></meta></data>', "404.6"),
    ],
)
def test_unreadable_or_unknown_submissions_are_refused_and_nothing_is_stored(device_actor, xml, code):
    with pytest.raises(Problem) as exc:
        receive(device_actor, xml)
    assert exc.value.code == code
    assert not Submission.objects.exists()


def test_a_closed_form_refuses_and_a_closing_form_accepts(device_actor, household_form):
    household_form.state = FormState.CLOSING
    household_form.save()
    assert receive(device_actor, instance_xml(instance_id=new_instance_id())).status == 201
    household_form.state = FormState.CLOSED
    household_form.save()
    with pytest.raises(Problem) as exc:
        receive(device_actor, instance_xml(instance_id=new_instance_id()))
    assert exc.value.code == "409.2"


def test_a_volunteer_not_assigned_the_form_is_refused(device_actor, household_form):
    device_actor.volunteer.forms.clear()
    with pytest.raises(Problem) as exc:
        receive(device_actor, instance_xml(instance_id=new_instance_id()))
    assert exc.value.status == 403


def test_an_admin_may_submit_to_any_form(admin_actor, household_form):
    iid = new_instance_id()
    receive(admin_actor, instance_xml(instance_id=iid))
    sub = Submission.objects.get(instance_id=iid)
    assert sub.submitter_user == admin_actor.user and sub.volunteer is None


def test_a_hostile_part_name_is_refused_before_anything_is_stored(device_actor):
    with pytest.raises(Problem) as exc:
        receive(
            device_actor,
            instance_xml(instance_id=new_instance_id(), photo="../../etc/passwd"),
            {"../../etc/passwd": b"root:x:0:0"},
        )
    assert exc.value.status == 400
    assert not Submission.objects.exists()


def test_a_root_the_pre_parse_look_misreads_is_still_found_after_the_parse(device_actor):
    # A comment holding an old root tag fools `root_hint`; the service compares it with the
    # parse and asks for the version the parse read.
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid)
    fooled = b'<!-- <old id="ho_test" version="1999"> -->' + xml
    result = receive(device_actor, fooled)
    assert (result.status, result.outcome) == (201, "created")
    assert bytes(Submission.objects.get(instance_id=iid).current_version.xml) == fooled
