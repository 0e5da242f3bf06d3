"""The exports page (admins, leadership, hamlet heads): choose a form, a format and the
filters; a background job builds the file (`submissions.export`, the same job as
`POST /api/v1/forms/<id>/submissions.<fmt>`); the page follows it (refreshing every few
seconds while it runs) and links the download. The export is scoped and audited like the
API's: the audit row is written when the job is asked for, with the row count."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from backend.accounts import policy
from backend.accounts.actors import actor_for_request
from backend.audit.http import audit_microdata_read
from backend.core.errors import Problem
from backend.jobs.models import Job
from backend.reports.export_formats import FORMATS
from backend.reports.models import SurveyRound
from backend.reports.services import submission_export_enqueue
from backend.reports.submission_export import ExportSpec, export_submissions
from backend.submissions.models import ReviewState
from backend.surveys.models import Form
from backend.web.csp import with_csp
from backend.web.language import vietnamese_first
from backend.web.staff import staff_page

FILTERS = ("round", "hamlet", "state", "date_from", "date_to")
RECENT = 20


def _page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    jobs = list(Job.objects.filter(kind="submissions.export", created_by=request.user).order_by("-created_at")[:RECENT])
    context = {
        "en": request.LANGUAGE_CODE == "en",
        "forms": list(Form.objects.order_by("form_id")),
        "formats": FORMATS,
        "rounds": list(SurveyRound.objects.order_by("start", "name")),
        "states": ReviewState.choices,
        "jobs": jobs,
        "active": any(j.active for j in jobs),
        "error": error,
    }
    return render(request, "web/staff/exports.html", context, status=status)


@require_http_methods(["GET", "POST"])
@vietnamese_first
@with_csp
@staff_page(policy.can_open_hamlet_pages)
def exports(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = Form.objects.filter(form_id=request.POST.get("form_id", "")).first()
    fmt = request.POST.get("format", "")
    if form is None or fmt not in FORMATS:
        return _page(request, error="Chọn biểu mẫu và định dạng. / Choose a form and a format.", status=400)
    query = QueryDict(mutable=True)
    for name in FILTERS:
        values = [v for v in request.POST.getlist(name) if v.strip()]
        if values:
            query.setlist(name, values)
    try:
        rows = export_submissions(ExportSpec(actor=actor_for_request(request), form=form, params=query)).count()
    except Problem as problem:
        return _page(request, error=problem.message, status=problem.status)
    job = submission_export_enqueue(
        user=request.user, form_id=form.form_id, fmt=fmt, query={k: query.getlist(k) for k in query}
    )
    audit_microdata_read(
        request=request,
        action="submission.export",
        form_id=form.form_id,
        query=query.dict(),
        rows=rows,
        format=fmt,
        job=str(job.id),
    )
    return redirect(reverse("staff-exports") + f"#job-{job.id}")
