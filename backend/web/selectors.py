"""Reads the staff pages compose from the owning apps' selectors (visibility is always
`submissions_visible_to`; nothing here widens it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.db.models import Count, Q, QuerySet

from analytics.geo import hamlets_frame, households_locate
from backend.places.models import Hamlet
from backend.places.selectors import hamlet_list
from backend.reports.selectors import location_rule
from backend.submissions.models import ReviewState, Submission
from backend.submissions.selectors import submissions_visible_to
from backend.surveys.models import Form

HOUSEHOLD_FORM_ID = "pl_ho"
LIST_LIMIT = 500


@dataclass(frozen=True)
class SubmissionFilters:
    state: str = ""
    volunteer: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_query(cls, query) -> SubmissionFilters:
        state = query.get("state", "")
        state = state if state in ReviewState.values else ""
        volunteer = query.get("volunteer", "")
        return cls(
            state=state,
            volunteer=int(volunteer) if volunteer.isdigit() else None,
            date_from=_date(query.get("from", "")),
            date_to=_date(query.get("to", "")),
        )


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def forms_with_submissions() -> QuerySet[Form]:
    return Form.objects.filter(current_version__isnull=False).order_by("title")


def page_form(form_id: str | None) -> Form | None:
    forms = forms_with_submissions()
    return forms.filter(form_id=form_id or HOUSEHOLD_FORM_ID).first() or forms.first()


def submissions_filtered(
    actor, *, form: Form, filters: SubmissionFilters, hamlets: frozenset[str] | None
) -> QuerySet[Submission]:
    rows = submissions_visible_to(actor, form=form)
    if hamlets is not None:
        rows = rows.filter(hamlet_code__in=hamlets)
    if filters.state:
        rows = rows.filter(review_state=filters.state)
    if filters.volunteer:
        rows = rows.filter(volunteer_id=filters.volunteer)
    if filters.date_from:
        rows = rows.filter(received_at__date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(received_at__date__lte=filters.date_to)
    return rows.select_related("volunteer", "current_version").order_by("-received_at", "-id")


def outside_flags(rows: list[Submission]) -> dict[int, bool]:
    """Submissions whose GPS point lies outside their declared hamlet, by the same rule
    (`location_rule`, from the settings) as the dashboard's location review."""
    located = [s for s in rows if s.lat is not None and s.lon is not None]
    if not located:
        return {}
    codes = {s.hamlet_code for s in located}
    hamlets = hamlets_frame(Hamlet.objects.filter(code__in=codes).values("code", "name", "boundary"))
    households = pd.DataFrame(
        {
            "submission_id": [s.pk for s in located],
            "hamlet": [s.hamlet_code for s in located],
            "lat": [s.lat for s in located],
            "lon": [s.lon for s in located],
            "accuracy": [s.accuracy for s in located],
        }
    )
    rule = location_rule()
    result = households_locate(households, hamlets, tolerance_m=rule.tolerance_m, max_accuracy_m=rule.max_accuracy_m)
    return dict(zip(result["submission_id"].tolist(), result["outside"].tolist(), strict=True))


def survey_rounds(actor, *, form: Form) -> list[str]:
    """The survey rounds (dot_ks) of the form's visible submissions, oldest first."""
    rounds = submissions_visible_to(actor, form=form).exclude(survey_round="").values_list("survey_round", flat=True)
    return sorted(set(rounds))


def coverage(
    actor, *, form: Form, hamlets: frozenset[str] | None, survey_round: str | None
) -> tuple[list[dict], list[dict]]:
    """Per hamlet, in one survey round: registered households vs submissions (rejected ones
    not counted); and per volunteer and hamlet: how many each surveyed."""
    rows = submissions_visible_to(actor, form=form).exclude(review_state=ReviewState.REJECTED)
    if hamlets is not None:
        rows = rows.filter(hamlet_code__in=hamlets)
    if survey_round:
        rows = rows.filter(survey_round=survey_round)
    per_hamlet = dict(rows.values_list("hamlet_code").annotate(n=Count("id")))
    approved = dict(rows.filter(review_state=ReviewState.APPROVED).values_list("hamlet_code").annotate(n=Count("id")))
    table = []
    for hamlet in hamlet_list(codes=hamlets):
        surveyed = per_hamlet.get(hamlet.code, 0)
        registered = hamlet.registered_households
        table.append(
            {
                "hamlet": hamlet,
                "registered": registered,
                "surveyed": surveyed,
                "approved": approved.get(hamlet.code, 0),
                "percent": round(100 * surveyed / registered, 1) if registered else None,
            }
        )
    who = (
        rows.values("volunteer__name", "hamlet_code")
        .annotate(n=Count("id"), approved=Count("id", filter=Q(review_state=ReviewState.APPROVED)))
        .order_by("volunteer__name", "hamlet_code")
    )
    return table, list(who)
