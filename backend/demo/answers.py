"""Answers of one household, one market stall and one hamlet assessment (pure: numpy).

Each function returns a flat dict keyed by field name (names are unique within a form;
a repeat's name maps to a list of dicts). Answers are written consistently with the form's
relevance; `xform_fill.instance_xml` still drops whatever is not relevant and checks the rest.
"""

from __future__ import annotations

import numpy as np

from backend.demo.population import HamletPlan, household_size, member_ages, rate


def _pick(rng: np.random.Generator, options: list[str], weights: list[float] | None = None) -> str:
    if weights is None:
        return options[int(rng.integers(len(options)))]
    w = np.asarray(weights, dtype=float)
    return options[int(rng.choice(len(options), p=w / w.sum()))]


def _some(rng: np.random.Generator, options: list[str], p: float, at_least: int = 1) -> list[str]:
    chosen = [o for o in options if rng.random() < p]
    while len(chosen) < at_least:
        extra = _pick(rng, options)
        if extra not in chosen:
            chosen.append(extra)
    return [o for o in options if o in chosen]  # choice order, as Collect writes them


def yes(flag: bool) -> str:
    return "co" if flag else "khong"


def household_answers(
    *, hamlet: HamletPlan, serial: int, year: int, rng: np.random.Generator, volunteer_code: str, geopoint: str
) -> dict:
    consent = rng.random() < 0.97
    answers = {
        "tnv_ma": volunteer_code,
        "ap": hamlet.code,
        # a first visit (the generator turns later rounds into follow-ups of the listed household)
        "ho_trong_ds": "khong",
        "ma_ho": f"{hamlet.index % 100:02d}-{serial % 10000:04d}",
        "vi_tri": geopoint,
        "ket_qua": "gap",
        "dong_y": yes(consent),
    }
    if not consent:
        return answers
    minority = rng.random() < hamlet.minority_share
    ages = member_ages(household_size(rng), rng)
    adults = [a for a in ages if a >= 15]
    members = [
        _member(age, hamlet=hamlet, year=year, minority=minority, rng=rng, head=i == 0) for i, age in enumerate(adults)
    ]
    any_smartphone = any(m["tv_dtdm"] == "co" for m in members)
    farming = rng.random() < 0.55
    business = rng.random() < 0.15
    heard_info = rng.random() < rate("nq57_info", hamlet=hamlet, year=year, minority=minority)
    channels = _some(
        rng, ["loa", "zalo_ap", "trang_xa", "bang_tin", "hop_ap", "to_cnscd", "bao_dai", "mxh_khac", "sms"], 0.25
    )
    zalo = rng.random() < rate("zalo_group", hamlet=hamlet, year=year, minority=minority)
    answers.update(
        {
            "nguoi_tl": _pick(rng, ["chu_ho", "vo_chong", "con", "khac"], [0.6, 0.3, 0.08, 0.02]),
            "so_tv": str(len(ages)),
            "so_tv_15": str(len(adults)),
            "ho_kd": yes(business),
            "ho_kd_cho": yes(business and rng.random() < 0.3),
            "ho_nn": yes(farming),
            "internet_cd": (
                "cap_quang"
                if rng.random() < rate("fibre", hamlet=hamlet, year=year, minority=minority)
                else _pick(rng, ["wifi_sim", "cap_dong", "khong", "kbiet"], [0.35, 0.05, 0.55, 0.05])
            ),
            "song_dd": (
                _pick(rng, ["4g_tot", "5g"], [0.85, 0.15])
                if rng.random() < rate("g4_good", hamlet=hamlet, year=year)
                else _pick(rng, ["4g_yeu", "2g3g", "khong"], [0.7, 0.25, 0.05])
            ),
            "so_dtdm": str(sum(m["tv_dtdm"] == "co" for m in members)),
            "dia_chi_so_ho": _pick(rng, ["co", "khong", "kbiet"], [0.3 + 0.1 * (year - 2025), 0.5, 0.2]),
            "tt_57": yes(heard_info) if rng.random() > 0.03 else "kbiet",
            "tt_57_kenh": channels[:2],
            "kenh_tt_30": channels if rng.random() > 0.08 else ["khong_nhan"],
            "zalo_ap": yes(zalo),
            "nghe_loa": (
                "ro"
                if rng.random() < rate("loudspeaker", hamlet=hamlet, year=year)
                else _pick(rng, ["khong_ro", "khong", "khong_co"], [0.5, 0.3, 0.2])
            ),
            "tv": members,
            "ho_hoa_don": (
                _some(rng, ["dien", "nuoc", "internet_dt", "hoc_phi", "vien_phi", "bhxh_bhyt", "thue_phi"], 0.3)
                if any(m.get("tv_ttkdtm_30") == "co" for m in members)
                else ["khong"]
            ),
            "rao_can": (
                ["khong_kho"]
                if any_smartphone and rng.random() < 0.4
                else _some(
                    rng,
                    ["khong_dtdm", "khong_biet", "lua_dao", "chi_phi", "song_yeu", "suc_khoe", "thu_tuc", "khong_can"],
                    0.2,
                )
            ),
            "ho_tro_12": yes(rng.random() < 0.3 + (0.15 if hamlet.pilot else 0)),
            "ho_tro_nd": _some(rng, ["vneid", "dvc", "thanh_toan", "chu_ky_so", "lua_dao", "bdhvs"], 0.3),
            "nhu_cau_ht": (
                ["khong"]
                if rng.random() < 0.3
                else _some(rng, ["vneid", "dvc", "thanh_toan", "chu_ky_so", "lua_dao", "tmdt", "bdhvs", "y_te"], 0.2)
            ),
            "nn_cn": (
                ["khong"]
                if rng.random() < 0.8
                else _some(rng, ["tuoi_tu_dong", "iot", "drone", "truy_xuat", "ban_online", "camera", "phan_mem"], 0.2)
            ),
        }
    )
    return answers


