"""Reads the staff pages compose from the owning apps' selectors (visibility is always
`submissions_visible_to`; nothing here widens it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.db.models import QuerySet
from django.http import QueryDict

from analytics.geo import hamlets_frame, households_locate
from backend.accounts.models import Volunteer
from backend.places.models import Hamlet
from backend.reports.selectors import location_rule
from backend.submissions.filters import SubmissionFilter
from backend.submissions.models import Submission
from backend.submissions.selectors import submissions_visible_to
from backend.surveys.models import Form

HOUSEHOLD_FORM_ID = "pl_ho"
LIST_LIMIT = 500
PAGE_SIZE = 50  # submissions a page of the hamlet head's list (the map shows them all)


@dataclass(frozen=True)
class SubmissionFilters:
    """The hamlet map's filters, read by the API's filterset (`SubmissionFilter`): the same
    fields with the same meaning — `from`/`to` (as the page's form names them) are survey
    dates, like the API's `date_from`/`date_to`. A malformed value is ignored here (the page
    shows everything instead), where the API answers it with a 400."""

    state: str = ""
    volunteer: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_query(cls, query) -> SubmissionFilters:
        params = QueryDict(mutable=True)
        for name, key in (("state", "state"), ("volunteer", "volunteer"), ("date_from", "from"), ("date_to", "to")):
            if query.get(key):
                params[name] = query.get(key)
        form = SubmissionFilter(params, queryset=Submission.objects.none()).form
        form.is_valid()  # cleaned_data keeps the valid fields only
        clean = form.cleaned_data
        volunteer = clean.get("volunteer")
        return cls(
            state=(clean.get("state") or [""])[0],
            volunteer=int(volunteer) if volunteer is not None else None,
            date_from=clean.get("date_from"),
            date_to=clean.get("date_to"),
        )

    def params(self) -> QueryDict:
        params = QueryDict(mutable=True)
        for name in ("state", "volunteer", "date_from", "date_to"):
            value = getattr(self, name)
            if value:
                params[name] = value.isoformat() if isinstance(value, date) else str(value)
        return params


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
    rows = SubmissionFilter(filters.params(), queryset=rows).qs
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


def volunteers_for_filter(*, form, hamlets: frozenset[str] | None):
    """The volunteers the list's filter offers: those assigned the form, and for a hamlet
    head only those assigned one of their hamlets (`hamlets` None: the whole commune)."""
    volunteers = Volunteer.objects.filter(forms=form)
    if hamlets is not None:
        volunteers = volunteers.filter(hamlets__code__in=hamlets)
    return volunteers.distinct().order_by("name")


def previous_version(submission):
    """The version a correction replaced (None for a submission never corrected)."""
    current = submission.current_version
    older = submission.versions.exclude(pk=current.pk) if current is not None else submission.versions.none()
    return older.order_by("-created_at", "-pk").first()
