"""The batch path (`submissions_receive_bulk`, `make_demo_commune --batch`) stores what one
`submission_receive` per submission stores: the same commune loaded both ways, and a stream
with replays, refusals, an edit and register problems mixed in, give the same rows (compared
by content, keyed by instanceID and household id, not by database ids) and the same answer
per item."""

import datetime as dt
import uuid
from collections import Counter

import pytest

from backend.audit.models import AuditEvent
from backend.core.errors import Problem
from backend.core.models import Change
from backend.demo.generator import DemoSpec, commune_build, instances_stream
from backend.demo.loader import demo_commune_load, demo_models, demo_volunteer_actors
from backend.registers.models import (
    EntityProblem,
    HeldUpdate,
    Household,
    HouseholdChange,
    HouseholdConflict,
    HouseholdVisit,
)
from backend.reports.models import ANSWERS_BY_KEY
from backend.submissions.bulk import BulkItem, submissions_receive_bulk
from backend.submissions.models import Submission, SubmissionVersion
from backend.submissions.services import submission_receive

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SPEC = DemoSpec(households=300, seed=11, stalls=12, rounds=(2025, 2027))


@pytest.fixture(autouse=True)
def _postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the batch path is PostgreSQL's; elsewhere it is one submission_receive per item")


def _marks() -> tuple[int, int]:
    return (
        AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        Change.objects.order_by("-id").values_list("id", flat=True).first() or 0,
    )


def snapshot(marks: tuple[int, int]) -> dict:
    """Everything a load stores, keyed by what does not depend on database ids."""
    instance_of = dict(Submission.objects.values_list("id", "instance_id"))
    version_instance = dict(SubmissionVersion.objects.values_list("id", "instance_id"))

    def sid(value):
        return instance_of.get(value, value)

    skip = {"id", "created_at", "updated_at"}

    def rows(queryset, *, mapped=(), drop=()):
        out = []
        for row in queryset.values():
            row = {k: bytes(v) if isinstance(v, memoryview) else v for k, v in row.items()}
            row = {k: v for k, v in row.items() if k not in skip and k not in drop}
            for name in mapped:
                if name in row:
                    row[name] = sid(row[name]) if name != "submission_version_id" else version_instance.get(row[name])
            out.append(repr(sorted(row.items())))
        return sorted(out)

    submissions = rows(
        Submission.objects.select_related(None),
        drop=("current_version_id", "form_version_id"),
    )
    current = sorted(
        Submission.objects.values_list(
            "instance_id", "current_version__instance_id", "form_version__version", "form__form_id"
        )
    )
    versions = rows(SubmissionVersion.objects.all(), drop=("submission_id", "form_version_id"))
    answers = {
        key: rows(model.objects.all(), mapped=("submission_id",), drop=("version_id",))
        for key, model in ANSWERS_BY_KEY.items()
    }
    hamlet_code = "hamlet__code"
    households = sorted(
        repr(sorted(r.items()))
        for r in Household.objects.values(
            "id",
            hamlet_code,
            "ma_ho",
            "label",
            "ten_goi",
            "mo_ta",
            "lat",
            "lon",
            "version",
            "properties",
            "source",
            "added_in_field",
            "deleted_at",
            "merged_into_id",
        )
    )
    register = {
        "changes": rows(HouseholdChange.objects.all(), mapped=("submission_id", "submission_version_id")),
        "visits": rows(HouseholdVisit.objects.all(), mapped=("submission_id",)),
        "problems": rows(EntityProblem.objects.all(), mapped=("submission_id",)),
        "conflicts": rows(HouseholdConflict.objects.all(), mapped=("submission_id",)),
        "held": rows(HeldUpdate.objects.all(), mapped=("submission_id", "submission_version_id"), drop=("held_at",)),
    }
    audit_mark, change_mark = marks
    audit = Counter()
    # what ingest records (the first load also publishes the forms, the second deletes the first)
    for event in AuditEvent.objects.filter(id__gt=audit_mark, action__regex=r"^(submission|household)\."):
        details = dict(event.details)
        if "submission_id" in details:
            details["submission_id"] = sid(details["submission_id"])
        object_id = event.object_id
        if event.object_type == "submissions.submission":
            object_id = sid(int(object_id))
        audit[(event.action, event.object_type, object_id, event.actor_label, repr(sorted(details.items())))] += 1
    feed = Counter(
        (kind, sid(int(key)) if kind == "submission" else key, form_id, hamlet, volunteer)
        for kind, key, form_id, hamlet, volunteer in Change.objects.filter(id__gt=change_mark)
        .exclude(kind="form")
        .values_list("kind", "key", "form_id", "hamlet_code", "volunteer_id")
    )
    return {
        "submissions": submissions,
        "current": current,
        "versions": versions,
        "answers": answers,
        "households": households,
        "register": register,
        "audit": audit,
        "feed": feed,
    }


def assert_same(one: dict, other: dict) -> None:
    assert one.keys() == other.keys()
    for key in one:
        assert one[key] == other[key], key