def _member(age: int, *, hamlet: HamletPlan, year: int, minority: bool, rng: np.random.Generator, head: bool) -> dict:
    old = age >= 60
    r = {
        name: rate(name, hamlet=hamlet, year=year, old=old, minority=minority)
        for name in ("smartphone", "vneid2", "account", "cashless30", "dvc12", "bdhvs")
    }
    smartphone = rng.random() < r["smartphone"]
    # Accounts and cashless use mostly go with a smartphone; the rates are kept near their
    # targets overall by conditioning on it.
    account = rng.random() < (min(0.98, r["account"] / max(r["smartphone"], 0.05)) if smartphone else 0.15)
    cashless = account and rng.random() < min(0.98, r["cashless30"] / max(r["account"], 0.05))
    dvc = rng.random() < r["dvc12"] * (1.2 if smartphone else 0.3)
    uses = (
        _some(
            rng,
            [
                "goi_nhan",
                "tin_tuc",
                "dvc",
                "thanh_toan",
                "mua_sam",
                "ban_hang",
                "hoc_tap",
                "y_te",
                "nong_nghiep",
                "giai_tri",
            ],
            0.35,
        )
        if smartphone
        else []
    )
    if smartphone and cashless and "thanh_toan" not in uses:
        uses = [
            u
            for u in [
                "goi_nhan",
                "tin_tuc",
                "dvc",
                "thanh_toan",
                "mua_sam",
                "ban_hang",
                "hoc_tap",
                "y_te",
                "nong_nghiep",
                "giai_tri",
            ]
            if u in uses or u == "thanh_toan"
        ]
    accounts = _some(rng, ["nh_app", "nh_the", "vi_dt", "mobile_money"], 0.3) if account else ["khong"]
    return {
        "tv_gt": _pick(rng, ["nam", "nu"]) if not head else _pick(rng, ["nam", "nu"], [0.7, 0.3]),
        "tv_nam_sinh": str(year - age),
        "tv_dtdm": yes(smartphone),
        "tv_dt_dung": uses,
        "tv_vneid": ("muc2" if rng.random() < r["vneid2"] else _pick(rng, ["muc1", "chua", "kbiet"], [0.5, 0.4, 0.1])),
        "tv_tk": accounts,
        "tv_ttkdtm_30": yes(cashless),
        "tv_tt_md": _some(
            rng, ["cho_qr", "hoa_don", "giao_duc_yte", "dvc_phi", "chuyen_tien", "mua_online", "nhan_tien"], 0.3
        ),
        "tv_dvc_12": yes(dvc),
        "tv_dvc_cach": _pick(rng, ["tu_lam", "nguoi_nha", "to_cnscd", "tai_trung_tam"], [0.4, 0.2, 0.2, 0.2]),
        "tv_bdhvs": yes(rng.random() < r["bdhvs"]),
        "tv_ttcs_30": yes(smartphone and rng.random() < 0.5),
        "tv_cks": yes(smartphone and rng.random() < 0.1),
    }


