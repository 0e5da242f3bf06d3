"""The rows of an OData feed: the submissions the actor may read (the one scoping selector,
`submissions_visible_to`: a hamlet head gets their hamlets, deleted ones never), filtered by
the `$filter` tree, newest first, read from a server-side cursor so a feed of any size holds
only one chunk in memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.accounts.actors import Actor
from backend.core.xform_schema import XFormSchema, xform_schema
from backend.odata.query import BoolOp, Comparison, NotOp, ODataQuery
from backend.submissions.models import ReviewState, SubmissionAttachment, SubmissionVersion
from backend.submissions.selectors import form_for_submissions, submissions_visible_to
from backend.surveys.models import Form, FormVersion

# Filterable fields → columns of the submission table.
COLUMNS = {
    "__id": "instance_id",
    "submissionDate": "received_at",
    "updatedAt": "updated_at",
    "surveyDate": "survey_date",
    "surveyRound": "survey_round",
    "hamletCode": "hamlet_code",
}
REVIEW_TO_DB = {
    None: ReviewState.RECEIVED,
    "hasIssues": ReviewState.HAS_ISSUES,
    "edited": ReviewState.EDITED,
    "rejected": ReviewState.REJECTED,
    "approved": ReviewState.APPROVED,
}
REVIEW_FROM_DB = {db: wire for wire, db in REVIEW_TO_DB.items()}
CHUNK = 2000


def odata_form(actor: Actor, *, form_id: str) -> tuple[Form, XFormSchema]:
    """The form and the schema of its current version; 404 for an unknown form, 403 for a
    role that reads no submissions (before any schema is shown)."""
    form = form_for_submissions(form_id)
    submissions_visible_to(actor, form=form)  # raises 403 for viewers and draft links
    xform = FormVersion.objects.filter(pk=form.current_version_id).values_list("xform", flat=True).first()
    return form, xform_schema(bytes(xform)) if xform is not None else XFormSchema.empty()


def odata_submissions(actor: Actor, *, form: Form, query: ODataQuery) -> QuerySet:
    """Visible submissions matching `$filter`, newest first (`-id`), after the $skiptoken."""
    submissions = submissions_visible_to(actor, form=form)
    if query.filter is not None:
        submissions = submissions.filter(filter_q(query.filter))
    if query.after_id is not None:
        submissions = submissions.filter(id__lt=query.after_id)
    return submissions.order_by("-id")


def odata_submission_rows(submissions: QuerySet, *, limit: int | None, offset: int) -> Iterator[dict[str, Any]]:
    """The columns the entities need, one dict per submission, streamed in chunks."""
    per_version = OuterRef("current_version_id")
    attachments = SubmissionAttachment.objects.filter(version_id=per_version).values("version_id")
    rows = submissions.annotate(
        parsed=F("current_version__parsed"),
        form_version_string=F("form_version__version"),
        volunteer_name=F("volunteer__name"),
        user_name=F("submitter_user__username"),
        attachments_expected=_count(attachments),
        attachments_present=_count(attachments.filter(blob__isnull=False)),
        version_count=_count(SubmissionVersion.objects.filter(submission_id=OuterRef("pk")).values("submission_id")),
    ).values(
        "id",
        "instance_id",
        "received_at",
        "updated_at",
        "review_state",
        "device_id",
        "volunteer_id",
        "submitter_user_id",
        "survey_date",
        "survey_round",
        "hamlet_code",
        "parsed",
        "form_version_string",
        "volunteer_name",
        "user_name",
        "attachments_expected",
        "attachments_present",
        "version_count",
    )
    if limit is not None:
        rows = rows[offset : offset + limit]
    elif offset:
        rows = rows[offset:]
    return rows.iterator(chunk_size=CHUNK)


def odata_repeat_count(submissions: QuerySet, *, table_path: str) -> int:
    """How many rows a repeat table has over these submissions, counted in PostgreSQL
    (jsonpath over the stored projection, lax mode: a group on the way is walked into)."""
    # The path comes from the form's schema (XML names), never from the request; the quotes
    # keep a "-" or "." of a name literal inside the jsonpath.
    steps = ".".join('"' + step.replace('"', "") + '"[*]' for step in table_path.split("/"))
    rows = Func(
        F("current_version__parsed"),
        Value(f"$.{steps}"),
        template="jsonb_array_length(jsonb_path_query_array(%(expressions)s::jsonpath))",
        arg_joiner=", ",
        output_field=IntegerField(),
    )
    return submissions.order_by().aggregate(total=Coalesce(Sum(rows), Value(0)))["total"]


def system_of(row: dict[str, Any]) -> dict[str, Any]:
    """The `__system` object of one submission row (Central's fields, then this server's)."""
    if row["volunteer_id"] is not None:
        submitter_id, submitter_name = f"volunteer:{row['volunteer_id']}", row["volunteer_name"]
    elif row["submitter_user_id"] is not None:
        submitter_id, submitter_name = f"user:{row['submitter_user_id']}", row["user_name"]
    else:
        submitter_id = submitter_name = None
    return {
        "submissionDate": _iso(row["received_at"]),
        "updatedAt": _iso(row["updated_at"]) if row["version_count"] > 1 else None,
        "deletedAt": None,
        "submitterId": submitter_id,
        "submitterName": submitter_name,
        "attachmentsPresent": row["attachments_present"],
        "attachmentsExpected": row["attachments_expected"],
        "status": None,
        "reviewState": REVIEW_FROM_DB.get(row["review_state"]),
        "deviceId": row["device_id"] or None,
        "edits": max(0, row["version_count"] - 1),
        "formVersion": row["form_version_string"],
        "surveyDate": row["survey_date"].isoformat() if row["survey_date"] else None,
        "surveyRound": row["survey_round"] or None,
        "hamletCode": row["hamlet_code"] or None,
    }


def filter_q(tree: Any) -> Q:
    if isinstance(tree, BoolOp):
        left, right = filter_q(tree.left), filter_q(tree.right)
        return left & right if tree.op == "and" else left | right
    if isinstance(tree, NotOp):
        return ~filter_q(tree.operand)
    return _comparison_q(tree)


def _comparison_q(c: Comparison) -> Q:
    if c.field == "reviewState":
        values = c.value if c.op == "in" else (c.value,)
        q = Q(review_state__in=[REVIEW_TO_DB[v] for v in values])
        return ~q if c.op == "ne" else q
    column = COLUMNS[c.field]
    value = c.value
    if c.part:
        column = f"{column}__{c.part}"
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime) and c.field != "surveyDate":
        column = f"{column}__date"  # submissionDate ge 2026-11-01: the day, in the commune's zone
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    if value is None:
        q = Q(**{f"{column}__isnull": True})
        if c.field in ("surveyRound", "hamletCode"):  # stored as "" when the form has none
            q |= Q(**{column: ""})
        return ~q if c.op == "ne" else q
    lookup = {"eq": "exact", "ne": "exact", "lt": "lt", "le": "lte", "gt": "gt", "ge": "gte", "in": "in"}[c.op]
    q = Q(**{f"{column}__{lookup}": list(value) if c.op == "in" else value})
    return ~q if c.op == "ne" else q


def _count(subquery: QuerySet) -> Coalesce:
    counted = subquery.annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
