"""Units of analysis from the typed frames: households, persons 15+, adults 18+, stalls and
one hamlet assessment per hamlet and round, with the derived columns the catalogue uses.

Derived values are recomputed here from the raw answers rather than read from the forms'
calculate fields: the definitions then live in one reviewed place, and a form version with
a buggy calculate cannot move an indicator.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.frames import Frames
from analytics.rounds import UNASSIGNED, Round, rounds_assign

# tv_ts (DOMAIN §4.1, 4.16): smartphone used for a public service or a digital utility.
SERVICE_USES = {"dvc", "thanh_toan", "mua_sam", "ban_hang", "hoc_tap", "y_te", "tin_tuc", "nong_nghiep"}
# tv_dv2 (4.17): categories that are not "digital services".
NOT_SERVICES = {"goi_nhan", "giai_tri", "khong"}


@dataclass
class Units:
    households: pd.DataFrame
    persons15: pd.DataFrame
    adults18: pd.DataFrame
    stalls: pd.DataFrame
    assessments: pd.DataFrame
    refusals: pd.DataFrame  # households that declined, per hamlet and round (coverage notes)
    unassigned_round: int = 0
    # The same households per hamlet: what an incremental recomputation takes out with a hamlet.
    unassigned_hamlets: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))


def rows_where(frame: pd.DataFrame, mask) -> pd.DataFrame:
    """`frame[mask]` for a boolean mask, as a positional take: pandas' boolean indexing
    costs 3–4× more on frames of millions of rows (0.5 s against 0.13 s for the roster)."""
    return frame.take(np.flatnonzero(np.asarray(mask, dtype=bool)))


def per_unique(values: pd.Series, fn: Callable[[str], float]) -> np.ndarray:
    """Apply `fn` once per distinct answer: select_multiple answers repeat a lot, and a
    Python call per row is the slowest thing one can do at province scale."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([fn(u) for u in uniques], dtype=float)
    out = np.full(len(values), np.nan)
    ok = codes >= 0
    out[ok] = mapped[codes[ok]]
    return out


def _tokens(value: str) -> set[str]:
    return set(str(value).split())


def _uses_service(value: str) -> float:
    return 1.0 if _tokens(value) & SERVICE_USES else 0.0


def _two_services(value: str) -> float:
    return 1.0 if len(_tokens(value) - NOT_SERVICES) >= 2 else 0.0


def _has_account(value: str) -> float:
    tokens = _tokens(value)
    return 1.0 if tokens and "khong" not in tokens else 0.0


def _received_info(value: str) -> float:
    tokens = _tokens(value)
    return 1.0 if tokens and "khong_nhan" not in tokens else 0.0


