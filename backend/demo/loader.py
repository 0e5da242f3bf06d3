"""Loading the synthetic commune (backend/demo) into the database, through the same services
as real data: hamlets via the boundary and register imports, ap.csv via the forms' media,
and every answer through `submission_receive`, the service behind /submission."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from backend.accounts.actors import Actor
from backend.accounts.models import Role, Volunteer
from backend.core.blobs import blob_read
from backend.core.errors import Problem
from backend.demo.generator import (
    MARKET_CODE,
    DemoCommune,
    DemoSpec,
    commune_build,
    household_register,
    instance_count,
    instances_stream,
)
from backend.demo.xform_fill import XFormModel
from backend.places.boundaries import boundaries_check
from backend.places.models import Hamlet
from backend.places.registers import RegisterRow
from backend.places.services import (
    ap_csv_publish,
    commune_ensure,
    hamlet_boundaries_save,
    hamlet_registers_save,
    market_ensure,
)
from backend.reports.services import survey_rounds_declare_defaults
from backend.surveys.models import Form

DEMO_FORMS = ("pl_ho", "pl_cho", "pl_kdc")
CHECK_EVERY = 20


def demo_forms_ensure() -> list[str]:
    """Publish the commune's XLSForms from forms_xlsform/ when they are not published yet."""
    from backend.core.xform_schema import xform_schema
    from backend.surveys.services import form_publish
    from backend.surveys.xlsform_convert import xlsform_convert

    published = []
    folder = Path(settings.BASE_DIR) / "forms_xlsform"
    for form_id in DEMO_FORMS:
        path = folder / f"{form_id}.xlsx"
        if Form.objects.filter(form_id=form_id, current_version__isnull=False).exists() or not path.exists():
            continue
        conversion = xlsform_convert(path.read_bytes(), file_type=".xlsx", validate=False)
        wanted = xform_schema(conversion.xform).uploaded_media_names
        media = {n: (folder / n).read_bytes() for n in wanted if (folder / n).exists()}
        form_publish(xlsform=path.read_bytes(), filename=path.name, attachments=media)
        published.append(form_id)
    return published


@transaction.atomic
def demo_places_save(commune: DemoCommune) -> None:
    """Hamlets (boundaries, registers, pilot flags), the market and the demo volunteers."""
    place = commune_ensure()
    features = boundaries_check([(h.plan.code, h.plan.name, h.polygon) for h in commune.hamlets])
    hamlet_boundaries_save(features=features, commune=place)
    hamlet_registers_save(
        rows=[
            RegisterRow(h.plan.code, h.plan.households, round(h.plan.households * 3.8), h.plan.pilot)
            for h in commune.hamlets
        ]
    )
    Hamlet.objects.filter(code__in=[h.plan.code for h in commune.hamlets]).update(old_commune="")
    for h in commune.hamlets:
        Hamlet.objects.filter(code=h.plan.code).update(old_commune=h.plan.old_commune)
    market_ensure(code=MARKET_CODE, name="Chợ xã Phú Lâm", registered_stalls=commune.spec.stalls, commune=place)


def demo_volunteer_actors(commune: DemoCommune) -> dict[str, Actor]:
    """One demo volunteer per hamlet (and one at the market), assigned the demo forms."""
    forms = list(Form.objects.filter(form_id__in=DEMO_FORMS))
    hamlets = {h.code: h for h in Hamlet.objects.filter(code__in=[h.plan.code for h in commune.hamlets])}
    wanted = {h.volunteer_code: [hamlets[h.plan.code]] for h in commune.hamlets}
    wanted["TNVCHO"] = []
    actors = {}
    for code, assigned in wanted.items():
        volunteer, _ = Volunteer.objects.get_or_create(code=code, defaults={"name": f"Tình nguyện viên demo {code}"})
        volunteer.forms.add(*forms)
        if assigned:
            volunteer.hamlets.add(*assigned)
        actors[code] = Actor(kind="user", role=Role.VOLUNTEER, volunteer=volunteer)
    return actors


def demo_models(commune: DemoCommune) -> dict[str, XFormModel]:
    codes = [h.plan.code for h in commune.hamlets]
    models = {}
    for form in Form.objects.filter(form_id__in=DEMO_FORMS, current_version__isnull=False).select_related(
        "current_version"
    ):
        version = form.current_version
        external = {"ap": codes, "cho": _csv_names(version, "cho.csv") or [MARKET_CODE]}
        models[form.form_id] = XFormModel.from_xform(bytes(version.xform), external=external)
    return models


