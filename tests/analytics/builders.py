"""Small hand-built submissions in the shape of SubmissionVersion.parsed (groups as dicts,
repeats as lists, leaves as strings)."""

from __future__ import annotations

import itertools
from datetime import date

_ids = itertools.count(1)


def member(
    *,
    born="1980",
    smartphone="co",
    uses="goi_nhan dvc tin_tuc",
    vneid="muc2",
    accounts="nh_app",
    cashless="co",
    dvc="khong",
    bdhvs="co",
    official_info="co",
) -> dict:
    return {
        "tv_ten": "A",
        "tv_gt": "nam",
        "tv_nam_sinh": born,
        "tv_dtdm": smartphone,
        "tv_dt_dung": uses if smartphone == "co" else "",
        "tv_vneid": vneid,
        "tv_tk": accounts,
        "tv_ttkdtm_30": cashless,
        "tv_dvc_12": dvc,
        "tv_bdhvs": bdhvs,
        "tv_ttcs_30": official_info,
    }


def household(
    hamlet="AP01",
    *,
    members=None,
    consent="co",
    code=None,
    lat=None,
    lon=None,
    accuracy=None,
    day=date(2025, 10, 1),
    survey_round="",
    tt_57="co",
    zalo="co",
    loudspeaker="ro",
    internet="cap_quang",
    address="co",
    channels="loa zalo_ap",
) -> dict:
    members = [member()] if members is None else members
    submission_id = next(_ids)
    parsed = {
        "tnv_ma": "TNV01",
        "ap": hamlet,
        "ma_ho": code or f"{submission_id % 100:02d}-{submission_id:04d}",
        "dong_y": consent,
        "dot_ks": str(day.year) if day else "",
        "ho": {
            "nguoi_tl": "chu_ho",
            "so_tv": str(len(members) + 1),
            "so_tv_15": str(len(members)),
            "ho_kd": "khong",
            "ho_nn": "co",
        },
        "ket_noi": {"internet_cd": internet, "song_dd": "4g_tot", "so_dtdm": "2", "dia_chi_so_ho": address},
        "thong_tin": {"tt_57": tt_57, "kenh_tt_30": channels, "zalo_ap": zalo, "nghe_loa": loudspeaker},
        "tv": members if consent == "co" else [],
        "meta": {"instanceID": f"uuid:{submission_id}"},
    }
    return {
        "submission_id": submission_id,
        "form_id": "pl_ho",
        "hamlet_code": hamlet,
        "lat": lat,
        "lon": lon,
        "accuracy": accuracy,
        "survey_date": day,
        "survey_round": survey_round,
        "received_at": None,
        "parsed": parsed,
    }


def stall(*, accepts="co", transactions="3", consent="co", day=date(2025, 10, 2), number=None) -> dict:
    submission_id = next(_ids)
    answered = consent == "co"
    parsed = {
        "cho": "CHO01",
        "sap_so": f"S{submission_id}" if number is None else number,
        "dong_y": consent,
        "nhan_kdtm": accepts if answered else "",
        "gd_7ngay": transactions if accepts == "co" and answered else "",
        "qr_hien_thi": "co",
    }
    return {
        "submission_id": submission_id,
        "form_id": "pl_cho",
        "hamlet_code": "",
        "lat": None,
        "lon": None,
        "accuracy": None,
        "survey_date": day,
        "survey_round": "",
        "received_at": None,
        "parsed": parsed,
    }


def assessment(
    hamlet="AP01",
    *,
    team=True,
    zalo="co",
    loudspeaker="loa_cntt",
    wifi="co",
    points=("4g",) * 5,
    businesses="10",
    cashless_businesses="9",
    models=("co",),
    model_names=None,
    cameras="2",
    camera_linked="co",
    day=date(2025, 10, 5),
) -> dict:
    submission_id = next(_ids)
    parsed = {
        "ap": hamlet,
        "ngay_dg": day.isoformat(),
        "dot_ks": str(day.year),
        "quy_mo": {
            "so_ho": "100",
            "so_nk": "380",
            "so_hkd": businesses,
            "so_hkd_kdtm": cashless_businesses if businesses != "0" else "",
        },
        "to_chuc": {
            "to_cnscd": "co" if team else "khong",
            "to_co_qd": "co" if team else "",
            "to_co_doan": "co" if team else "",
            "to_thang_hd": "3" if team else "",
        },
        "truyen_thong": {"zalo_ap": zalo, "loa": loudspeaker, "loa_pham_vi": "tat_ca"},
        "ha_tang": {
            "wifi_nvh": wifi,
            "so_diem_do": str(len(points)),
            "diem_do": [{"dd_vitri": "10.9 107.3 0 5", "dd_song": s, "dd_mbps": "20"} for s in points],
        },
        "nong_nghiep": {
            "so_mh_nn": str(len(models)),
            "mo_hinh_nn": [
                {"mh_ten": name, "mh_chu_the": "ho", "mh_cn": "tuoi_tu_dong", "mh_xac_minh": v}
                for name, v in zip(model_names or [f"Mô hình {n}" for n in range(len(models))], models, strict=True)
            ],
        },
        "an_ninh": {
            "so_camera": cameras,
            "camera_ca": camera_linked if cameras != "0" else "",
            "dia_chi_so": "phan_lon",
        },
    }
    return {
        "submission_id": submission_id,
        "form_id": "pl_kdc",
        "hamlet_code": hamlet,
        "lat": None,
        "lon": None,
        "accuracy": None,
        "survey_date": day,
        "survey_round": "",
        "received_at": None,
        "parsed": parsed,
    }


def square(lon0: float, lat0: float, size: float) -> dict:
    """A GeoJSON square polygon, `size` degrees wide."""
    ring = [[lon0, lat0], [lon0 + size, lat0], [lon0 + size, lat0 + size], [lon0, lat0 + size], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


def hamlet_rows(*specs) -> list[dict]:
    """specs: (code, registered_households, boundary or None, pilot)."""
    return [
        {
            "code": code,
            "name": f"Ấp {code}",
            "registered_households": registered,
            "population": registered * 4,
            "pilot_dra": pilot,
            "boundary": boundary,
        }
        for code, registered, boundary, pilot in specs
    ]