def stall_answers(
    *,
    number: int,
    year: int,
    rng: np.random.Generator,
    volunteer_code: str,
    market_code: str,
    hamlet_codes: list[str],
    geopoint: str,
    boost: float = 0.0,
) -> dict:
    consent = rng.random() < 0.95
    answers = {
        "tnv_ma": volunteer_code,
        "cho": market_code,
        "sap_so": f"S{number:03d}",
        "vi_tri": geopoint,
        "dong_y": yes(consent),
    }
    if not consent:
        return answers
    gain = 0.05 * (year - 2025) + boost
    accepts = rng.random() < min(0.98, 0.70 + gain)
    qr = accepts and rng.random() < min(0.98, 0.65 / 0.70 + gain)
    methods = ["qr_tinh"] if qr else []
    methods += [m for m in ["stk", "vi_dt", "mobile_money", "the_pos"] if rng.random() < 0.25]
    if accepts and not methods:
        methods = ["stk"]
    transactions = int(rng.poisson(25)) if accepts and rng.random() < (0.55 + gain) / 0.70 else 0
    local = rng.random() < 0.85
    business_type = _pick(rng, ["hkd_dk", "tieu_thuong", "dn_htx", "theo_phien"], [0.45, 0.4, 0.05, 0.1])
    answers.update(
        {
            "cu_tru_xa": yes(local),
            "ap_cu_tru": _pick(rng, hamlet_codes) if local else "",
            "loai": business_type,
            "nganh": _pick(
                rng, ["rau_qua", "thit_ca", "tap_hoa", "may_mac", "an_uong", "vat_tu_nn", "dich_vu", "khac"]
            ),
            "so_ngay": str(int(rng.integers(3, 8))),
            "co_dtdm": yes(accepts or rng.random() < 0.6),
            "nhan_kdtm": yes(accepts),
            "ht_nhan": methods,
            "qr_hien_thi": yes(qr and rng.random() < 0.9),
            "loa_bao": yes(rng.random() < 0.4),
            "gd_7ngay": str(min(transactions, 5000)),
            "ty_le_dt": _pick(rng, ["lt10", "10_30", "30_50", "50_70", "gt70"], [0.35, 0.3, 0.2, 0.1, 0.05]),
            "phi_cho_kdtm": yes(rng.random() < 0.3 + gain),
            "ly_do_chua": _some(
                rng,
                ["khach_khong_dung", "khong_biet", "lua_dao", "phi", "thue", "khong_dtdm", "tien_ve_cham", "khong_can"],
                0.25,
            ),
            "san_sang": yes(rng.random() < 0.6),
            "ban_online": yes(rng.random() < 0.15),
            "ban_online_kenh": _some(rng, ["zalo", "facebook", "tiktok", "shopee", "khac"], 0.4),
            "hd_dien_tu": _pick(rng, ["co", "khong", "kbiet"], [0.3, 0.6, 0.1]),
            "bi_lua": yes(rng.random() < 0.08),
            "nhu_cau_ht": ["khong"] if rng.random() < 0.4 else _some(rng, ["thanh_toan", "lua_dao", "tmdt"], 0.4),
        }
    )
    return answers


