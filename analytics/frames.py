"""Submissions (parsed JSON) → typed DataFrames, one per unit of analysis.

The selector in `backend/reports/selectors.py` hands us either parsed JSON documents (the
simple path, used by tests and small data) or raw string columns it already extracted with
PostgreSQL JSON operators (the fast path). Both meet in `frames_typed`, so typing and
cleaning happen in one place.

Fields are located by name, not by group path: XLSForm names are unique within a form, and
the forms' authors may regroup questions between versions without changing their meaning.
Repeat groups are lists of dicts in the parsed JSON; their rows keep the submission id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

# form_id values of the commune's three forms (forms_xlsform/README.md).
HOUSEHOLD_FORM = "pl_ho"
STALL_FORM = "pl_cho"
ASSESSMENT_FORM = "pl_kdc"

# Columns every frame carries from the Submission row (typed columns, not JSON).
META_COLUMNS = [
    "submission_id",
    "form_id",
    "hamlet_code",
    "lat",
    "lon",
    "accuracy",
    "survey_date",
    "survey_round",  # the round the submission was assigned to by hand ("" = by its survey date)
    "received_at",
]

# Only the fields the indicator catalogue needs: at province scale every extra column costs
# memory and transfer time.
HOUSEHOLD_FIELDS = [
    "ap",
    "ma_ho",
    "dong_y",
    "so_tv",
    "so_tv_15",
    "ho_kd",
    "ho_nn",
    "internet_cd",
    "song_dd",
    "dia_chi_so_ho",
    "tt_57",
    "kenh_tt_30",
    "zalo_ap",
    "nghe_loa",
    "dot_ks",
]
MEMBER_REPEAT = "tv"
MEMBER_FIELDS = [
    "tv_nam_sinh",
    "tv_dtdm",
    "tv_dt_dung",
    "tv_vneid",
    "tv_tk",
    "tv_ttkdtm_30",
    "tv_dvc_12",
    "tv_bdhvs",
    "tv_ttcs_30",
]
STALL_FIELDS = ["cho", "sap_so", "dong_y", "ap_cu_tru", "nhan_kdtm", "gd_7ngay", "qr_hien_thi", "dot_ks"]
ASSESSMENT_FIELDS = [
    "ap",
    "ngay_dg",
    "dot_ks",
    "so_ho",
    "so_nk",
    "so_hkd",
    "so_hkd_kdtm",
    "to_cnscd",
    "to_co_qd",
    "to_co_doan",
    "to_thang_hd",
    "zalo_ap",
    "loa",
    "loa_pham_vi",
    "wifi_nvh",
    "wifi_mbps",
    "so_camera",
    "camera_ca",
    "dia_chi_so",
    "so_mh_nn",
]
TEST_POINT_REPEAT = "diem_do"
TEST_POINT_FIELDS = ["dd_song", "dd_mbps"]
AGRI_MODEL_REPEAT = "mo_hinh_nn"
AGRI_MODEL_FIELDS = ["mh_ten", "mh_xac_minh"]

INTEGER_FIELDS = {
    "so_tv",
    "so_tv_15",
    "tv_nam_sinh",
    "gd_7ngay",
    "so_ho",
    "so_nk",
    "so_hkd",
    "so_hkd_kdtm",
    "to_thang_hd",
    "so_camera",
    "so_mh_nn",
}
DECIMAL_FIELDS = {"wifi_mbps", "dd_mbps"}

# The repeats of each form and the fields wanted from each instance.
REPEATS: dict[str, dict[str, list[str]]] = {
    HOUSEHOLD_FORM: {MEMBER_REPEAT: MEMBER_FIELDS},
    STALL_FORM: {},
    ASSESSMENT_FORM: {TEST_POINT_REPEAT: TEST_POINT_FIELDS, AGRI_MODEL_REPEAT: AGRI_MODEL_FIELDS},
}
FIELDS: dict[str, list[str]] = {
    HOUSEHOLD_FORM: HOUSEHOLD_FIELDS,
    STALL_FORM: STALL_FIELDS,
    ASSESSMENT_FORM: ASSESSMENT_FIELDS,
}
# Every frame by its key: a form's own rows (keyed by form_id) or one of its repeats.
FRAME_FIELDS: dict[str, list[str]] = {
    **FIELDS,
    **{repeat: fields for repeats in REPEATS.values() for repeat, fields in repeats.items()},
}


@dataclass
class RawFrames:
    """String columns exactly as in the XML ('' for empty), plus typed meta columns."""

    households: pd.DataFrame
    members: pd.DataFrame
    stalls: pd.DataFrame
    assessments: pd.DataFrame
    test_points: pd.DataFrame
    agri_models: pd.DataFrame
    # Submissions the reader could not take answers for (never extracted, or extracted from
    # another version or field layout): the caller extracts them again and reads once more.
    unprojected: list[int] = field(default_factory=list)


@dataclass
class Frames:
    households: pd.DataFrame
    members: pd.DataFrame
    stalls: pd.DataFrame
    assessments: pd.DataFrame
    test_points: pd.DataFrame
    agri_models: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def leaf_values(doc: Mapping, names: Iterable[str]) -> dict[str, str]:
    """The leaves named `names` anywhere in `doc` outside repeats ('' when absent)."""
    wanted = set(names)
    found: dict[str, str] = {}
    stack = [doc]
    while stack:
        node = stack.pop()
        for key, value in node.items():
            if isinstance(value, Mapping):
                stack.append(value)
            elif isinstance(value, list):
                continue  # a repeat: its fields belong to another unit
            elif key in wanted and key not in found:
                found[key] = "" if value is None else str(value)
    return {name: found.get(name, "") for name in names}


def repeat_instances(doc: Mapping, repeat: str) -> list[Mapping]:
    """The instances of the repeat named `repeat`, wherever its group sits."""
    stack = [doc]
    while stack:
        node = stack.pop()
        for key, value in node.items():
            if key == repeat and isinstance(value, list):
                return [v for v in value if isinstance(v, Mapping)]
            if isinstance(value, Mapping):
                stack.append(value)
    return []


@dataclass
class Answers:
    """The answers one submission gives to the fields the catalogue reads: its own fields
    and, per repeat, one dict per instance in order. Strings exactly as in the XML."""

    fields: dict[str, str]
    repeats: dict[str, list[dict[str, str]]]


def answers_extract(form_id: str, parsed: Mapping) -> Answers:
    """What the catalogue needs of one parsed submission of `form_id` (one of FIELDS)."""
    return Answers(
        fields=leaf_values(parsed, FIELDS[form_id]),
        repeats={
            repeat: [leaf_values(instance, fields) for instance in repeat_instances(parsed, repeat)]
            for repeat, fields in REPEATS[form_id].items()
        },
    )


def answers_layout(form_id: str) -> str:
    """A short fingerprint of the field lists of `form_id` and its repeats: answers stored
    under another layout were extracted for another catalogue and must be extracted again."""
    declared = json.dumps([FIELDS[form_id], sorted(REPEATS[form_id].items())])
    return hashlib.sha256(declared.encode()).hexdigest()[:12]


def raw_from_records(records: Iterable[Mapping]) -> RawFrames:
    """Flatten records {meta columns…, "parsed": dict} into string frames.

    The simple path: fine for tests and a commune; the selector's SQL path avoids building
    Python dicts at province scale.
    """
    rows: dict[str, list[dict]] = {HOUSEHOLD_FORM: [], STALL_FORM: [], ASSESSMENT_FORM: []}
    repeat_rows: dict[str, list[dict]] = {MEMBER_REPEAT: [], TEST_POINT_REPEAT: [], AGRI_MODEL_REPEAT: []}
    for record in records:
        form_id = record["form_id"]
        if form_id not in FIELDS:
            continue
        answers = answers_extract(form_id, record.get("parsed") or {})
        meta = {name: record.get(name) for name in META_COLUMNS}
        rows[form_id].append({**meta, **answers.fields})
        for repeat, instances in answers.repeats.items():
            for position, instance in enumerate(instances, start=1):
                repeat_rows[repeat].append({"submission_id": record["submission_id"], "position": position, **instance})
    return RawFrames(
        households=_frame(rows[HOUSEHOLD_FORM], META_COLUMNS + HOUSEHOLD_FIELDS),
        members=_frame(repeat_rows[MEMBER_REPEAT], ["submission_id", "position"] + MEMBER_FIELDS),
        stalls=_frame(rows[STALL_FORM], META_COLUMNS + STALL_FIELDS),
        assessments=_frame(rows[ASSESSMENT_FORM], META_COLUMNS + ASSESSMENT_FIELDS),
        test_points=_frame(repeat_rows[TEST_POINT_REPEAT], ["submission_id", "position"] + TEST_POINT_FIELDS),
        agri_models=_frame(repeat_rows[AGRI_MODEL_REPEAT], ["submission_id", "position"] + AGRI_MODEL_FIELDS),
    )


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def frames_typed(raw: RawFrames) -> Frames:
    """Type the columns: numbers to numbers (bad or empty → NaN), text stripped, dates parsed."""
    return Frames(
        households=_typed(raw.households),
        members=_typed(raw.members),
        stalls=_typed(raw.stalls),
        assessments=_typed(raw.assessments),
        test_points=_typed(raw.test_points),
        agri_models=_typed(raw.agri_models),
    )


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for name in frame.columns:
        column = frame[name]
        categorical = isinstance(column.dtype, pd.CategoricalDtype)
        if name in INTEGER_FIELDS or name in DECIMAL_FIELDS or name in ("lat", "lon", "accuracy"):
            out[name] = _per_category(column, lambda c: pd.to_numeric(c, errors="coerce").astype("float64"))
        elif name in ("submission_id", "position"):
            out[name] = pd.to_numeric(column, errors="coerce").astype("int64")
        elif name == "received_at":
            out[name] = _epoch_seconds(column)
        elif name in ("survey_date", "ngay_dg"):
            out[name] = _per_category(column, _dates)
        elif categorical:
            out[name] = _stripped_categories(column)
        else:
            out[name] = column.fillna("").astype(str).str.strip() if len(column) else column.astype(object)
    return pd.DataFrame(out, columns=frame.columns, index=frame.index)


def _per_category(column: pd.Series, convert) -> pd.Series:
    """Convert the distinct values once and spread them back (fast on categoricals)."""
    if not isinstance(column.dtype, pd.CategoricalDtype) or (column.cat.codes < 0).any():
        return convert(column.astype(object))
    categories = pd.Series(column.cat.categories, dtype=object)
    if categories.empty:
        return convert(column.astype(object))
    converted = convert(categories)
    values = converted.to_numpy()[column.cat.codes.to_numpy()]
    return pd.Series(values, index=column.index).astype(converted.dtype)


def _stripped_categories(column: pd.Series) -> pd.Series:
    categories = column.cat.categories
    stripped = pd.Index(categories.astype(str).str.strip())
    if stripped.equals(categories):
        return column
    if stripped.is_unique:
        return column.cat.rename_categories(stripped)
    return column.astype(str).str.strip().astype("category")


def _epoch_seconds(column: pd.Series) -> pd.Series:
    """Receipt times only order revisits: seconds since the epoch are enough and cheap."""
    if pd.api.types.is_numeric_dtype(column):
        return column.astype("float64")
    values = pd.to_datetime(column, errors="coerce", utc=True, format="mixed")
    seconds = (values - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    return seconds.astype("float64")


def _dates(column: pd.Series) -> pd.Series:
    # Aware datetimes are converted to the commune's local date: a survey on 31/12 at 23:00
    # in Vietnam belongs to that year, not to the next UTC day.
    values = pd.to_datetime(column, errors="coerce", utc=True, format="mixed")
    return values.dt.tz_convert("Asia/Ho_Chi_Minh").dt.tz_localize(None).dt.normalize()
