"""Writes for places: hamlets (boundaries, registers), the commune, its market, ap.csv."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from backend.core import errors
from backend.core.locks import rows_lock
from backend.places.ap_csv import ap_csv_render
from backend.places.boundaries import BoundaryFeature
from backend.places.models import Commune, Hamlet, Market
from backend.places.registers import RegisterRow

AP_CSV = "ap.csv"
PHU_LAM = {"code": "26158", "name": "Xã Phú Lâm", "province": "Tỉnh Đồng Nai"}


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)  # code → what changed

    def summary(self) -> str:
        return f"created {len(self.created)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}"

    def lines(self) -> list[str]:
        out = [self.summary()]
        for code in self.created:
            out.append(f"  + {code}: {', '.join(self.changes.get(code, []))}")
        for code in self.updated:
            out.append(f"  ~ {code}: {', '.join(self.changes[code])}")
        return out


def commune_ensure(
    *, code: str = PHU_LAM["code"], name: str = PHU_LAM["name"], province: str = PHU_LAM["province"]
) -> Commune:
    commune, _ = Commune.objects.get_or_create(code=code, defaults={"name": name, "province": province})
    return commune


@transaction.atomic
def hamlet_boundaries_save(*, features: list[BoundaryFeature], commune: Commune | None = None) -> ImportReport:
    """Create or update hamlets (code, name, boundary) in place; report what changed.

    `features` come from `boundaries_read`/`boundaries_check`, already valid and
    non-overlapping between themselves. Hamlets already stored but absent from the file
    are kept: a partial file must not delete hamlets that submissions point to.
    """
    commune = commune or commune_ensure()
    report = ImportReport()
    existing = {h.code: h for h in rows_lock(Hamlet.objects.filter(code__in=[f.code for f in features]))}
    for feature in features:
        hamlet = existing.get(feature.code)
        if hamlet is None:
            Hamlet.objects.create(commune=commune, code=feature.code, name=feature.name, boundary=feature.geometry)
            report.created.append(feature.code)
            report.changes[feature.code] = [f"name {feature.name!r}", "boundary"]
            continue
        changed = []
        if feature.name and hamlet.name != feature.name:
            changed.append(f"name {hamlet.name!r} → {feature.name!r}")
            hamlet.name = feature.name
        if hamlet.boundary != feature.geometry:
            changed.append("boundary" + (" (repaired)" if feature.repaired else ""))
            hamlet.boundary = feature.geometry
        if changed:
            hamlet.save(update_fields=["name", "boundary", "updated_at"])
            report.updated.append(feature.code)
            report.changes[feature.code] = changed
        else:
            report.unchanged.append(feature.code)
    return report


@transaction.atomic
def hamlet_registers_save(*, rows: list[RegisterRow]) -> ImportReport:
    """Set registered households, population (and the pilot flag when given) per hamlet.
    Every code must name a stored hamlet; otherwise nothing is changed."""
    hamlets = {h.code: h for h in rows_lock(Hamlet.objects.filter(code__in=[r.code for r in rows]))}
    unknown = [r.code for r in rows if r.code not in hamlets]
    if unknown:
        raise errors.upload_rejected(
            f"Unknown hamlet code(s) / Mã ấp không có: {', '.join(unknown)}. Import the boundaries first.",
            unknown=unknown,
        )
    report = ImportReport()
    for row in rows:
        hamlet = hamlets[row.code]
        changed = []
        for attr in ("registered_households", "population", "pilot_dra"):
            value = getattr(row, attr)
            if value is not None and getattr(hamlet, attr) != value:
                changed.append(f"{attr} {getattr(hamlet, attr)} → {value}")
                setattr(hamlet, attr, value)
        if changed:
            hamlet.save(update_fields=["registered_households", "population", "pilot_dra", "updated_at"])
            report.updated.append(row.code)
            report.changes[row.code] = changed
        else:
            report.unchanged.append(row.code)
    return report


def market_ensure(*, code: str, name: str, registered_stalls: int, commune: Commune | None = None) -> Market:
    market, _ = Market.objects.update_or_create(
        code=code,
        defaults={"name": name, "registered_stalls": registered_stalls, "commune": commune or commune_ensure()},
    )
    return market


def ap_csv_bytes() -> bytes:
    return ap_csv_render(Hamlet.objects.order_by("code").values_list("code", "name", "name_en"))


def ap_csv_publish() -> dict[str, bool]:
    """Push ap.csv, rendered from the hamlet table, to every published form expecting it.

    Returns {form_id: changed}; a changed file changes the form's manifest hash, so phones
    download the new hamlet list on their next form update.
    """
    from backend.surveys.models import Form
    from backend.surveys.services import form_media_update

    data = ap_csv_bytes()
    result = {}
    for form in Form.objects.filter(current_version__isnull=False).select_related("current_version"):
        if AP_CSV in (form.current_version.expected_media or []):
            result[form.form_id] = form_media_update(form=form, name=AP_CSV, data=data)
    return result
