"""The indicator catalogue: every criterion of DOMAIN.md §1.9 and every plan target of §0.1.

One entry per indicator. Adding an indicator is adding an entry here: its unit decides the
frame it is computed on (see `units.py`), `flag` turns one unit into 0/1 (NaN = not in the
denominator), `assess` computes hamlet-level criteria from the hamlet assessment, `gate` adds
a hamlet-level precondition (the hamlet must also have the official group, the loudspeaker…).

Answers "Không biết" (kbiet) count as "no": a household that does not know whether it is in
the Zalo group is not reached by it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

# Units: what one row of the denominator is.
HOUSEHOLD = "household"
PERSON15 = "person15"
ADULT18 = "adult18"
STALL = "stall"
HAMLET = "hamlet"
MODEL = "model"
DOSSIER = "dossier"
OFFICIAL = "official"
# Units that describe people: aggregates over them are suppressed below the minimum cell.
PEOPLE_UNITS = {HOUSEHOLD, PERSON15, ADULT18, STALL}
UNIT_LABELS = {
    HOUSEHOLD: ("hộ gia đình", "household"),
    PERSON15: ("người từ 15 tuổi", "person 15+"),
    ADULT18: ("người từ 18 tuổi", "adult 18+"),
    STALL: ("sạp/tiểu thương", "stall"),
    HAMLET: ("ấp", "hamlet"),
    MODEL: ("mô hình", "model"),
    DOSSIER: ("hồ sơ", "dossier"),
    OFFICIAL: ("cán bộ, công chức", "official"),
}

# Kinds: how the value is expressed.
PROPORTION = "proportion"  # value in percent
BINARY = "binary"  # hamlet value 100 (yes) / 0 (no); commune value = % of hamlets
COUNT = "count"  # value is a count
ADMINISTRATIVE = "administrative"  # entered figures (numerator / denominator), percent
DRA_COUNT = "dra_count"  # hamlet value 100 / 0 (meets the digital-residential-area standard); commune = count

MANDATORY = "BB"
OPTIONAL = "TC"
INFO = "info"  # shown, not counted by the overall rule


@dataclass(frozen=True)
class Target:
    op: str  # ">=" or ">"
    value: float
    role: str = INFO  # for criteria: BB / TC at this tier

    def met(self, value: float | None) -> bool | None:
        if value is None or value != value:  # NaN
            return None
        # Percentages come out of divisions; 19/20 must meet "≥ 95" exactly.
        epsilon = 1e-9
        if self.op == ">":
            return value > self.value + epsilon
        return value >= self.value - epsilon

    @property
    def text(self) -> str:
        return f"{self.op} {self.value:g}"


AssessFn = Callable[[pd.DataFrame], tuple[pd.Series, pd.Series]]
FlagFn = Callable[[pd.DataFrame], pd.Series]
GateFn = Callable[[pd.DataFrame, int], pd.Series]


@dataclass(frozen=True)
class Indicator:
    id: str
    label_vi: str
    label_en: str
    unit: str
    kind: str
    source: str
    form: str
    fields: tuple[str, ...]
    numerator: str
    denominator: str
    targets: dict[int, Target]
    group: str = ""
    criterion: bool = False
    direction: str = "up"
    flag: FlagFn | None = None
    assess: AssessFn | None = None
    gate: GateFn | None = None
    gate_text: str = ""
    # Why a hamlet fails the gate, for the row and the scorecard (vi, en).
    gate_failed: tuple[str, str] = ("", "")
    # D1: a hamlet without business households is "not applicable", not "failed".
    not_applicable_when_empty: bool = False
    notes: str = ""
    notes_en: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def administrative(self) -> bool:
        return self.kind == ADMINISTRATIVE

    def target_for(self, year: int | None) -> tuple[int | None, Target | None]:
        """The target that applies to a round of `year`: the first target year not before it,
        else the last one (a 2031 round is judged against 2030)."""
        if not self.targets:
            return None, None
        years = sorted(self.targets)
        if year is None:
            return years[0], self.targets[years[0]]
        for target_year in years:
            if target_year >= year:
                return target_year, self.targets[target_year]
        return years[-1], self.targets[years[-1]]


NO_ASSESSMENT = (
    "Điều kiện: chưa có phiếu đánh giá ấp (KDC) của đợt này.",
    "gate: no hamlet assessment in this round",
)


def gate_reason(indicator: Indicator, *, assessed: bool) -> tuple[str, str]:
    """Why a gated criterion is not met whatever its households say (vi, en)."""
    if not assessed:
        return NO_ASSESSMENT
    vi, en = indicator.gate_failed
    return f"Điều kiện: {vi}.", f"gate: {en}"


def _yes(column: str) -> FlagFn:
    return lambda d: d[column].eq("co").astype(float)


def _binary(condition: Callable[[pd.DataFrame], pd.Series]) -> AssessFn:
    def assess(d: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        return condition(d).astype(float), pd.Series(1.0, index=d.index)

    return assess


def _ratio(numerator: str, denominator: str) -> AssessFn:
    return lambda d: (d[numerator].astype(float), d[denominator].astype(float))


def _count(column: str) -> AssessFn:
    return lambda d: (d[column].fillna(0).astype(float), pd.Series(float("nan"), index=d.index))


def _a1(d: pd.DataFrame) -> pd.Series:
    # Commune decision, a youth-union member, and ≥1 activity in each of the last 3 months.
    return d["to_cnscd"].eq("co") & d["to_co_qd"].eq("co") & d["to_co_doan"].eq("co") & d["to_thang_hd"].fillna(0).ge(3)


def _b1_gate(d: pd.DataFrame, tier: int) -> pd.Series:
    enough_points = d["n_points"].fillna(0).ge(5)
    if tier >= 2030:
        # [P] 2030: at least half of the test points also have 5G.
        with_5g = d["n_points_5g"].fillna(0) / d["n_points"].where(d["n_points"] > 0)
        return enough_points & with_5g.ge(0.5 - 1e-9)
    return enough_points


def _has(column: str, *, absent: tuple[str, ...] = ("", "khong")) -> GateFn:
    return lambda d, tier: ~d[column].fillna("").isin(absent)


def bb(value: float, op: str = ">=") -> Target:
    return Target(op, value, MANDATORY)


def tc(value: float, op: str = ">=") -> Target:
    return Target(op, value, OPTIONAL)


def info(value: float, op: str = ">=") -> Target:
    return Target(op, value, INFO)


CRITERIA: list[Indicator] = [
    Indicator(
        "A1",
        "Ấp có Tổ công nghệ số cộng đồng được UBND xã ra quyết định thành lập, có đoàn viên, hoạt động hằng tháng",
        "Hamlet has a community digital technology team (commune decision, youth member, monthly activity)",
        HAMLET,
        BINARY,
        "KDC",
        "pl_kdc",
        ("to_cnscd", "to_co_qd", "to_co_doan", "to_thang_hd"),
        "Tổ có quyết định, có đoàn viên, hoạt động ≥1 lần/tháng trong 3 tháng",
        "1 ấp",
        {2027: bb(100), 2030: bb(100)},
        group="Tổ chức",
        criterion=True,
        assess=_binary(_a1),
    ),
    Indicator(
        "A2",
        "Tỷ lệ hộ có thành viên tham gia nhóm Zalo chính thức của ấp",
        "Households with a member in the official hamlet Zalo/social group",
        HOUSEHOLD,
        PROPORTION,
        "HGD + KDC",
        "pl_ho",
        ("zalo_ap",),
        "hộ có zalo_ap = co",
        "hộ được khảo sát (đồng ý)",
        {2027: bb(70), 2030: bb(85)},
        group="Truyền thông",
        criterion=True,
        flag=_yes("zalo_ap"),
        gate=_has("zalo_ap"),
        gate_text="ấp có nhóm Zalo chính thức (phiếu KDC)",
        gate_failed=("ấp chưa có nhóm Zalo chính thức (phiếu KDC)", "no official Zalo group"),
    ),
    Indicator(
        "A3",
        "Tỷ lệ hộ nghe được loa truyền thanh tại nhà",
        "Households that can hear the loudspeaker at home",
        HOUSEHOLD,
        PROPORTION,
        "HGD + KDC",
        "pl_ho",
        ("nghe_loa",),
        "hộ có nghe_loa ∈ {ro, khong_ro}",
        "hộ được khảo sát (đồng ý)",
        {2027: bb(80), 2030: bb(90)},
        group="Truyền thông",
        criterion=True,
        flag=lambda d: d["nghe_loa"].isin(["ro", "khong_ro"]).astype(float),
        gate=_has("loa"),
        gate_text="ấp có hệ thống loa truyền thanh (phiếu KDC)",
        gate_failed=("ấp chưa có hệ thống loa truyền thanh (phiếu KDC)", "no loudspeaker system"),
    ),
    Indicator(
        "A4",
        "Tỷ lệ người từ 15 tuổi tiếp cận thông tin chính thống qua hệ thống thông tin cơ sở (30 ngày)",
        "Residents 15+ who received official information via grassroots channels (30 days)",
        PERSON15,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_ttcs_30",),
        "người 15+ có tv_ttcs_30 = co",
        "người 15+ trong các hộ được khảo sát",
        {2027: bb(70), 2030: bb(80)},
        group="Truyền thông",
        criterion=True,
        flag=_yes("tv_ttcs_30"),
    ),
    Indicator(
        "A5",
        "Tỷ lệ hộ được tiếp cận thông tin về KH, CN, ĐMST và CĐS (12 tháng)",
        "Households reached by S&T, innovation and digital-transformation information (12 months)",
        HOUSEHOLD,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tt_57",),
        "hộ có tt_57 = co",
        "hộ được khảo sát (đồng ý)",
        {2027: bb(70, ">"), 2030: bb(90)},
        group="Truyền thông",
        criterion=True,
        flag=_yes("tt_57"),
    ),
    Indicator(
        "B1",
        "Tỷ lệ điểm đo trong ấp có sóng 4G/5G (tối thiểu 5 điểm)",
        "Test points in the hamlet with 4G/5G (at least 5 points)",
        HAMLET,
        PROPORTION,
        "KDC",
        "pl_kdc",
        ("dd_song",),
        "điểm đo có dd_song ∈ {4g, 5g}",
        "điểm đo (≥5)",
        {2027: bb(100), 2030: bb(100)},
        group="Hạ tầng số",
        criterion=True,
        assess=_ratio("n_points_4g5g", "n_points"),
        gate=_b1_gate,
        gate_text="≥5 điểm đo; 2030: ≥50% điểm có 5G [P]",
        gate_failed=(
            "dưới 5 điểm đo sóng, hoặc (mức 2030) dưới 50% điểm đo có 5G",
            "fewer than 5 test points, or (2030 tier) under 50% of them with 5G",
        ),
    ),
    Indicator(
        "B2",
        "Tỷ lệ hộ có Internet cáp quang",
        "Households with fibre broadband",
        HOUSEHOLD,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("internet_cd",),
        "hộ có internet_cd = cap_quang",
        "hộ được khảo sát (đồng ý)",
        {2027: tc(80), 2030: tc(90)},
        group="Hạ tầng số",
        criterion=True,
        flag=lambda d: d["internet_cd"].eq("cap_quang").astype(float),
    ),
    Indicator(
        "B3",
        "Nhà văn hóa/điểm sinh hoạt cộng đồng có wifi miễn phí",
        "Free wifi at the cultural house / community point",
        HAMLET,
        BINARY,
        "KDC",
        "pl_kdc",
        ("wifi_nvh",),
        "wifi_nvh = co",
        "1 ấp",
        {2027: bb(100), 2030: bb(100)},
        group="Hạ tầng số",
        criterion=True,
        assess=_binary(lambda d: d["wifi_nvh"].eq("co")),
    ),
    Indicator(
        "C1",
        "Tỷ lệ hộ có thành viên dùng điện thoại thông minh để tiếp cận dịch vụ công, tiện ích số",
        "Households with a member using a smartphone for public services / digital utilities",
        HOUSEHOLD,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_dtdm", "tv_dt_dung"),
        "hộ có ≥1 thành viên 15+ dùng điện thoại thông minh cho dịch vụ số (tv_ts)",
        "hộ được khảo sát (đồng ý)",
        {2027: bb(95), 2030: bb(98)},
        group="Công dân số",
        criterion=True,
        flag=lambda d: d["n_tv_ts"].gt(0).astype(float),
    ),
    Indicator(
        "C2",
        "Tỷ lệ người từ 18 tuổi có điện thoại thông minh",
        "Adults 18+ with a smartphone",
        ADULT18,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_dtdm", "tv_nam_sinh"),
        "người 18+ có tv_dtdm = co",
        "người 18+ (năm khảo sát − năm sinh ≥ 18)",
        {2027: tc(85), 2030: tc(95)},
        group="Công dân số",
        criterion=True,
        flag=_yes("tv_dtdm"),
    ),
    Indicator(
        "C3",
        "Tỷ lệ người từ 15 tuổi có tài khoản VNeID mức độ 2 đã kích hoạt",
        "Persons 15+ with an activated VNeID level 2 account",
        PERSON15,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_vneid",),
        "người 15+ có tv_vneid = muc2",
        "người 15+",
        {2027: bb(90), 2030: bb(95)},
        group="Danh tính số",
        criterion=True,
        flag=lambda d: d["tv_vneid"].eq("muc2").astype(float),
    ),
    Indicator(
        "C4",
        "Tỷ lệ người từ 15 tuổi có tài khoản thanh toán",
        "Persons 15+ with a payment account",
        PERSON15,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_tk",),
        "người 15+ có tv_tk khác rỗng và không chọn 'khong'",
        "người 15+",
        {2027: bb(85), 2030: bb(95)},
        group="Tài khoản số",
        criterion=True,
        flag=lambda d: d["has_account"].astype(float),
    ),
    Indicator(
        "C5",
        "Tỷ lệ người từ 15 tuổi thanh toán không dùng tiền mặt (30 ngày)",
        "Persons 15+ who paid cashless in the last 30 days",
        PERSON15,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_ttkdtm_30",),
        "người 15+ có tv_ttkdtm_30 = co",
        "người 15+",
        {2027: bb(70), 2030: bb(90, ">")},
        group="Thanh toán số",
        criterion=True,
        flag=_yes("tv_ttkdtm_30"),
    ),
    Indicator(
        "C6",
        "Tỷ lệ người từ 15 tuổi hoàn thành phổ cập kỹ năng số cơ bản (Bình dân học vụ số)",
        "Persons 15+ confirmed as completing basic digital skills (BDHVS)",
        PERSON15,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_bdhvs",),
        "người 15+ có tv_bdhvs = co",
        "người 15+",
        {2027: tc(50), 2030: tc(80)},
        group="Kỹ năng số",
        criterion=True,
        flag=_yes("tv_bdhvs"),
    ),
    Indicator(
        "C7",
        "Tỷ lệ hộ có thành viên nộp hồ sơ dịch vụ công trực tuyến (12 tháng)",
        "Households with a member who filed an online public-service dossier (12 months)",
        HOUSEHOLD,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_dvc_12",),
        "hộ có ≥1 thành viên tv_dvc_12 = co",
        "hộ được khảo sát (đồng ý)",
        {2027: tc(50), 2030: tc(80)},
        group="Văn hóa số",
        criterion=True,
        flag=lambda d: d["n_dvc_12"].gt(0).astype(float),
    ),
    Indicator(
        "C8",
        "Tỷ lệ hộ thường xuyên tiếp cận thông tin, dịch vụ số",
        "Households regularly accessing information and digital services",
        HOUSEHOLD,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_dt_dung", "kenh_tt_30"),
        "hộ có thành viên dùng ≥2 nhóm dịch vụ số và nhận thông tin xã/ấp trong 30 ngày (ho_t7)",
        "hộ được khảo sát (đồng ý)",
        # §1.9: mandatory from 2030; in 2027 it is shown but neither BB nor in the TC pool.
        {2027: info(75), 2030: bb(90)},
        group="Văn hóa số",
        criterion=True,
        flag=lambda d: d["regular_digital"].astype(float),
    ),
    Indicator(
        "D1",
        "Tỷ lệ hộ kinh doanh trong ấp chấp nhận thanh toán không dùng tiền mặt",
        "Business households in the hamlet accepting cashless payment",
        HAMLET,
        PROPORTION,
        "KDC",
        "pl_kdc",
        ("so_hkd", "so_hkd_kdtm"),
        "so_hkd_kdtm (có QR/STK và có giao dịch 7 ngày)",
        "so_hkd (hộ kinh doanh trong ấp)",
        {2027: bb(90), 2030: bb(100)},
        group="Kinh tế số",
        criterion=True,
        assess=_ratio("so_hkd_kdtm", "so_hkd"),
        not_applicable_when_empty=True,
        notes="Không áp dụng khi ấp không có hộ kinh doanh.",
        notes_en="Not applicable: the hamlet has no business households.",
    ),
    Indicator(
        "D2",
        "Có ít nhất 1 mô hình ứng dụng công nghệ trong sản xuất nông nghiệp (đã xác minh)",
        "At least one verified technology model in agriculture",
        HAMLET,
        COUNT,
        "KDC",
        "pl_kdc",
        ("mo_hinh_nn", "mh_xac_minh"),
        "mô hình có mh_xac_minh = co",
        "—",
        {2027: tc(1), 2030: tc(1)},
        group="Kinh tế số",
        criterion=True,
        assess=_count("n_models_verified"),
    ),
    Indicator(
        "E1",
        "Camera an ninh tại điểm trọng yếu kết nối với Công an xã",
        "Security cameras at key points linked to commune police",
        HAMLET,
        BINARY,
        "KDC",
        "pl_kdc",
        ("so_camera", "camera_ca"),
        "so_camera > 0 và camera_ca = co",
        "1 ấp",
        {2027: tc(100), 2030: tc(100)},
        group="An ninh số",
        criterion=True,
        assess=_binary(lambda d: d["so_camera"].fillna(0).gt(0) & d["camera_ca"].eq("co")),
    ),
    Indicator(
        "E2",
        "Tỷ lệ hộ được gắn địa chỉ số/mã QR nhà",
        "Households with a digital address / house QR",
        HOUSEHOLD,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("dia_chi_so_ho",),
        "hộ có dia_chi_so_ho = co",
        "hộ được khảo sát (đồng ý)",
        {2027: tc(50), 2030: tc(90)},
        group="Địa chỉ số",
        criterion=True,
        flag=_yes("dia_chi_so_ho"),
    ),
]

PLAN_TARGETS: list[Indicator] = [
    Indicator(
        "P2025_INFO",
        "Hộ gia đình được tiếp cận thông tin về KH, CN, ĐMST và CĐS",
        "Households reached by S&T/DX information",
        HOUSEHOLD,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tt_57",),
        "hộ có tt_57 = co",
        "hộ được khảo sát (đồng ý)",
        {2025: info(70, ">")},
        flag=_yes("tt_57"),
    ),
    Indicator(
        "P2025_DOSSIERS_ONLINE",
        "Hồ sơ TTHC tiếp nhận, giải quyết qua dịch vụ công trực tuyến (toàn trình / một phần)",
        "Administrative dossiers handled through online public services (full / partial)",
        DOSSIER,
        ADMINISTRATIVE,
        "HC",
        "",
        (),
        "hồ sơ trực tuyến",
        "hồ sơ tiếp nhận tại xã",
        {2025: info(90)},
        notes="Số liệu hành chính: nhập tại /api/v1/administrative-figures hoặc trang quản trị.",
    ),
    Indicator(
        "P2027_SMARTPHONE_HH",
        "Hộ có thành viên dùng điện thoại thông minh để tiếp cận dịch vụ công, tiện ích số",
        "Households with a member using a smartphone for public services / digital utilities",
        HOUSEHOLD,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_dtdm", "tv_dt_dung"),
        "hộ có ≥1 thành viên dùng điện thoại thông minh cho dịch vụ số (ho_t3)",
        "hộ được khảo sát (đồng ý)",
        {2027: info(95)},
        flag=lambda d: d["n_tv_ts"].gt(0).astype(float),
    ),
    Indicator(
        "P2027_MARKET_CASHLESS",
        "Hộ kinh doanh, tiểu thương tại chợ xã sử dụng thanh toán không dùng tiền mặt",
        "Traders at the commune market using cashless payment",
        STALL,
        PROPORTION,
        "CHO",
        "pl_cho",
        ("nhan_kdtm", "gd_7ngay"),
        "sạp có nhan_kdtm = co và gd_7ngay > 0 (t4_dat)",
        "sạp trong sổ Ban quản lý chợ (tối thiểu: số sạp được phỏng vấn)",
        {2027: info(90)},
        flag=lambda d: (d["dong_y"].eq("co") & d["nhan_kdtm"].eq("co") & d["gd_7ngay"].fillna(0).gt(0)).astype(float),
    ),
    Indicator(
        "P2027_AGRI_MODEL",
        "Mô hình ứng dụng công nghệ trong sản xuất nông nghiệp (đã xác minh)",
        "Verified technology models in agricultural production",
        MODEL,
        COUNT,
        "KDC",
        "pl_kdc",
        ("mo_hinh_nn", "mh_xac_minh"),
        "mô hình có mh_xac_minh = co",
        "—",
        {2027: info(1)},
        assess=_count("n_models_verified"),
    ),
    Indicator(
        "P2030_OFFICIALS_IT",
        "Cán bộ, công chức thành thạo công nghệ thông tin",
        "Officials proficient in IT",
        OFFICIAL,
        ADMINISTRATIVE,
        "HC",
        "",
        (),
        "cán bộ, công chức có xác nhận/đạt đánh giá",
        "cán bộ, công chức của xã",
        {2030: info(95, ">")},
        notes="Số liệu hành chính (danh sách cán bộ xã).",
    ),
    Indicator(
        "P2030_DIGITAL_HH",
        "Hộ gia đình thường xuyên tiếp cận thông tin, dịch vụ số",
        "Households regularly accessing information and digital services",
        HOUSEHOLD,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_dt_dung", "kenh_tt_30"),
        "hộ đạt ho_t7",
        "hộ được khảo sát (đồng ý)",
        {2030: info(90)},
        flag=lambda d: d["regular_digital"].astype(float),
    ),
    Indicator(
        "P2030_DOSSIERS_ONLINE",
        "Hồ sơ thủ tục hành chính được xử lý trực tuyến",
        "Administrative dossiers processed online",
        DOSSIER,
        ADMINISTRATIVE,
        "HC",
        "",
        (),
        "hồ sơ xử lý trực tuyến",
        "hồ sơ tiếp nhận tại xã",
        {2030: info(95, ">")},
        notes="Số liệu hành chính (hệ thống một cửa).",
    ),
    Indicator(
        "P2030_DRA_MODELS",
        'Số ấp đạt mô hình "Khu dân cư chuyển đổi số" (mức 2030)',
        "Hamlets meeting the digital-residential-area standard (2030 tier)",
        HAMLET,
        DRA_COUNT,
        "KDC + HGD",
        "pl_kdc",
        (),
        "ấp đạt bộ tiêu chí §1.9 (mức 2030)",
        "—",
        {2030: info(2)},
    ),
    Indicator(
        "P2030_CASHLESS_PEOPLE",
        "Tỷ lệ người dân (15+) thanh toán không dùng tiền mặt (30 ngày)",
        "Residents 15+ paying cashless (30 days)",
        PERSON15,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_ttkdtm_30",),
        "người 15+ có tv_ttkdtm_30 = co",
        "người 15+",
        {2030: info(90, ">")},
        flag=_yes("tv_ttkdtm_30"),
    ),
    Indicator(
        "P2030_OFFICIAL_INFO",
        "Người dân (15+) tiếp cận thông tin chính thống qua hệ thống thông tin cơ sở",
        "Residents 15+ getting official information through the grassroots system",
        PERSON15,
        PROPORTION,
        "HGD",
        "pl_ho",
        ("tv_ttcs_30",),
        "người 15+ có tv_ttcs_30 = co",
        "người 15+",
        {2030: info(80)},
        flag=_yes("tv_ttcs_30"),
    ),
]

CATALOGUE: list[Indicator] = CRITERIA + PLAN_TARGETS
BY_ID: dict[str, Indicator] = {indicator.id: indicator for indicator in CATALOGUE}
TIERS = (2027, 2030)


# How each kind's figures read (documented in analytics/README.md, served with every entry).
FIGURES = {
    PROPORTION: (
        "%",
        "percent of the units at hamlet level; commune: the stratified estimate (household and "
        "person units) or the pooled ratio of the hamlets' counts (hamlet-assessment units)",
    ),
    BINARY: ("%", "hamlet: 100 (yes) or 0 (no); commune: percent of the assessed hamlets with a yes"),
    COUNT: ("count", "hamlet: a count; commune: the sum over the hamlets"),
    ADMINISTRATIVE: ("%", "commune only: entered numerator / denominator in percent"),
    DRA_COUNT: ("count", "hamlet: 100 (meets the 2030 standard) or 0; commune: the number of hamlets meeting it"),
}


def commune_verdict(indicator: Indicator) -> bool:
    """Whether the commune row carries `met`. A §1.9 criterion is a standard a hamlet meets,
    so its commune row is descriptive; the plan targets are the commune's own targets."""
    return not indicator.criterion


def catalogue_as_json() -> list[dict]:
    """The catalogue as plain data for the API and the exports."""
    return [
        {
            "id": i.id,
            "label_vi": i.label_vi,
            "label_en": i.label_en,
            "unit": i.unit,
            "unit_label_vi": UNIT_LABELS[i.unit][0],
            "unit_label_en": UNIT_LABELS[i.unit][1],
            "kind": i.kind,
            "source": "administrative" if i.administrative else i.source,
            "form": i.form,
            "fields": list(i.fields),
            "numerator": i.numerator,
            "denominator": i.denominator,
            "targets": {str(y): {"op": t.op, "value": t.value, "role": t.role} for y, t in i.targets.items()},
            "group": i.group,
            "criterion": i.criterion,
            "direction": i.direction,
            "condition": i.gate_text,
            "gate_failed_vi": i.gate_failed[0],
            "gate_failed_en": i.gate_failed[1],
            "notes": i.notes,
            "notes_en": i.notes_en,
            "value_unit": FIGURES[i.kind][0],
            "figures": FIGURES[i.kind][1],
            "commune_verdict": commune_verdict(i),
        }
        for i in CATALOGUE
    ]