class DemoDataExists(Exception):
    """The database already has places or survey data; loading the demo would replace them."""

    def __init__(self, existing: dict[str, int], planned: dict[str, int]):
        self.existing, self.planned = existing, planned
        super().__init__(demo_replace_message(existing, planned))


def demo_existing_data() -> dict[str, int]:
    """What a demo load would replace: hamlets (and their registers), survey submissions of
    the commune's forms, and households in the register. Empty when the database is empty."""
    from backend.registers.models import Household
    from backend.submissions.models import Submission

    counts = {
        "hamlets": Hamlet.objects.count(),
        "hamlet registers": Hamlet.objects.filter(registered_households__gt=0).count(),
        "register households": Household.objects.count(),
    }
    for form_id in DEMO_FORMS:
        counts[f"{form_id} submissions"] = Submission.objects.filter(form__form_id=form_id).count()
    return {key: n for key, n in counts.items() if n}


def demo_planned(spec: DemoSpec) -> dict[str, int]:
    commune = commune_build(spec)
    return {
        "hamlets": len(commune.hamlets),
        "register households": sum(h.plan.households for h in commune.hamlets),
        "submissions (all rounds)": instance_count(spec, len(commune.hamlets)),
    }


def demo_replace_message(existing: dict[str, int], planned: dict[str, int]) -> str:
    have = ", ".join(f"{key} {n:,}" for key, n in existing.items())
    new = ", ".join(f"{key} {n:,}" for key, n in planned.items())
    return (
        f"Cơ sở dữ liệu đã có dữ liệu / the database already has data: {have}. "
        f"--replace xoá toàn bộ số liệu đó rồi tạo xã mẫu mới / --replace deletes all of it and loads the "
        f"synthetic commune: {new}. Không có gì bị thay đổi / nothing was changed."
    )


@transaction.atomic
def demo_data_clear(*, ip: str | None = None) -> dict[str, int]:
    """Delete what a demo load replaces (`--replace`): the submissions of the commune's forms
    (their versions, files, comments and register visits go with them), the household register
    and the hamlets, so the new commune starts clean — no household code twice, no coverage
    over 100 %. One audit row says what was deleted."""
    from backend.audit.services import audit_record
    from backend.registers.models import Household
    from backend.submissions.models import Submission

    existing = demo_existing_data()
    Submission.objects.filter(form__form_id__in=DEMO_FORMS).delete()
    Household.objects.all().delete()
    Hamlet.objects.all().delete()
    audit_record(actor=None, action="demo.replace", ip=ip, object_type="demo", **existing)
    return existing


def demo_commune_load(
    *, spec: DemoSpec, progress: Callable | None = None, workers: int = 1, replace: bool = False, batch: int = 1
) -> Counter:
    """Build the commune, store its places and ingest every generated submission, in
        `workers` processes (each takes a share of the hamlets), `batch` submissions per
    transaction (1: each through `submission_receive`). Returns counts of outcomes
        ('pl_ho created', 'pl_ho replayed', …). On a database that already has hamlets,
        submissions or households it raises DemoDataExists (nothing changed) unless `replace`,
        which deletes them first."""
    existing = demo_existing_data()
    if existing:
        if not replace:
            raise DemoDataExists(existing, demo_planned(spec))
        demo_data_clear()
    demo_forms_ensure()
    # The demo's interviews fall in September–November of each round year: inside the declared
    # windows of rounds 2025 and 2027 (created by the reports migration; again here after a flush).
    survey_rounds_declare_defaults()
    commune = commune_build(spec)
    demo_places_save(commune)
    ap_csv_publish()
    actors = demo_volunteer_actors(commune)
    models = demo_models(commune)
    total = instance_count(spec, len(commune.hamlets), commune)
    bar = progress(None, total=total) if progress is not None else None
    if workers <= 1:
        outcomes = _ingest_part(commune, models, actors, 0, 1, bar.update if bar is not None else None, batch)
    else:
        outcomes = _ingest_in_processes(commune, models, actors, workers, bar, batch)
    if "pl_ho" in models:
        demo_register_settle(commune)
    return outcomes


