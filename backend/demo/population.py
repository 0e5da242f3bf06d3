"""Who lives in the synthetic commune and how digital they are (pure: numpy).

Parameters follow DOMAIN.md §3.4: household size Poisson(2.8)+1 truncated to 1–12, ≈75% of
people aged 15+, 30 hamlets of 250–900 households (log-normal) scaled to the requested total,
baseline 2025 rates with hamlet random effects (SD ≈ 8 percentage points), lower rates for
people aged 60+ and for ethnic-minority (Chơro, S'tiêng) households, and two pilot hamlets
("Khu dân cư chuyển đổi số") with higher rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Baseline 2025 rates (DOMAIN.md §3.4).
BASE = {
    "smartphone": 0.82,
    "vneid2": 0.78,
    "account": 0.78,
    "cashless30": 0.60,  # of all adults; conditional on an account below
    "dvc12": 0.35,  # household used an online public service in 12 months
    "bdhvs": 0.25,
    "fibre": 0.70,
    "g4_good": 0.90,
    "loudspeaker": 0.70,
    "zalo_group": 0.65,
    "nq57_info": 0.60,
    "trader_qr": 0.65,
    "trader_cashless7": 0.55,
}
HAMLET_SD = 0.08
PILOT_BONUS = 0.10
AGE60_PENALTY = 0.25
MINORITY_PENALTY = 0.15
PER_YEAR_GAIN = 0.05  # each later round moves rates up, toward the 2027 targets
SIZE_MIN, SIZE_MAX, MEAN_SIZE = 250, 900, 550
AREA_HAMLETS = 30

# The first eight are real hamlet names (DOMAIN.md §3.3); the rest are placeholders, the
# same as forms_xlsform/ap.csv so the authored sample and the generated commune agree.
HAMLET_NAMES = [
    "Phú Dũng",
    "Phú Tân",
    "Phú Thành",
    "Phú Cường",
    "Phú Hợp A",
    "Phú Hợp B",
    "Phương Lâm",
    "Phú Yên",
    "Phú Lợi",
    "Phú Thạnh",
    "Phú Hòa",
    "Phú Lộc",
    "Phú An",
    "Phú Quý",
    "Phú Vinh",
    "Phú Xuân",
    "Phú Mỹ",
    "Phú Khánh",
    "Phú Nhuận",
    "Phú Thọ",
    "Phú Hưng",
    "Phú Điền",
    "Thanh Bình",
    "Thanh Trung",
    "Thanh Tâm",
    "Thanh Thủy",
    "Sơn Hà",
    "Sơn Lâm",
    "Trung Hưng",
    "Trung Nghĩa",
]
OLD_COMMUNES = ["Phú Bình", "Phú Lâm", "Phú Sơn", "Thanh Sơn"]


@dataclass(frozen=True)
class HamletPlan:
    index: int  # 0-based
    code: str
    name: str
    old_commune: str
    households: int
    pilot: bool
    effect: float  # random effect, in probability points
    minority_share: float  # share of Chơro / S'tiêng households


def hamlet_count(households: int) -> int:
    """30 hamlets for a commune; beyond ~30 × 900 households, as many as keep the mean size
    realistic (a province-scale benchmark is many communes' hamlets)."""
    if households <= AREA_HAMLETS * SIZE_MAX:
        return AREA_HAMLETS
    return math.ceil(households / MEAN_SIZE)


def hamlet_plans(households: int, rng: np.random.Generator) -> list[HamletPlan]:
    count = hamlet_count(households)
    raw = np.clip(rng.lognormal(mean=math.log(MEAN_SIZE), sigma=0.35, size=count), SIZE_MIN, SIZE_MAX)
    sizes = _apportion(raw, households)
    pilots = set(rng.choice(count, size=2, replace=False).tolist())
    effects = rng.normal(0, HAMLET_SD, size=count)
    minority_hamlets = set(rng.choice(count, size=max(1, count // 10), replace=False).tolist())
    plans = []
    for i in range(count):
        name = HAMLET_NAMES[i] if i < len(HAMLET_NAMES) else f"Số {i + 1}"
        minority = rng.uniform(0.3, 0.6) if i in minority_hamlets else rng.uniform(0.0, 0.05)
        plans.append(
            HamletPlan(
                index=i,
                code=f"AP{i + 1:02d}",
                name=name,
                old_commune=OLD_COMMUNES[i * len(OLD_COMMUNES) // count],
                households=int(sizes[i]),
                pilot=i in pilots,
                effect=float(effects[i]),
                minority_share=float(minority),
            )
        )
    return plans


def _apportion(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer sizes proportional to `weights` that add up to `total` (largest remainders)."""
    exact = weights / weights.sum() * total
    sizes = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - sizes))[: total - sizes.sum()]:
        sizes[i] += 1
    return sizes


def rate(name: str, *, hamlet: HamletPlan, year: int, old: bool = False, minority: bool = False) -> float:
    p = BASE[name] + hamlet.effect + PER_YEAR_GAIN * (year - 2025)
    if hamlet.pilot:
        p += PILOT_BONUS
    if old:
        p -= AGE60_PENALTY
    if minority:
        p -= MINORITY_PENALTY
    return min(0.98, max(0.02, p))


def household_size(rng: np.random.Generator) -> int:
    return int(min(12, max(1, rng.poisson(2.8) + 1)))


def member_ages(size: int, rng: np.random.Generator) -> list[int]:
    """Ages of a household's members; the first is an adult head. About 75% are 15+."""
    head = int(rng.integers(22, 80))
    ages = [head]
    for _ in range(size - 1):
        if rng.random() < 0.69:  # with the adult head this gives ≈75% aged 15+ overall
            ages.append(int(rng.integers(15, 86)))
        else:
            ages.append(int(rng.integers(0, 15)))
    return ages
