"""What a submission export reads: the visible submissions of one form (the one scoping
selector, the list's filters, plus `round`), one row at a time from a server-side cursor,
each with the round it belongs to and its household's register status in that round.

The writers (`export_formats.py`) only see `ExportRecord`s and the `Layout`, so every format
holds the same rows. Memory does not grow with the number of submissions: rows are streamed,
and the only per-export lookup is the register status per round (bounded by the register's
size, read once per round that appears, through the register's own selector).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from analytics.submission_tables import Layout, layout_from_nodes
from backend.accounts.actors import Actor
from backend.core import errors
from backend.core.xform_schema import FIELD, REPEAT, xform_schema
from backend.registers.models import HouseholdVisit
from backend.registers.selectors import household_round_status
from backend.reports.models import SurveyRound
from backend.reports.selectors import round_register_visits, submissions_in_round
from backend.submissions.filters import submissions_filter
from backend.submissions.models import Submission, SubmissionAttachment
from backend.submissions.selectors import submissions_visible_to
from backend.surveys.models import Form, FormVersion

CHUNK_ROWS = 2000

# The submission table's own columns, before the answers (the first nine are the CSV
# export's columns since issue 3: a contract). KEY (= instance_id) comes last, as in
# Central's files, for joining the repeat tables' PARENT_KEY.
FIXED = [
    "instance_id",
    "current_instance_id",
    "review_state",
    "hamlet",
    "volunteer",
    "survey_date",
    "submitted_at",
    "lat",
    "lon",
    "round",
]
REGISTER_STATUS = "register_status"
KEY = "KEY"


@dataclass(frozen=True)
class ExportSpec:
    """One export: whose, which form, which filters. `params` are the query parameters
    (SubmissionFilter's plus `round`), as a QueryDict or a plain dict (a job's)."""

    actor: Actor
    form: Form
    params: Any


@dataclass(frozen=True)
class ExportRecord:
    submission_id: int
    instance_id: str
    fixed: list[Any]  # in FIXED order, then the register status when the form has one
    parsed: dict[str, Any]
    lat: float | None
    lon: float | None
    altitude: float | None


def export_submissions(spec: ExportSpec) -> QuerySet[Submission]:
    """The submissions of the export, oldest first: the scoping selector, the list's
    filters (400 on a malformed one), and `round` (a declared round's name; 400 if unknown)."""
    submissions = submissions_filter(submissions_visible_to(spec.actor, form=spec.form), spec.params)
    round_name = _param(spec.params, "round")
    if round_name:
        survey_round = SurveyRound.objects.filter(name=round_name).first()
        if survey_round is None:
            names = ", ".join(SurveyRound.objects.values_list("name", flat=True)) or "—"
            raise errors.bad_request(
                f"Không có đợt khảo sát '{round_name}' (có: {names}). / "
                f"There is no survey round '{round_name}' (declared: {names}).",
                fields={"round": [f"unknown round {round_name!r}"]},
            )
        submissions = submissions_in_round(survey_round, submissions)
    return submissions.order_by("id")


def _param(params, name: str) -> str:
    value = params.get(name) if params is not None else None
    if isinstance(value, list):
        value = value[0] if value else ""
    return (value or "").strip()


def export_layout(form: Form) -> tuple[Layout, bool]:
    """The tables and columns of every version of the form (newest first, so its order
    wins), and whether the form settles register households (then the status column)."""
    nodes: list[tuple[str, str]] = []
    has_register = False
    for xform in FormVersion.objects.filter(form=form).order_by("-created_at").values_list("xform", flat=True):
        schema = xform_schema(bytes(xform))
        has_register = has_register or bool(schema.entities)
        nodes += [(n.path, n.kind) for n in schema.nodes if n.kind in (FIELD, REPEAT)]
    return layout_from_nodes(nodes), has_register


def main_columns(layout: Layout, has_register: bool) -> list[str]:
    return [*FIXED, *([REGISTER_STATUS] if has_register else []), *layout.main.columns, KEY]


def round_of_submission():
    """The submission's round by the rounds' own rule: a manual assignment, else the
    declared window its survey date falls in (windows do not overlap), else ""."""
    window = SurveyRound.objects.filter(start__lte=OuterRef("survey_date"), end__gte=OuterRef("survey_date"))
    return Coalesce(
        F("round_assignment__round__name"),
        Subquery(window.values("name")[:1]),
        Value(""),
        output_field=CharField(),
    )


class RegisterStatuses:
    """The household register status (visited / refused / moved / not_found / not_visited)
    of a household in a round, from the register's selector, read once per round."""

    def __init__(self) -> None:
        self._rounds: dict[str, dict[str, str]] = {}

    def status(self, round_name: str, household_id) -> str:
        if not round_name or household_id is None:
            return ""
        # The subquery hands the UUID back as 32 hex digits; the selector keys by str(UUID).
        return self.for_round(round_name).get(str(uuid.UUID(str(household_id))), "")

    def for_round(self, round_name: str) -> dict[str, str]:
        """{household uuid: status} of every live household in the round."""
        if round_name not in self._rounds:
            self._rounds[round_name] = self._read(round_name)
        return self._rounds[round_name]

    @staticmethod
    def _read(round_name: str) -> dict[str, str]:
        survey_round = SurveyRound.objects.filter(name=round_name).first()
        if survey_round is None:
            return {}
        statuses = household_round_status(None, submissions=round_register_visits(survey_round), end=survey_round.end)
        return {s.household_id: s.status for s in statuses}


def export_records(spec: ExportSpec, *, has_register: bool) -> Iterator[ExportRecord]:
    """The export's rows, streamed from a server-side cursor."""
    household = HouseholdVisit.objects.filter(submission=OuterRef("pk")).values("household_id")[:1]
    rows = (
        export_submissions(spec)
        .annotate(
            export_round=round_of_submission(),
            household=Subquery(household),
        )
        .values_list(
            "id",
            "instance_id",
            "current_version__instance_id",
            "review_state",
            "hamlet_code",
            "volunteer__name",
            "survey_date",
            "received_at",
            "lat",
            "lon",
            "altitude",
            "export_round",
            "household",
            "current_version__parsed",
        )
    )
    registers = RegisterStatuses()
    for (
        pk,
        instance_id,
        current,
        state,
        hamlet,
        volunteer,
        day,
        received,
        lat,
        lon,
        alt,
        rnd,
        hh,
        parsed,
    ) in rows.iterator(chunk_size=CHUNK_ROWS):
        fixed = [instance_id, current or "", state, hamlet, volunteer or "", day, received.isoformat(), lat, lon, rnd]
        if has_register:
            fixed.append(registers.status(rnd, hh))
        yield ExportRecord(pk, instance_id, fixed, parsed or {}, lat, lon, alt)


def export_attachments(spec: ExportSpec) -> Iterator[tuple[str, str, str]]:
    """(instance_id, file name, blob sha256) of every file present on the current version of
    the export's submissions, in submission order."""
    submissions = export_submissions(spec)
    files = (
        SubmissionAttachment.objects.filter(
            version__submission__in=submissions.values("pk"),
            version_id=F("version__submission__current_version_id"),
            blob__isnull=False,
        )
        .order_by("version__submission_id", "name")
        .values_list("version__submission__instance_id", "name", "blob_id")
    )
    return files.iterator(chunk_size=CHUNK_ROWS)