def test_the_batch_path_stores_the_same_commune_as_one_submission_at_a_time():
    marks = _marks()
    single = demo_commune_load(spec=SPEC, batch=1)
    by_one = snapshot(marks)
    assert single["pl_ho created"] > 600 and Household.objects.count() > 300
    assert HouseholdChange.objects.filter(version=2).exists()  # real updates in the second round

    marks = _marks()
    batched = demo_commune_load(spec=SPEC, batch=97, replace=True)  # batches cut across hamlets and rounds
    assert batched == single
    assert_same(snapshot(marks), by_one)


def _with_instance_id(xml: bytes, instance_id: str) -> bytes:
    start = xml.index(b"<instanceID>") + len(b"<instanceID>")
    end = xml.index(b"</instanceID>")
    return xml[:start] + instance_id.encode() + xml[end:]


def _new_id(n: int) -> str:
    return f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'bulk-equality/{n}')}"


def mixed_items(commune, models, actors) -> list[BulkItem]:
    """The commune's stream with what a batch must hand to the one-at-a-time path mixed in."""
    stream = list(instances_stream(commune, models))
    creates = [i for i in stream if i.form_id == "pl_ho" and b'create="true"' in i.xml]
    updates = [i for i in stream if i.form_id == "pl_ho" and b'update="true"' in i.xml]
    extra = []
    first = creates[0]
    # a second create of a household already held: refused by the register, the visit counts
    extra.append(_with_instance_id(first.xml, _new_id(1)))
    # an update made on version 0 (behind): a conflict is possible, the full rules decide
    extra.append(_with_instance_id(updates[0].xml.replace(b'baseVersion="1"', b'baseVersion="0"'), _new_id(2)))
    # an offline branch's second step whose first has not arrived: held in the backlog
    extra.append(
        _with_instance_id(
            updates[1].xml.replace(b'baseVersion="1"', b'baseVersion="3"').replace(b'branchId=""', b'branchId="b-1"'),
            _new_id(3),
        )
    )
    # an edit of the first household visit
    edit = _with_instance_id(first.xml, _new_id(4)).replace(
        b"<instanceID>", f"<deprecatedID>{first.instance_id}</deprecatedID><instanceID>".encode(), 1
    )
    extra.append(edit)
    extra.append(first.xml)  # a replay of the copy the edit replaced: 202 superseded
    extra.append(b"<not-xml")  # refused: invalid XML
    extra.append(first.xml.replace(b'id="pl_ho"', b'id="no_such_form"', 1))  # refused: unknown form
    xmls = [i.xml for i in stream]
    # the extras after the first round's creates, a replay of a stored copy and one repeated in the batch
    at = len(xmls) - len(updates) // 2
    xmls = xmls[:at] + extra + [xmls[3], xmls[at + 1]] + xmls[at:]

    def item(xml: bytes) -> BulkItem:
        device = xml.split(b"<deviceid>demo:", 1)[1].split(b"<", 1)[0].decode() if b"<deviceid>demo:" in xml else ""
        return BulkItem(
            actor=actors.get(device) or actors["TNV01"],
            xml=xml,
            device_id=f"demo:{device}",
            user_agent="bulk-equality",
            received_at=dt.datetime(2027, 11, 30, 12, tzinfo=dt.UTC),
        )

    return [item(x) for x in xmls]


def answer(result) -> tuple:
    if isinstance(result, Problem):
        return ("problem", result.code, result.message)
    return (result.status, result.outcome, result.submission.instance_id, result.message, result.missing)


def test_replays_refusals_an_edit_and_register_problems_get_the_same_answers_and_rows_in_a_batch():
    spec = DemoSpec(households=40, seed=3, stalls=3, rounds=(2025, 2027))
    demo_commune_load(spec=DemoSpec(households=1, seed=3, stalls=0, rounds=(2025,)))  # places, forms, volunteers
    Submission.objects.all().delete()
    Household.objects.all().delete()
    commune = commune_build(spec)
    from backend.demo.loader import demo_places_save

    def fresh():
        Submission.objects.all().delete()
        Household.objects.all().delete()
        demo_places_save(commune)
        return demo_volunteer_actors(commune), demo_models(commune)

    actors, models = fresh()
    items = mixed_items(commune, models, actors)
    marks = _marks()
    one_by_one = []
    for i in items:
        try:
            one_by_one.append(
                submission_receive(
                    actor=i.actor,
                    xml=i.xml,
                    files={},
                    device_id=i.device_id,
                    user_agent=i.user_agent,
                    received_at=i.received_at,
                )
            )
        except Problem as problem:
            one_by_one.append(problem)
    by_one = snapshot(marks)
    kinds = Counter(a[1] for a in map(answer, one_by_one))
    assert kinds["created"] and kinds["replayed"] and kinds["edited"] and kinds["superseded"]
    assert sum(1 for a in map(answer, one_by_one) if a[0] == "problem") == 2
    assert by_one["register"]["problems"] and by_one["register"]["held"]

    actors, models = fresh()
    items = mixed_items(commune, models, actors)
    marks = _marks()
    batched = []
    for start in range(0, len(items), 50):
        batched += submissions_receive_bulk(items[start : start + 50])
    assert [answer(r) for r in batched] == [answer(r) for r in one_by_one]
    assert_same(snapshot(marks), by_one)