def assessment_answers(
    *,
    hamlet: HamletPlan,
    year: int,
    rng: np.random.Generator,
    volunteer_code: str,
    day: str,
    test_points: list[str],
    model_points: list[str],
) -> dict:
    strong = hamlet.pilot or rng.random() < 0.3 + 0.15 * (year - 2025)
    business = int(rng.integers(5, 40))
    has_team = strong or rng.random() < 0.5
    models = int(rng.integers(1, 4)) if strong else int(rng.integers(0, 2))
    speaker_weights = [0.9, 0.1, 0, 0] if strong else [0.5, 0.2, 0.2, 0.1]
    speaker = _pick(rng, ["loa_cntt", "loa_fm", "loa_day", "khong"], speaker_weights)
    return {
        "ap": hamlet.code,
        "tnv_ma": volunteer_code,
        "nguoi_cc": ["truong_ap"] + (["to_truong_cnscd"] if has_team else []),
        "ngay_dg": day,
        "so_ho": str(max(1, min(5000, hamlet.households))),
        "so_nk": str(max(1, min(50000, round(hamlet.households * 3.8)))),
        "so_hkd": str(business),
        "so_hkd_kdtm": str(int(business * min(0.98, rng.uniform(0.4, 0.7) + (0.2 if strong else 0)))),
        "to_cnscd": yes(has_team),
        "to_co_qd": yes(has_team and rng.random() < 0.8),
        "to_qd_so": f"{int(rng.integers(10, 300))}/QĐ-UBND",
        "to_so_tv": str(int(rng.integers(3, 12))),
        "to_co_doan": yes(rng.random() < 0.9),
        "to_hd_3t": str(int(rng.integers(3, 30))),
        "to_thang_hd": str(int(rng.integers(2, 4))),
        "zalo_ap": yes(strong or rng.random() < 0.7),
        "zalo_tv": str(int(hamlet.households * rng.uniform(0.4, 0.9)) + 1),
        "loa": speaker,
        "so_cum_loa": str(int(rng.integers(2, 12))),
        "loa_pham_vi": _pick(rng, ["tat_ca", "phan_lon", "mot_phan"], [0.5, 0.35, 0.15]),
        "bang_tin": yes(strong or rng.random() < 0.5),
        "wifi_nvh": yes(strong or rng.random() < 0.4),
        "wifi_mbps": f"{rng.uniform(20, 150):.1f}",
        "phu_cap_quang": _pick(rng, ["tat_ca", "phan_lon", "mot_phan"], [0.4, 0.4, 0.2]),
        "so_diem_do": str(len(test_points)),
        "diem_do": [
            {
                "dd_vitri": point,
                "dd_song": (song := _pick(rng, ["4g", "5g", "3g"], [0.8, 0.12, 0.08])),
                "dd_mbps": f"{rng.uniform(5, 80) if song != '3g' else rng.uniform(0.5, 3):.1f}",
            }
            for point in test_points
        ],
        "so_mh_nn": str(models),
        "mo_hinh_nn": [
            {
                "mh_ten": f"Mô hình {i + 1} ấp {hamlet.name}",
                "mh_chu_the": _pick(rng, ["ho", "tth", "htx", "dn"], [0.6, 0.15, 0.2, 0.05]),
                "mh_cn": _some(
                    rng, ["tuoi_tu_dong", "iot", "drone", "truy_xuat", "ban_online", "camera", "phan_mem"], 0.25
                ),
                "mh_quy_mo": f"{rng.uniform(0.5, 20):.1f}",
                "mh_xac_minh": yes(rng.random() < 0.8),
                "mh_vitri": model_points[i % len(model_points)],
            }
            for i in range(models)
        ],
        "so_camera": str(int(rng.integers(0, 8)) + (4 if strong else 0)),
        "camera_ca": yes(rng.random() < 0.6),
        "dia_chi_so": _pick(rng, ["tat_ca", "phan_lon", "mot_phan", "khong"], [0.1, 0.3, 0.4, 0.2]),
    }
