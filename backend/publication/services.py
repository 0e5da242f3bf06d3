"""Writes for publication: publish a round's results (audited), build the periodic report."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from backend.audit.services import audit_record
from backend.publication.docx_report import periodic_report_docx
from backend.publication.figures import round_figures
from backend.publication.models import PublishedRound
from backend.publication.pdf import docx_to_pdf
from backend.publication.public import public_snapshot
from backend.reports.models import ComputedResult


@transaction.atomic
def round_publish(*, round_name: str, user, ip: str | None = None) -> PublishedRound:
    """Make `round_name`'s current results public (again). The snapshot is taken now, from
    the stored results, suppressed as for a viewer; the audit row names who and which
    computation."""
    figures = round_figures(round_name, microdata=False)
    stored = ComputedResult.objects.get(round=figures.round)
    published, created = PublishedRound.objects.update_or_create(
        round=figures.round,
        defaults={
            "published_at": timezone.now(),
            "published_by": user,
            "computed_at": stored.computed_at,
            "fingerprint": stored.fingerprint,
            "snapshot": public_snapshot(figures),
        },
    )
    audit_record(
        actor=user,
        action="results.publish",
        obj=published,
        ip=ip,
        round=figures.round,
        republished=not created,
        computed_at=stored.computed_at,
        fingerprint=stored.fingerprint,
    )
    return published


def published_current(round_name: str | None = None) -> PublishedRound | None:
    """The round the public page shows: the one published most recently (or `round_name`
    when that one is published)."""
    queryset = PublishedRound.objects.all()
    if round_name:
        queryset = queryset.filter(round=round_name)
    return queryset.order_by("-published_at").first()


@dataclass
class PeriodicReport:
    round: str
    docx: bytes
    suppressed: bool

    @property
    def filename(self) -> str:
        return f"bao_cao_ket_qua_cds_{self.round}"

    def pdf(self) -> bytes:
        return docx_to_pdf(self.docx)


def periodic_report_build(*, round_name: str | None, microdata: bool) -> PeriodicReport:
    figures = round_figures(round_name, microdata=microdata)
    return PeriodicReport(round=figures.round, docx=periodic_report_docx(figures), suppressed=figures.suppressed)
