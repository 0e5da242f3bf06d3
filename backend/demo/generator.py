"""The synthetic commune and the stream of its submissions (pure: numpy, shapely, lxml).

`commune_build` lays out the hamlets; `instances_stream` yields one submission XML at a
time (hamlet assessments, market stalls, then households hamlet by hamlet), so a million
households need no more memory than thirty.

Households are a panel (the household register, entity list `households`): each has a
stable UUID, code, given name, house description and dwelling point (`household_register`).
The first round's visit creates it through the form's entity block; every later round
revisits the same households as follow-ups (update, baseVersion = the version the phone's
list has), with moves, not-found households and refusals, adds new households, and a few
households are visited twice in a round (the later visit supersedes). Everything is a function of the seed: each
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
# The panel between rounds (a survey statistician's expectations for a rural commune over two
# years): per later round, of the households still in the list
MOVED_SHARE = 0.03  # moved away (ket_qua = chuyen_di)
NOT_FOUND_SHARE = 0.015  # not found (ket_qua = khong_tim_thay)
NEW_SHARE = 0.04  # new households (split, built a house) added in the round, per baseline household
DUPLICATE_SHARE = 0.01  # visited twice in the same round
DESCRIPTION_CHANGE_SHARE = 0.1  # a follow-up corrects the house description (a real entity update)
GIVEN_NAMES = (
    "Bảy", "Út", "Hai", "Ba", "Tư", "Năm", "Sáu", "Tám", "Chín", "Mười", "Lan", "Hoa", "Hùng", "Dũng",
    "Mai", "Cúc", "Đào", "Phúc", "Thảo", "Tâm", "Hạnh", "Nga", "Sơn", "Hải", "Minh", "Thanh",
)  # fmt: skip
HOUSES = (
    "nhà mái tôn xanh", "nhà tường vàng", "nhà có cổng sắt", "nhà cạnh vườn điều", "nhà gần chợ",
    "nhà đầu hẻm", "nhà cạnh cây xăng", "nhà có giếng", "nhà sàn", "nhà cạnh nhà văn hoá ấp",
    "nhà mái ngói đỏ", "nhà có hàng rào dâm bụt", "nhà cuối hẻm", "nhà cạnh ruộng lúa",
)  # fmt: skip
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


@dataclass
class DemoHousehold:
    """One household of the register across rounds (what the phone's list knows of it)."""

    serial: int
    entity_id: str  # UUID, the entity name
    ma_ho: str
    ten_goi: str
    mo_ta: str
    geopoint: str
    joins: int  # index of the round whose visit creates it (0: the first round)
    fate: dict  # round index → "chuyen_di" | "khong_tim_thay" (else met)
    duplicates: frozenset  # round indexes it is visited twice in
    version: int = 0  # the register's version, as the phones' list has it

    def row(self, hamlet_code: str) -> dict:
        """Its households.csv row (what Collect's instance('households') holds)."""
        return {
            "name": self.entity_id,
            "label": _entity_label(self.ma_ho, self.ten_goi, self.mo_ta),
            "__version": str(self.version),
            "ap": hamlet_code,
            "ma_ho": self.ma_ho,
            "ten_goi": self.ten_goi,
            "mo_ta": self.mo_ta,
            "geometry": self.geopoint,
        }


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


def instance_count(spec: DemoSpec, hamlets: int | None = None, commune: DemoCommune | None = None) -> int:
    """Submissions the stream yields. With the commune, exact (households visited per round,
    duplicates and new households included); without, the estimate of one visit per
    household per round."""
    hamlets = hamlets if hamlets is not None else hamlet_count(spec.households)
    fixed = len(spec.rounds) * (hamlets + spec.stalls)
    if commune is None:
        return fixed + len(spec.rounds) * spec.households
    visits = 0
    for hamlet in commune.hamlets:
        for household in household_register(commune, hamlet):
            for index in range(len(spec.rounds)):
                if _visited(household, index):
                    visits += 2 if index in household.duplicates else 1
    return fixed + visits


def household_register(commune: DemoCommune, hamlet: HamletArea) -> list[DemoHousehold]:
    """The hamlet's households across every round, from its own seeded generator (the same
    households, names and dwellings in every round and every run)."""
    spec = commune.spec
    rng = np.random.default_rng([spec.seed, 4, hamlet.plan.index])
    sampler = geography.PointSampler(hamlet.polygon_m, rng)
    rounds = len(spec.rounds)
    baseline = hamlet.plan.households
    joins = [0] * baseline
    for index in range(1, rounds):
        joins += [index] * int(rng.binomial(baseline, NEW_SHARE))
    households = []
    for serial, first in enumerate(joins, start=1):
        if rng.random() < OUTSIDE_SHARE:
            x, y = geography.point_just_outside(hamlet.polygon_m, rng)
        else:
            x, y = sampler.inside()
        fate = {}
        for index in range(first + 1, rounds):
            draw = rng.random()
            if draw < MOVED_SHARE:
                fate[index] = "chuyen_di"
                break  # gone: later rounds no longer visit it
            if draw < MOVED_SHARE + NOT_FOUND_SHARE:
                fate[index] = "khong_tim_thay"
        duplicates = frozenset(i for i in range(first, rounds) if rng.random() < DUPLICATE_SHARE)
        households.append(
            DemoHousehold(
                serial=serial,
                entity_id=household_uuid(commune, hamlet.plan.code, serial),
                ma_ho=f"{hamlet.plan.index % 100:02d}-{serial % 10000:04d}",
                ten_goi=str(rng.choice(GIVEN_NAMES)),
                mo_ta=str(rng.choice(HOUSES)),
                geopoint=geography.geopoint(x, y, rng),
                joins=first,
                fate=fate,
                duplicates=duplicates,
            )
        )
    return households


def _visited(household: DemoHousehold, index: int) -> bool:
    """Visited in round `index`: it exists by then and did not move away in an earlier round."""
    if index < household.joins:
        return False
    return not any(f == "chuyen_di" and i < index for i, f in household.fate.items())


def _entity_label(ma_ho: str, ten_goi: str, mo_ta: str) -> str:
    """The label the form computes: concat(ma_ho, ' · ', ten_goi or the description)."""
    return f"{ma_ho} · {ten_goi or mo_ta}"


def instances_stream(
    commune: DemoCommune, models: dict[str, XFormModel], *, part: int = 0, parts: int = 1, check_every: int = 1
) -> Iterator[GeneratedInstance]:
    """Every submission of every round, as XML for the given (published) form models.
    A form missing from `models` is skipped. With `parts` > 1, only share `part` of it: the
    hamlets whose index ≡ part (mod parts), and the market in part 0. Every hamlet draws from
    its own seeded generator, so the parts together are exactly the whole stream.
    `check_every` n > 1 runs the form's checks (`instance_violations`, a third of the
    generation time) on one household visit in n and on every other instance; the bytes
    are the same whether checked or not."""
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
        # Hamlet by hamlet, every round in order: a household's creation (first round) is
        # ingested before its follow-ups, as the phones would have sent them.
        for hamlet in hamlets:
            register = household_register(commune, hamlet)
            for index, year in enumerate(spec.rounds):
                rng = np.random.default_rng([spec.seed, year, 2, hamlet.plan.index])
                for household in register:
                    if not _visited(household, index):
                        continue
                    day = _interview_day(year, rng)
                    check = check_every <= 1 or (household.serial + index) % check_every == 0
                    yield _household(commune, models["pl_ho"], hamlet, household, index, year, rng, day, "", check)
                    if index in household.duplicates:
                        later = min(day + dt.timedelta(days=int(rng.integers(1, 8))), dt.date(year, 11, 30))
                        yield _household(
                            commune, models["pl_ho"], hamlet, household, index, year, rng, later, "/2", check
                        )


def _household(
    commune,
    model,
    hamlet: HamletArea,
    household: DemoHousehold,
    index: int,
    year: int,
    rng,
    day,
    suffix: str,
    check: bool = True,
) -> GeneratedInstance:
    """One visit as the phone sends it: a creation (the household is not in the phone's list
    yet) or a follow-up of the listed household, with its outcome."""
    code = hamlet.plan.code
    outcome = household.fate.get(index, "gap") if not suffix else "gap"
    follow_up = household.version > 0
    instances = None
    if outcome == "gap":
        answers = household_answers(
            hamlet=hamlet.plan,
            serial=household.serial,
            year=year,
            rng=rng,
            volunteer_code=hamlet.volunteer_code,
            geopoint=household.geopoint,
        )
    else:
        answers = {"tnv_ma": hamlet.volunteer_code, "ap": code, "vi_tri": household.geopoint, "ket_qua": outcome}
    before = (household.ma_ho, household.ten_goi, household.mo_ta)
    if follow_up:
        instances = {"households": [household.row(code)]}  # the list as the phone has it
        if outcome == "gap" and not suffix and rng.random() < DESCRIPTION_CHANGE_SHARE:
            household.mo_ta = str(rng.choice([h for h in HOUSES if h != household.mo_ta]))
        # the form's once(uuid()) for a new household, unused on a follow-up (fixed: same bytes every run)
        spare = uuid.uuid5(ID_NAMESPACE, f"{commune.spec.seed}/unused/{year}/{code}/{household.serial}{suffix}")
        answers.update(ho_trong_ds="co", ho_chon=household.entity_id, ho_uuid_moi=str(spare))
    else:
        answers.update(ho_trong_ds="khong", ho_uuid_moi=household.entity_id)
    answers.update(ma_ho=household.ma_ho, ten_goi=household.ten_goi, mo_ta=household.mo_ta)
    if not follow_up:
        household.version = 1
    elif (household.ma_ho, household.ten_goi, household.mo_ta) != before:
        household.version += 1  # the register bumps the version when a property changes
    key = f"pl_ho/{year}/{code}/{household.serial}{suffix}"
    return _render(
        commune,
        model,
        answers,
        key,
        year,
        rng,
        code,
        device=hamlet.volunteer_code,
        day=day,
        instances=instances,
        check=check,
    )


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
    instances: dict | None = None,
    check: bool = True,
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
        instances=instances,
        check=check,
    )
    return GeneratedInstance(model.form_id, instance_id, xml, hamlet_code, _iso(end))


def _interview_day(year: int, rng) -> dt.date:
    """Survey rounds run from September to November."""
    return dt.date(year, 9, 1) + dt.timedelta(days=int(rng.integers(0, 91)))


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000") + TZ