def units_build(frames: Frames, rounds: Sequence[Round] | None = None) -> Units:
    """`rounds`: the declared rounds (None: `analytics.rounds.DEFAULT_ROUNDS`). Submissions
    outside every round are unassigned: counted in `unassigned_round`, in no unit."""
    households = frames.households.copy()
    households["hamlet"] = _answer_or(households["hamlet_code"], households["ap"])
    households["round"] = rounds_assign(households["survey_date"], households["survey_round"], rounds)
    assigned = households["round"].ne(UNASSIGNED).to_numpy()
    unassigned = int((~assigned).sum())
    unassigned_hamlets = hamlet_sizes(households["hamlet"][~assigned]) if unassigned else pd.Series(dtype="int64")
    # Categoricals: every groupby by (round, hamlet) below then works on small integer codes.
    households = rows_where(households, assigned)
    households["round"] = households["round"].astype("category")
    # The latest interview of a household decides, consent included: a household that
    # consented and then refused on a later visit in the round has withdrawn its consent,
    # and its earlier answers leave every figure with it.
    households = _latest_per_household(households)
    consented = households["dong_y"].eq("co")
    # A refusal is a household met that said no. One that moved away or was not found
    # (`ket_qua`, the consent question skipped) is out of scope for the round, not a refusal:
    # counting it as one would lower the response rate for households nobody could ask.
    refused = households["dong_y"].eq("khong")
    refusals = households[refused].groupby(["hamlet", "round"], observed=True).size().rename("refused")
    refusals = refusals.reset_index()
    households = rows_where(households, consented)

    members = frames.members
    smart = members["tv_dtdm"].eq("co").to_numpy()
    members = members.assign(
        tv_ts=np.where(smart, per_unique(members["tv_dt_dung"], _uses_service), 0.0),
        tv_dv2=np.where(smart, per_unique(members["tv_dt_dung"], _two_services), 0.0),
        has_account=per_unique(members["tv_tk"], _has_account) == 1.0,
        dvc_12=members["tv_dvc_12"].eq("co").astype(float),
    )
    per_household = members.groupby("submission_id").agg(
        n_tv_ts=("tv_ts", "sum"),
        n_tv_dv2=("tv_dv2", "sum"),
        n_dvc_12=("dvc_12", "sum"),
        n_members=("position", "size"),
    )
    households = households.join(per_household, on="submission_id")
    for column in ("n_tv_ts", "n_tv_dv2", "n_dvc_12", "n_members"):
        households[column] = households[column].fillna(0.0)
    received = per_unique(households["kenh_tt_30"], _received_info) == 1.0
    households["regular_digital"] = households["n_tv_dv2"].gt(0).to_numpy() & received

    persons15 = _attach(members, households, ["hamlet", "round"])
    age = persons15["survey_year"] - persons15["tv_nam_sinh"]
    adults18 = rows_where(persons15, age.ge(18))

    stalls = _latest_per_stall(frames.stalls, rounds)

    assessments = _assessments(frames, rounds)
    return Units(households, persons15, adults18, stalls, assessments, refusals, unassigned, unassigned_hamlets)


def hamlet_sizes(hamlets: pd.Series) -> pd.Series:
    """Rows per hamlet code (index: the codes as text, a missing one included), no zero counts."""
    counts = hamlets.value_counts(dropna=False, sort=False)
    counts = counts[counts.to_numpy() > 0]
    counts.index = pd.Index(counts.index.astype(object), dtype=object)
    return counts.astype("int64")


def _answer_or(primary: pd.Series, fallback: pd.Series) -> pd.Series:
    """`primary` where it holds an answer, else `fallback`; a categorical either way.
    Compared on the categories' codes: no million Python strings when nothing is missing."""
    empty = (primary.isna() | primary.eq("")).to_numpy()
    if not empty.any():
        return primary if isinstance(primary.dtype, pd.CategoricalDtype) else primary.astype("category")
    return _text(primary).where(~empty, _text(fallback)).astype("category")


def _text(column: pd.Series) -> pd.Series:
    return column.astype(object).fillna("").astype(str)