def demo_register_settle(commune: DemoCommune) -> None:
    """The register the visits built is the demo's: baseline households confirmed, the ones
    added in a later round left for the hamlet head to confirm."""
    from backend.registers.services import demo_households_settle

    listed, added = [], []
    for hamlet in commune.hamlets:
        for household in household_register(commune, hamlet):
            (listed if household.joins == 0 else added).append(household.entity_id)
    demo_households_settle(listed=listed, added=added)


def _ingest_part(commune, models, actors, part: int, parts: int, advance: Callable | None, batch: int = 1) -> Counter:
    """Ingest one share of the stream: one at a time through `submission_receive` (the
    /submission service; `batch` 1), or `batch` at a time through `submissions_receive_bulk`
    (the same result per item, one transaction per batch)."""
    from backend.submissions.bulk import BulkItem, submissions_receive_bulk
    from backend.submissions.services import submission_receive

    _commit_without_waiting_for_disk()
    outcomes: Counter = Counter()
    pending: list[tuple[str, BulkItem]] = []

    def store() -> None:
        for (form_id, _), result in zip(pending, submissions_receive_bulk([i for _, i in pending]), strict=True):
            if isinstance(result, Problem):
                raise result
            outcomes[f"{form_id} {result.outcome}"] += 1
        if advance is not None:
            advance(len(pending))
        pending.clear()

    # Batched loads check one household visit in CHECK_EVERY against the form (the rest of the
    # stream is made by the same code from the same answers); one at a time, every one.
    check_every = CHECK_EVERY if batch > 1 else 1
    for item in instances_stream(commune, models, part=part, parts=parts, check_every=check_every):
        device = item.xml.split(b"<deviceid>demo:", 1)[1].split(b"<", 1)[0].decode()
        received = BulkItem(
            actor=actors[device],
            xml=item.xml,
            device_id=f"demo:{device}",
            user_agent="make_demo_commune",
            received_at=dt.datetime.fromisoformat(item.end),
        )
        if batch > 1:
            pending.append((item.form_id, received))
            if len(pending) >= batch:
                store()
            continue
        result = submission_receive(
            actor=received.actor,
            xml=received.xml,
            files={},
            device_id=received.device_id,
            user_agent=received.user_agent,
            received_at=received.received_at,
        )
        outcomes[f"{item.form_id} {result.outcome}"] += 1
        if advance is not None:
            advance(1)
    if pending:
        store()
    return outcomes


def _ingest_in_processes(commune, models, actors, workers: int, bar, batch: int = 1) -> Counter:
    """Forked workers, each with its own database connection; the parent only shows progress."""
    import multiprocessing
    import queue

    from django.db import connections

    connections.close_all()  # a connection must never be shared across a fork
    context = multiprocessing.get_context("fork")
    done = context.Value("q", 0)
    results = context.Queue()

    def work(part: int) -> None:
        def advance(n: int) -> None:
            with done.get_lock():
                done.value += n

        try:
            results.put((part, _ingest_part(commune, models, actors, part, workers, advance, batch), None))
        except Exception as exc:  # reported to the parent, which raises
            results.put((part, Counter(), f"{type(exc).__name__}: {exc}"))
        finally:
            connections.close_all()

    processes = [context.Process(target=work, args=(part,)) for part in range(workers)]
    for process in processes:
        process.start()
    outcomes: Counter = Counter()
    failures = []
    pending = workers
    shown = 0
    while pending:
        try:
            _part, counts, error = results.get(timeout=0.5)
        except queue.Empty:
            pass
        else:
            pending -= 1
            outcomes.update(counts)
            if error:
                failures.append(error)
        if bar is not None:
            value = done.value
            bar.update(value - shown)
            shown = value
    for process in processes:
        process.join()
    if failures:
        raise RuntimeError("; ".join(failures))
    return outcomes


def _commit_without_waiting_for_disk() -> None:
    """Demo data only: let PostgreSQL acknowledge commits before the WAL reaches disk.
    A crash can lose the last fraction of a second of generated submissions, which a re-run
    replays (instanceIDs are deterministic); real submissions never take this path."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


def _csv_names(version, name: str) -> list[str]:
    attachment = version.attachments.filter(name=name, blob__isnull=False).first()
    if attachment is None:
        return []
    rows = csv.DictReader(io.StringIO(blob_read(attachment.blob_id).decode("utf-8-sig")))
    return [row["name"] for row in rows if row.get("name")]
