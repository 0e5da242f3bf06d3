"""The synthetic commune and the stream of its submissions (pure: numpy, shapely, lxml).

`commune_build` lays out the hamlets; `instances_stream` yields one submission XML at a
time (hamlet assessments, market stalls, then households hamlet by hamlet), so a million
households need no more memory than thirty. Everything is a function of the seed: each
hamlet and round draws from its own generator, and instance IDs are UUIDs derived from the
seed, so the same seed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point

from backend.demo import geography
from backend.demo.answers import assessment_answers, household_answers, stall_answers
from backend.demo.population import HamletPlan, hamlet_count, hamlet_plans
from backend.demo.xform_fill import XFormModel, instance_xml

OUTSIDE_SHARE = 0.02  # geopoints deliberately just outside their hamlet
ID_NAMESPACE = uuid.UUID("7a0c1a2e-6f1e-4d0e-9a57-50f0c0de2025")
MARKET_CODE = "CHO_PL"
TZ = "+07:00"


@dataclass(frozen=True)
class DemoSpec:
    households: int = 16_500
    seed: int = 57
    stalls: int = 200
    rounds: tuple[int, ...] = (2025, 2027)


@dataclass(frozen=True)
class HamletArea:
    plan: HamletPlan
    polygon_m: object  # shapely, local metres
    polygon: object  # shapely, EPSG:4326

    @property
    def volunteer_code(self) -> str:
        return f"TNV{self.plan.index + 1:02d}"


@dataclass(frozen=True)
class DemoCommune:
    spec: DemoSpec
    hamlets: list[HamletArea]
    market_xy: tuple[float, float]


@dataclass(frozen=True)
class GeneratedInstance:
    form_id: str
    instance_id: str
    xml: bytes
    hamlet_code: str
    end: str  # ISO datetime the interview ended (for backdating the receipt)


def commune_build(spec: DemoSpec) -> DemoCommune:
    rng = np.random.default_rng([spec.seed, 0])
    plans = hamlet_plans(spec.households, rng)
    outline = geography.commune_outline(rng)
    if len(plans) > geography_hamlets_default():
        # Province-scale runs keep hamlets at commune-like density: the outline grows with them.
        factor = math.sqrt(len(plans) / geography_hamlets_default())
        outline = shapely.affinity.scale(outline, factor, factor, origin=(0, 0))
    cells = geography.hamlet_cells(outline, len(plans), rng)
    hamlets = [HamletArea(plan, cell, geography.to_lonlat(cell)) for plan, cell in zip(plans, cells, strict=True)]
    central = min(hamlets, key=lambda h: h.polygon_m.centroid.distance(Point(0, 0)))
    market = central.polygon_m.representative_point()
    return DemoCommune(spec, hamlets, (market.x, market.y))


def geography_hamlets_default() -> int:
    return hamlet_count(0)


def instance_count(spec: DemoSpec, hamlets: int | None = None) -> int:
    hamlets = hamlets if hamlets is not None else hamlet_count(spec.households)
    return len(spec.rounds) * (hamlets + spec.stalls + spec.households)


def instances_stream(
    commune: DemoCommune, models: dict[str, XFormModel], *, part: int = 0, parts: int = 1
) -> Iterator[GeneratedInstance]:
    """Every submission of every round, as XML for the given (published) form models.
    A form missing from `models` is skipped. With `parts` > 1, only share `part` of it: the
    hamlets whose index ≡ part (mod parts), and the market in part 0. Every hamlet draws from
    its own seeded generator, so the parts together are exactly the whole stream."""
    spec = commune.spec
    codes = [h.plan.code for h in commune.hamlets]
    hamlets = [h for h in commune.hamlets if h.plan.index % parts == part]
    for year in spec.rounds:
        if "pl_kdc" in models:
            for hamlet in hamlets:
                yield _assessment(commune, models["pl_kdc"], hamlet, year)
        if "pl_cho" in models and part == 0:
            rng = np.random.default_rng([spec.seed, year, 1])
            for number in range(1, spec.stalls + 1):
                yield _stall(commune, models["pl_cho"], number, year, rng, codes)
        if "pl_ho" in models:
            for hamlet in hamlets:
                rng = np.random.default_rng([spec.seed, year, 2, hamlet.plan.index])
                sampler = geography.PointSampler(hamlet.polygon_m, rng)
                for serial in range(1, hamlet.plan.households + 1):
                    yield _household(commune, models["pl_ho"], hamlet, serial, year, rng, sampler)


def _household(commune, model, hamlet: HamletArea, serial: int, year: int, rng, sampler) -> GeneratedInstance:
    if rng.random() < OUTSIDE_SHARE:
        x, y = geography.point_just_outside(hamlet.polygon_m, rng)
    else:
        x, y = sampler.inside()
    answers = household_answers(
        hamlet=hamlet.plan,
        serial=serial,
        year=year,
        rng=rng,
        volunteer_code=hamlet.volunteer_code,
        geopoint=geography.geopoint(x, y, rng),
    )
    answers["ho_uuid_moi"] = household_uuid(commune, hamlet.plan.code, serial)
    key = f"pl_ho/{year}/{hamlet.plan.code}/{serial}"
    return _render(commune, model, answers, key, year, rng, hamlet.plan.code, device=hamlet.volunteer_code)


def household_uuid(commune: DemoCommune, hamlet_code: str, serial: int) -> str:
    """The household's entity name (register UUID), the same in every round and every run."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{commune.spec.seed}/household/{hamlet_code}/{serial}"))