def _attach(members: pd.DataFrame, households: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Members of the kept households, with their household's columns and survey year.

    A sorted lookup instead of a merge: millions of members against a million households."""
    ids = households["submission_id"].to_numpy()
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    member_ids = members["submission_id"].to_numpy()
    slot = np.clip(np.searchsorted(sorted_ids, member_ids), 0, max(len(sorted_ids) - 1, 0))
    kept = (sorted_ids[slot] == member_ids) if len(sorted_ids) else np.zeros(len(members), dtype=bool)
    rows = order[slot[kept]]
    out = members if kept.all() else rows_where(members, kept)
    added = {}
    for column in columns:
        source = households[column]
        if isinstance(source.dtype, pd.CategoricalDtype):
            # Take the integer codes, not the values: no re-factorising millions of strings.
            added[column] = pd.Categorical.from_codes(source.cat.codes.to_numpy()[rows], dtype=source.dtype)
        else:
            added[column] = source.to_numpy()[rows]
    added["survey_year"] = households["survey_date"].dt.year.to_numpy()[rows]
    return out.assign(**added)


def _latest_per_household(households: pd.DataFrame) -> pd.DataFrame:
    """One row per household code and round: a revisit replaces the first interview."""
    key = ["round", "hamlet", "ma_ho"]
    coded = households["ma_ho"].astype(object).fillna("").to_numpy() != ""
    repeated = households.duplicated(key, keep=False).to_numpy() & coded
    if not repeated.any():
        return households
    # Only the revisited households need ordering: keep the latest interview of each, and
    # every other row where it is (a mask, not a concat and a re-sort of a million rows).
    revisits = households.loc[repeated, key + ["survey_date", "received_at", "submission_id"]]
    revisits = revisits.sort_values(["survey_date", "received_at", "submission_id"], na_position="first")
    latest = revisits.drop_duplicates(key, keep="last").index
    keep = ~repeated | households.index.isin(latest)
    return rows_where(households, keep)


def _latest_per_stall(frames_stalls: pd.DataFrame, rounds: Sequence[Round] | None) -> pd.DataFrame:
    """One row per stall and round (data dictionary: the latest `pl_cho` per market,
    upper-cased `sap_so` and round): a stall interviewed twice counts once, with its latest
    interview. A stall without a number cannot be matched and counts on its own."""
    stalls = frames_stalls.copy()
    stalls["round"] = rounds_assign(stalls["survey_date"], stalls["survey_round"], rounds)
    stalls = rows_where(stalls, stalls["round"].ne(UNASSIGNED))
    stalls["hamlet"] = stalls["ap_cu_tru"]
    number = _text(stalls["sap_so"]).str.strip().str.upper()
    stalls["stall_key"] = number
    key = ["round", "cho", "stall_key"]
    numbered = (number != "").to_numpy()
    repeated = stalls.duplicated(key, keep=False).to_numpy() & numbered
    if repeated.any():
        ordered = stalls.loc[repeated, key + ["survey_date", "received_at", "submission_id"]].sort_values(
            ["survey_date", "received_at", "submission_id"], na_position="first"
        )
        latest = ordered.drop_duplicates(key, keep="last").index
        stalls = rows_where(stalls, ~repeated | stalls.index.isin(latest))
    return stalls.drop(columns="stall_key").reset_index(drop=True)


def _assessments(frames: Frames, rounds: Sequence[Round] | None) -> pd.DataFrame:
    assessments = frames.assessments.copy()
    date = assessments["ngay_dg"].fillna(assessments["survey_date"])
    assessments["round"] = rounds_assign(date, assessments["survey_round"], rounds)
    assessments = rows_where(assessments, assessments["round"].ne(UNASSIGNED))
    assessments["hamlet"] = assessments["hamlet_code"].where(assessments["hamlet_code"] != "", assessments["ap"])
    assessments = assessments.sort_values(["ngay_dg", "received_at", "submission_id"], na_position="first")
    # The latest assessment of a hamlet in a round is its assessment for that round.
    assessments = assessments.drop_duplicates(["hamlet", "round"], keep="last")

    points = frames.test_points
    by_point = (
        points.assign(
            ok=points["dd_song"].isin(["4g", "5g"]).astype(float),
            g5=points["dd_song"].eq("5g").astype(float),
        )
        .groupby("submission_id")
        .agg(n_points=("ok", "size"), n_points_4g5g=("ok", "sum"), n_points_5g=("g5", "sum"))
    )
    models = _one_row_per_model(frames.agri_models)
    by_model = (
        models.assign(verified=models["mh_xac_minh"].eq("co").astype(float))
        .groupby("submission_id")
        .agg(n_models=("verified", "size"), n_models_verified=("verified", "sum"))
    )
    assessments = assessments.join(by_point, on="submission_id").join(by_model, on="submission_id")
    for column in ("n_points", "n_points_4g5g", "n_points_5g", "n_models", "n_models_verified"):
        assessments[column] = assessments[column].fillna(0.0)
    return assessments.reset_index(drop=True)


def _one_row_per_model(models: pd.DataFrame) -> pd.DataFrame:
    """A model listed twice in one assessment (same name, any case or spacing) is one model,
    as its last listing says. Unnamed listings cannot be matched and count on their own.
    Test points need no such rule: each `diem_do` instance is a measurement of its own."""
    if models.empty:
        return models
    name = _text(models["mh_ten"]).map(lambda v: unicodedata.normalize("NFC", " ".join(v.split())).casefold())
    key = pd.DataFrame({"submission_id": models["submission_id"].to_numpy(), "name": name.to_numpy()})
    duplicate = key.duplicated(keep="last").to_numpy() & (name != "").to_numpy()
    return rows_where(models, ~duplicate)
