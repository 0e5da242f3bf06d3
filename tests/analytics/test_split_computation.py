"""A computation split by hamlets (one part per worker) combines into exactly the figures of
one computation over all the data: the commune estimate is a sum over hamlet strata, so
nothing may depend on which hamlets a part held. Checked on a mixed commune: five hamlets
(one without a register figure, one without a boundary), two rounds, refusals, households
located outside their hamlet, stalls, assessments and an administrative figure."""

import random
from datetime import date

import pandas as pd
import pytest

from analytics.compute import AdministrativeFigure
from analytics.frames import frames_typed, raw_from_records
from analytics.geo import hamlets_frame
from analytics.pipeline import hamlet_indicators_compute, partial_results_compute, results_combine
from tests.analytics.builders import assessment, hamlet_rows, household, member, square, stall

CODES = ["AP01", "AP02", "AP03", "AP04", "AP05"]
ADMINISTRATIVE = [AdministrativeFigure("P2025_DOSSIERS_ONLINE", "2025", 61, 100)]


def _commune():
    rng = random.Random(57)
    hamlets = hamlet_rows(
        ("AP01", 40, square(106.80, 10.50, 0.01), True),
        ("AP02", 35, square(106.81, 10.50, 0.01), False),
        ("AP03", 0, square(106.82, 10.50, 0.01), False),  # no register figure
        ("AP04", 30, None, True),  # no boundary
        ("AP05", 25, square(106.83, 10.50, 0.01), False),
    )
    records = []
    for n, code in enumerate(CODES):
        for day in (date(2025, 10, 3), date(2027, 10, 3)):
            for k in range(rng.randint(8, 20)):
                members = [
                    member(
                        born=str(rng.randint(1940, 2008)),
                        smartphone=rng.choice(["co", "co", "khong"]),
                        cashless=rng.choice(["co", "khong"]),
                        dvc=rng.choice(["co", "khong"]),
                    )
                    for _ in range(rng.randint(1, 4))
                ]
                # Some points stand in the next hamlet over: they are flagged for review.
                lon = 106.805 + 0.01 * (n + (1 if k % 7 == 0 else 0))
                records.append(
                    household(
                        code,
                        members=members,
                        consent="khong" if k % 9 == 4 else "co",
                        lat=10.505,
                        lon=lon,
                        accuracy=rng.choice([5.0, 12.0, 80.0]),
                        day=day,
                        zalo=rng.choice(["co", "khong"]),
                    )
                )
            if code != "AP03":
                records.append(assessment(code, day=day, zalo=rng.choice(["co", "khong"])))
    records += [stall(accepts=rng.choice(["co", "khong"]), day=date(2025, 10, 2)) for _ in range(12)]
    return records, hamlets_frame(hamlets)


def _sorted(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return frame.sort_values(key, na_position="first", kind="stable").reset_index(drop=True)


@pytest.mark.parametrize(
    "split", [[CODES[:2], CODES[2:]], [[c] for c in CODES], [["AP05", "AP01"], ["AP03"], ["AP02", "AP04"]]]
)
def test_parts_of_disjoint_hamlets_combine_into_the_whole(split):
    records, hamlets = _commune()
    frames = frames_typed(raw_from_records(records))
    whole = hamlet_indicators_compute(frames, hamlets, administrative=ADMINISTRATIVE, registered_stalls=20)

    partials = []
    for index, codes in enumerate(split):
        # A part reads only its hamlets' submissions; the first also owns the market and the
        # administrative figures.
        part_records = [r for r in records if r["hamlet_code"] in codes or (index == 0 and r["form_id"] == "pl_cho")]
        partials.append(
            partial_results_compute(
                frames_typed(raw_from_records(part_records)),
                hamlets,
                administrative=ADMINISTRATIVE,
                registered_stalls=20,
                commune_level=index == 0,
            )
        )
    combined = results_combine(partials, hamlets)

    key = ["indicator", "round", "hamlet"]
    assert len(whole.rows) > 300
    pd.testing.assert_frame_equal(_sorted(combined.rows, key), _sorted(whole.rows, key), check_dtype=False)
    pd.testing.assert_frame_equal(
        _sorted(combined.coverage, ["round", "hamlet"]), _sorted(whole.coverage, ["round", "hamlet"]), check_dtype=False
    )
    for name in ("scorecard", "scorecard_summary"):
        frame_key = [c for c in ("round", "hamlet", "tier", "criterion") if c in getattr(whole, name).columns]
        pd.testing.assert_frame_equal(
            _sorted(getattr(combined, name), frame_key), _sorted(getattr(whole, name), frame_key), check_dtype=False
        )
    assert sorted(combined.review["submission_id"]) == sorted(whole.review["submission_id"])
    assert combined.counts == whole.counts
    # The commune figure is really there and really estimated (not a copy of one hamlet's).
    commune = whole.rows[(whole.rows["hamlet"].isna()) & (whole.rows["n_units"] > 0)]
    assert commune["indicator"].nunique() > 10