def _stall(commune, model, number: int, year: int, rng, codes: list[str]) -> GeneratedInstance:
    mx, my = commune.market_xy
    x, y = mx + rng.normal(0, 25), my + rng.normal(0, 25)
    answers = stall_answers(
        number=number,
        year=year,
        rng=rng,
        volunteer_code="TNVCHO",
        market_code=MARKET_CODE,
        hamlet_codes=codes,
        geopoint=geography.geopoint(x, y, rng),
    )
    return _render(commune, model, answers, f"pl_cho/{year}/{number}", year, rng, "", device="TNVCHO")


def _assessment(commune, model, hamlet: HamletArea, year: int) -> GeneratedInstance:
    rng = np.random.default_rng([commune.spec.seed, year, 3, hamlet.plan.index])
    day = _interview_day(year, rng)
    points = geography.points_inside(hamlet.polygon_m, int(rng.integers(5, 9)), rng)
    test_points = [geography.geopoint(x, y, rng) for x, y in points]
    answers = assessment_answers(
        hamlet=hamlet.plan,
        year=year,
        rng=rng,
        volunteer_code=hamlet.volunteer_code,
        day=day.isoformat(),
        test_points=test_points,
        model_points=test_points,
    )
    return _render(
        commune,
        model,
        answers,
        f"pl_kdc/{year}/{hamlet.plan.code}",
        year,
        rng,
        hamlet.plan.code,
        device=hamlet.volunteer_code,
        day=day,
    )


def _render(
    commune,
    model: XFormModel,
    answers: dict,
    key: str,
    year: int,
    rng,
    hamlet_code: str,
    *,
    device: str,
    day: dt.date | None = None,
) -> GeneratedInstance:
    day = day or _interview_day(year, rng)
    start = dt.datetime.combine(day, dt.time(7)) + dt.timedelta(minutes=int(rng.integers(0, 600)))
    end = start + dt.timedelta(minutes=int(rng.integers(8, 40)), seconds=int(rng.integers(0, 60)))
    instance_id = f"uuid:{uuid.uuid5(ID_NAMESPACE, f'{commune.spec.seed}/{key}')}"
    xml = instance_xml(
        model,
        answers,
        instance_id=instance_id,
        start=_iso(start),
        end=_iso(end),
        today=day.isoformat(),
        deviceid=f"demo:{device}",
    )
    return GeneratedInstance(model.form_id, instance_id, xml, hamlet_code, _iso(end))


def _interview_day(year: int, rng) -> dt.date:
    """Survey rounds run from September to November."""
    return dt.date(year, 9, 1) + dt.timedelta(days=int(rng.integers(0, 91)))


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000") + TZ
