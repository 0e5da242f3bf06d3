"""Build the Phú Lâm XLSForms (pl_ho, pl_cho, pl_kdc) and their sample CSV media.

The survey, choices and settings rows live here as plain Python data so that every
change to a form is reviewable as a text diff; the .xlsx files written next to this
folder are generated artefacts (committed, and what the server publishes).

    python forms_xlsform/authoring/build_forms.py            # write .xlsx, .csv, README tables
    python forms_xlsform/authoring/build_forms.py --check    # also convert + ODK Validate

Output is byte-for-byte deterministic: the workbook's document dates and the zip
entry timestamps are pinned, so rebuilding without a data change leaves git clean.

Conventions (see forms_xlsform/README.md):
- field names are stable ASCII snake_case and unique within a form, including across
  groups and repeats (the analytics locate fields by name);
- every text cell is NFC Unicode (checked before writing);
- every constraint carries a Vietnamese and an English message;
- the `ind` key of a row is documentation only (the indicator(s) the field feeds);
  it is rendered into the README data dictionary, never into the workbook.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

FORMS_DIR = Path(__file__).resolve().parents[1]
README = FORMS_DIR / "README.md"

VI = "Tiếng Việt (vi)"
EN = "English (en)"

# Pinned so the .xlsx bytes do not change between runs (see _pin_xlsx_bytes).
FIXED_DOC_TIME = datetime(2026, 11, 27, 0, 0, 0)
FIXED_ZIP_TIME = (2026, 11, 27, 0, 0, 0)

# Survey-sheet columns in their canonical order; a form's sheet keeps only those it uses.
SURVEY_COLUMNS = (
    "type",
    "name",
    f"label::{VI}",
    f"label::{EN}",
    f"hint::{VI}",
    f"hint::{EN}",
    "required",
    f"required_message::{VI}",
    f"required_message::{EN}",
    "relevant",
    "constraint",
    f"constraint_message::{VI}",
    f"constraint_message::{EN}",
    "calculation",
    "repeat_count",
    "appearance",
    "choice_filter",
    "parameters",
    "body::accuracyThreshold",
)
CHOICE_COLUMNS = ("list_name", "name", f"label::{VI}", f"label::{EN}")
SETTINGS_COLUMNS = (
    "form_title",
    "form_id",
    "name",
    "version",
    "default_language",
    "instance_name",
)

REQUIRED_MESSAGE = ("Vui lòng trả lời câu hỏi này.", "Please answer this question.")
PHOTO_PARAMS = "max-pixels=1024"
GPS_ACCURACY_M = "10"

CONSENTED = "${dong_y} = 'co'"


# ---------------------------------------------------------------------------
# Row helpers
# ---------------------------------------------------------------------------


def q(
    type_: str,
    name: str = "",
    vi: str = "",
    en: str = "",
    *,
    hint: tuple[str, str] | None = None,
    required: bool = False,
    relevant: str = "",
    constraint: str = "",
    msg: tuple[str, str] | None = None,
    calc: str = "",
    repeat_count: str = "",
    appearance: str = "",
    choice_filter: str = "",
    parameters: str = "",
    accuracy: str = "",
    ind: str = "",
) -> dict:
    """One survey row. `ind` documents the indicator(s) fed; it is not written to the sheet."""
    if constraint and not msg:
        raise ValueError(f"{name}: a constraint needs a vi and en message")
    row = {
        "type": type_,
        "name": name,
        f"label::{VI}": vi,
        f"label::{EN}": en,
        "relevant": relevant,
        "constraint": constraint,
        "calculation": calc,
        "repeat_count": repeat_count,
        "appearance": appearance,
        "choice_filter": choice_filter,
        "parameters": parameters,
        "body::accuracyThreshold": accuracy,
        "_ind": ind,
    }
    if hint:
        row[f"hint::{VI}"], row[f"hint::{EN}"] = hint
    if required:
        row["required"] = "yes"
        row[f"required_message::{VI}"], row[f"required_message::{EN}"] = REQUIRED_MESSAGE
    if msg:
        row[f"constraint_message::{VI}"], row[f"constraint_message::{EN}"] = msg
    return row


def end(type_: str) -> dict:
    return {"type": type_}


def exclusive(choice: str, vi_label: str, en_label: str) -> dict:
    """Constraint + messages for a select_multiple whose `choice` excludes all others."""
    return {
        "constraint": f"not(selected(., '{choice}') and count-selected(.) > 1)",
        "msg": (
            f"“{vi_label}” không được chọn cùng các mục khác.",
            f"“{en_label}” cannot be combined with other answers.",
        ),
    }


def metadata() -> list[dict]:
    return [
        q("start", "start", ind="— (interview timing, QA)"),
        q("end", "end", ind="— (interview timing, QA)"),
        q("today", "today", ind="— (interview date)"),
        q("deviceid", "deviceid", ind="— (device, QA)"),
    ]


def volunteer_code(vi: str = "Mã tình nguyện viên", en: str = "Volunteer code") -> dict:
    return q(
        "text",
        "tnv_ma",
        vi,
        en,
        hint=(
            "Chữ in hoa A–Z và số, không dấu, 3–10 ký tự, ví dụ: TNV012.",
            "Capital letters A–Z and digits, 3–10 characters, e.g. TNV012.",
        ),
        required=True,
        constraint="regex(., '^[A-Z0-9]{3,10}$')",
        msg=(
            "Mã gồm 3–10 ký tự: chữ in hoa A–Z hoặc số 0–9, không dấu, không khoảng trắng.",
            "3–10 characters: capital letters A–Z or digits 0–9, no accents or spaces.",
        ),
        ind="— (QA: who collected it; scoping of volunteers)",
    )


def hamlet(name: str = "ap", vi: str = "Ấp", en: str = "Hamlet (ấp)", **kw) -> dict:
    kw.setdefault("ind", "grouping key for every hamlet-level indicator (A1–E2)")
    return q("select_one_from_file ap.csv", name, vi, en, required=True, **kw)


def location(name: str, vi: str, en: str, *, required: bool = False, ind: str = "") -> dict:
    return q(
        "geopoint",
        name,
        vi,
        en,
        hint=(
            "Chờ đến khi độ chính xác đạt 10 m hoặc tốt hơn.",
            "Wait until the accuracy is 10 m or better.",
        ),
        required=required,
        accuracy=GPS_ACCURACY_M,
        ind=ind,
    )


def photo(
    name: str,
    vi: str,
    en: str,
    *,
    relevant: str = "",
    appearance: str = "",
    hint: tuple[str, str] | None = None,
    ind: str = "",
) -> dict:
    return q(
        "image",
        name,
        vi,
        en,
        hint=hint
        or (
            "Không chụp mặt người, giấy tờ tùy thân hoặc số tài khoản.",
            "Do not photograph faces, ID documents or account numbers.",
        ),
        relevant=relevant,
        appearance=appearance,
        parameters=PHOTO_PARAMS,
        ind=ind,
    )


def survey_round_from_today() -> dict:
    # once(): fixed when the form is first filled; editing the submission in a later year
    # does not move it to another round.
    return q(
        "calculate",
        "dot_ks",
        calc="once(format-date(today(), '%Y'))",
        ind="survey round (calendar year of the interview); period key for all indicators",
    )


def declined_note(vi: str, en: str) -> dict:
    return q("note", "n_tu_choi", vi, en, relevant="${dong_y} = 'khong'", ind="—")


# ---------------------------------------------------------------------------
# Choice lists (DOMAIN.md §4; list names shared across forms)
# ---------------------------------------------------------------------------

CHOICES: dict[str, list[tuple[str, str, str]]] = {
    "co_khong": [("co", "Có", "Yes"), ("khong", "Không", "No")],
    "co_khong_kb": [("co", "Có", "Yes"), ("khong", "Không", "No"), ("kbiet", "Không biết", "Don't know")],
    "vai_tro": [
        ("chu_ho", "Chủ hộ", "Household head"),
        ("vo_chong", "Vợ/chồng chủ hộ", "Spouse of the head"),
        ("con", "Con của chủ hộ", "Child of the head"),
        ("khac", "Thành viên khác", "Other member"),
    ],
    "gioi_tinh": [("nam", "Nam", "Male"), ("nu", "Nữ", "Female"), ("khac", "Khác", "Other")],
    "internet_cd": [
        ("cap_quang", "Internet cáp quang (FTTH)", "Fibre (FTTH)"),
        ("cap_dong", "Cáp đồng/ADSL/truyền hình cáp", "Copper/ADSL/cable"),
        ("wifi_sim", "Bộ phát wifi dùng SIM 4G/5G", "4G/5G SIM router"),
        ("khong", "Không có Internet tại nhà", "No home internet"),
        ("kbiet", "Không biết", "Don't know"),
    ],
    "song_dd": [
        ("5g", "Có 5G ổn định", "Stable 5G"),
        ("4g_tot", "4G ổn định", "Stable 4G"),
        ("4g_yeu", "4G chập chờn", "Unstable 4G"),
        ("2g3g", "Chỉ có 2G/3G", "2G/3G only"),
        ("khong", "Không có sóng", "No signal"),
    ],
    "kenh_tt": [
        ("loa", "Loa truyền thanh xã/ấp", "Commune/hamlet loudspeaker"),
        ("zalo_ap", "Nhóm Zalo/Facebook của ấp, xã", "Hamlet/commune Zalo/Facebook group"),
        ("trang_xa", "Trang thông tin điện tử/fanpage của xã", "Commune website/fanpage"),
        ("bang_tin", "Bảng tin ấp, mã QR tra cứu", "Hamlet bulletin board / QR"),
        ("hop_ap", "Họp ấp, họp đoàn thể", "Hamlet / mass-organisation meetings"),
        ("to_cnscd", "Tổ công nghệ số cộng đồng, đoàn viên đến nhà", "Tổ CNSCĐ / youth volunteers visit"),
        ("bao_dai", "Báo, đài phát thanh, truyền hình", "Press, radio, TV"),
        ("mxh_khac", "Mạng xã hội khác", "Other social media"),
        ("sms", "Tin nhắn SMS, VNeID", "SMS / VNeID notifications"),
        ("khong_nhan", "Không nhận được thông tin nào", "Received none"),
    ],
    "nghe_loa": [
        ("ro", "Nghe rõ", "Clearly"),
        ("khong_ro", "Nghe không rõ", "Not clearly"),
        ("khong", "Không nghe được", "Cannot hear"),
        ("khong_co", "Khu vực không có loa", "No loudspeaker in the area"),
    ],
    "dung_dt": [
        ("goi_nhan", "Gọi điện, nhắn tin, gọi video (Zalo…)", "Calls, messaging, video calls"),
        ("tin_tuc", "Xem tin tức, thông tin của chính quyền", "News / government information"),
        ("dvc", "Dịch vụ công trực tuyến, ứng dụng VNeID", "Online public services / VNeID"),
        ("thanh_toan", "Chuyển khoản, thanh toán", "Transfers / payments"),
        ("mua_sam", "Mua sắm trực tuyến", "Online shopping"),
        ("ban_hang", "Bán hàng trực tuyến", "Online selling"),
        ("hoc_tap", "Học tập trực tuyến, Bình dân học vụ số", "Online learning / BDHVS"),
        ("y_te", "Đặt khám, sổ sức khỏe điện tử, BHYT số", "Health booking / e-health record"),
        ("nong_nghiep", "Thời tiết, giá cả, kỹ thuật nông nghiệp", "Weather, prices, farming techniques"),
        ("giai_tri", "Giải trí (xem video, trò chơi)", "Entertainment"),
        ("khong", "Chỉ nghe, gọi", "Calls only"),
    ],
    "vneid": [
        ("muc2", "Đã kích hoạt mức độ 2", "Level 2 activated"),
        ("muc1", "Mới có mức độ 1", "Level 1 only"),
        ("chua", "Chưa có tài khoản", "No account"),
        ("kbiet", "Không biết", "Don't know"),
    ],
    "tk_tt": [
        ("nh_app", "Tài khoản ngân hàng, có dùng ứng dụng ngân hàng", "Bank account with app"),
        ("nh_the", "Tài khoản/thẻ ngân hàng, không dùng ứng dụng", "Bank account/card, no app"),
        ("vi_dt", "Ví điện tử (MoMo, ZaloPay, VNPay…)", "E-wallet"),
        ("mobile_money", "Mobile Money (Viettel Money, VNPT Money…)", "Mobile Money"),
        ("khong", "Không có", "None"),
    ],
    "muc_dich_tt": [
        ("cho_qr", "Mua hàng ở chợ, cửa hàng bằng quét mã QR", "Market/shop purchases by QR"),
        ("hoa_don", "Điện, nước, Internet, điện thoại", "Utility bills"),
        ("giao_duc_yte", "Học phí, viện phí", "School / hospital fees"),
        ("dvc_phi", "Phí, lệ phí dịch vụ công, thuế", "Public-service fees / tax"),
        ("chuyen_tien", "Chuyển tiền cho người thân", "Transfers to relatives"),
        ("mua_online", "Mua hàng trực tuyến", "Online purchases"),
        ("nhan_tien", "Nhận lương, trợ cấp, tiền bán hàng", "Receiving wages / benefits / sales"),
    ],
    "cach_dvc": [
        ("tu_lam", "Tự thực hiện", "By self"),
        ("nguoi_nha", "Người thân hỗ trợ", "Helped by a relative"),
        ("to_cnscd", "Tổ công nghệ số cộng đồng/đoàn viên hỗ trợ", "Helped by Tổ CNSCĐ / volunteers"),
        ("tai_trung_tam", "Tại Trung tâm phục vụ hành chính công xã", "At the commune service centre"),
    ],
    "rao_can": [
        ("khong_dtdm", "Không có điện thoại thông minh", "No smartphone"),
        ("khong_biet", "Không biết cách sử dụng", "Don't know how"),
        ("lua_dao", "Sợ lừa đảo, mất tiền, lộ thông tin", "Fear of fraud / data leaks"),
        ("chi_phi", "Chi phí thiết bị, cước", "Device / data cost"),
        ("song_yeu", "Sóng, mạng yếu", "Weak signal / network"),
        ("suc_khoe", "Lớn tuổi, mắt kém", "Age / eyesight"),
        ("thu_tuc", "Thủ tục trực tuyến khó", "Online procedures too hard"),
        ("khong_can", "Không có nhu cầu", "No need"),
        ("khong_kho", "Không gặp khó khăn", "No difficulty"),
    ],
    "noi_dung_ht": [
        ("vneid", "Cài đặt, kích hoạt VNeID mức 2", "Install/activate VNeID level 2"),
        ("dvc", "Nộp hồ sơ dịch vụ công trực tuyến", "File online public-service dossiers"),
        ("thanh_toan", "Mở tài khoản, thanh toán QR", "Open an account / QR payment"),
        ("chu_ky_so", "Chữ ký số cá nhân", "Personal digital signature"),
        ("lua_dao", "Nhận diện lừa đảo trực tuyến", "Recognise online fraud"),
        ("tmdt", "Bán hàng trực tuyến", "Online selling"),
        ("bdhvs", "Học kỹ năng số (Bình dân học vụ số)", "Digital skills (BDHVS)"),
        ("y_te", "Sổ sức khỏe điện tử, đặt khám", "E-health record / booking"),
        ("khong", "Không cần hỗ trợ", "None needed"),
    ],
    "hoa_don": [
        ("dien", "Tiền điện", "Electricity"),
        ("nuoc", "Tiền nước", "Water"),
        ("internet_dt", "Cước Internet, điện thoại", "Internet / phone"),
        ("hoc_phi", "Học phí", "School fees"),
        ("vien_phi", "Viện phí, khám chữa bệnh", "Hospital fees"),
        ("bhxh_bhyt", "BHXH, BHYT", "Social / health insurance"),
        ("thue_phi", "Thuế, phí, lệ phí", "Taxes, fees"),
        ("khong", "Không có khoản nào", "None"),
    ],
    "cn_nn": [
        (
            "tuoi_tu_dong",
            "Tưới tự động/tưới tiết kiệm điều khiển bằng điện thoại",
            "Automatic / phone-controlled irrigation",
        ),
        ("iot", "Cảm biến (IoT) đo ẩm, thời tiết, môi trường chuồng trại", "IoT sensors"),
        ("drone", "Máy bay không người lái phun thuốc, bón phân", "Spraying drones"),
        ("truy_xuat", "Nhật ký điện tử, mã QR truy xuất nguồn gốc", "E-diary / QR traceability"),
        ("ban_online", "Bán nông sản trên sàn TMĐT, mạng xã hội", "Selling produce online"),
        ("camera", "Camera giám sát trang trại", "Farm cameras"),
        ("phan_mem", "Ứng dụng/phần mềm quản lý sản xuất", "Farm-management app"),
        ("khong", "Chưa áp dụng", "None"),
    ],
    # --- pl_cho -------------------------------------------------------------
    "loai_kd": [
        ("hkd_dk", "Hộ kinh doanh có đăng ký", "Registered business household"),
        ("tieu_thuong", "Tiểu thương chưa đăng ký kinh doanh", "Unregistered trader"),
        ("dn_htx", "Doanh nghiệp, hợp tác xã", "Enterprise / co-op"),
        ("theo_phien", "Người bán theo phiên, bán rong", "Periodic / itinerant seller"),
    ],
    "nganh": [
        ("rau_qua", "Rau, củ, quả", "Vegetables, fruit"),
        ("thit_ca", "Thịt, cá, thủy hải sản", "Meat, fish"),
        ("tap_hoa", "Tạp hóa, hàng khô", "Groceries, dry goods"),
        ("may_mac", "Quần áo, giày dép", "Clothing, footwear"),
        ("an_uong", "Ăn uống", "Food & drink"),
        ("vat_tu_nn", "Nông sản, vật tư nông nghiệp", "Produce / farm inputs"),
        ("dich_vu", "Dịch vụ (may, sửa chữa, cắt tóc…)", "Services"),
        ("khac", "Khác", "Other"),
    ],
    "hinh_thuc": [
        ("qr_tinh", "Mã QR in sẵn (VietQR tĩnh)", "Static printed QR"),
        ("qr_dong", "Mã QR động / máy, loa báo", "Dynamic QR / device"),
        ("stk", "Chuyển khoản theo số tài khoản", "Account-number transfer"),
        ("vi_dt", "Ví điện tử", "E-wallet"),
        ("mobile_money", "Mobile Money", "Mobile Money"),
        ("the_pos", "Quẹt thẻ (POS)", "Card / POS"),
    ],
    "ty_le": [
        ("lt10", "Dưới 10%", "Under 10%"),
        ("10_30", "10–30%", "10–30%"),
        ("30_50", "30–50%", "30–50%"),
        ("50_70", "50–70%", "50–70%"),
        ("gt70", "Trên 70%", "Over 70%"),
    ],
    "ly_do": [
        ("khach_khong_dung", "Khách ít dùng", "Customers rarely pay cashless"),
        ("khong_biet", "Không biết cách mở, sử dụng", "Don't know how"),
        ("lua_dao", "Sợ lừa đảo, ảnh chuyển khoản giả", "Fear of fraud / fake transfers"),
        ("phi", "Lo phí giao dịch", "Fees"),
        ("thue", "Lo ngại về thuế", "Tax concerns"),
        ("khong_dtdm", "Không có điện thoại thông minh", "No smartphone"),
        ("tien_ve_cham", "Tiền về chậm, khó kiểm tra", "Slow / hard to verify"),
        ("khong_can", "Không cần thiết", "Not needed"),
    ],
    "kenh_online": [
        ("zalo", "Zalo", "Zalo"),
        ("facebook", "Facebook", "Facebook"),
        ("tiktok", "TikTok Shop", "TikTok Shop"),
        ("shopee", "Shopee/Lazada", "Marketplaces"),
        ("khac", "Khác", "Other"),
    ],
    # --- pl_kdc -------------------------------------------------------------
    "loai_loa": [
        ("loa_cntt", "Loa truyền thanh ứng dụng CNTT-VT (IP/4G)", "ICT/IP-based loudspeakers"),
        ("loa_fm", "Loa không dây FM", "Wireless FM"),
        ("loa_day", "Loa có dây", "Wired"),
        ("khong", "Không có", "None"),
    ],
    "pham_vi": [
        ("tat_ca", "Phủ toàn ấp", "Whole hamlet"),
        ("phan_lon", "Phần lớn ấp", "Most of the hamlet"),
        ("mot_phan", "Một phần", "Part of the hamlet"),
        ("khong", "Không phủ", "None"),
    ],
    "song_do": [
        ("5g", "5G", "5G"),
        ("4g", "4G", "4G"),
        ("3g", "3G", "3G"),
        ("2g", "2G", "2G"),
        ("khong", "Không có sóng", "No signal"),
    ],
    "chu_the": [
        ("ho", "Hộ gia đình", "Household"),
        ("tth", "Tổ hợp tác", "Cooperative group"),
        ("htx", "Hợp tác xã", "Co-op"),
        ("dn", "Doanh nghiệp", "Enterprise"),
    ],
    "nguoi_cc": [
        ("truong_ap", "Trưởng ấp", "Hamlet head"),
        ("bi_thu", "Bí thư chi bộ", "Party-cell secretary"),
        ("to_truong_cnscd", "Tổ trưởng Tổ CNSCĐ", "Tổ CNSCĐ team leader"),
        ("bi_thu_doan", "Bí thư chi đoàn", "Youth-union secretary"),
        ("cong_an", "Công an khu vực", "Area police"),
    ],
}


# ---------------------------------------------------------------------------
# Form 1 — pl_ho, household survey (DOMAIN.md §4.1)
# ---------------------------------------------------------------------------

PL_HO_SURVEY: list[dict] = [
    *metadata(),
    survey_round_from_today(),
    volunteer_code(),
    hamlet(),
    q(
        "text",
        "ma_ho",
        "Mã hộ (theo danh sách hộ của ấp)",
        "Household code (hamlet household list)",
        hint=("Dạng NN-NNNN, ví dụ 07-0123.", "Format NN-NNNN, e.g. 07-0123."),
        required=True,
        constraint="regex(., '^[0-9]{2}-[0-9]{4}$')",
        msg=(
            "Mã hộ gồm 2 chữ số, dấu gạch ngang và 4 chữ số (ví dụ 07-0123).",
            "The household code is 2 digits, a hyphen and 4 digits (e.g. 07-0123).",
        ),
        ind="household key (ap + ma_ho); census coverage",
    ),
    location(
        "vi_tri",
        "Vị trí nhà (đứng trước cổng)",
        "Location of the house (stand at the gate)",
        ind="map for hamlet-head review; geo joins",
    ),
    q(
        "select_one co_khong",
        "dong_y",
        "Anh/chị có đồng ý tham gia khảo sát không? Thông tin chỉ dùng để thống kê; "
        "không thu số căn cước, họ tên đầy đủ, số điện thoại.",
        "Do you agree to take part? The answers are used for statistics only; we do not "
        "collect ID numbers, full names or phone numbers.",
        required=True,
        ind="response status; only 'co' rows enter household denominators",
    ),
    declined_note(
        "Hộ không đồng ý tham gia. Cảm ơn anh/chị. Hãy lưu và gửi phiếu (phiếu từ chối vẫn "
        "được tính vào tỷ lệ trả lời).",
        "The household declined. Thank them, then save and send the form (refusals count towards the response rate).",
    ),
    # --- 1. Household --------------------------------------------------------
    q("begin_group", "ho", "Thông tin hộ", "Household", relevant=CONSENTED, ind="—"),
    q(
        "select_one vai_tro",
        "nguoi_tl",
        "Người trả lời là",
        "The respondent is",
        required=True,
        ind="— (respondent type)",
    ),
    q(
        "integer",
        "so_tv",
        "Tổng số nhân khẩu thực tế thường trú trong hộ",
        "Number of people usually living in the household",
        required=True,
        constraint=". >= 1 and . <= 30",
        msg=("Số nhân khẩu phải từ 1 đến 30.", "Household size must be between 1 and 30."),
        ind="population weights",
    ),
    q(
        "integer",
        "so_tv_15",
        "Số thành viên từ 15 tuổi trở lên",
        "Members aged 15 or older",
        hint=(
            "Phần “Thành viên” sẽ hỏi riêng từng người này.",
            "The “Members” section asks about each of them.",
        ),
        required=True,
        constraint=". >= 1 and . <= ${so_tv}",
        msg=(
            "Phải từ 1 đến tổng số nhân khẩu. Nếu hộ không có ai từ 15 tuổi, nhập 1 cho người "
            "lớn tuổi nhất và ghi rõ ở phần Ghi chú.",
            "Must be between 1 and the household size. If nobody is aged 15+, enter 1 for the "
            "oldest member and explain in the Notes.",
        ),
        ind="repeat_count of tv; person-level denominators (A4, C3–C6)",
    ),
    q(
        "select_one co_khong",
        "ho_kd",
        "Hộ có kinh doanh, buôn bán không?",
        "Does the household run a business or trade?",
        required=True,
        ind="D1 context (cross-check with pl_kdc so_hkd)",
    ),
    q(
        "select_one co_khong",
        "ho_kd_cho",
        "Hộ có sạp/điểm bán tại chợ xã không?",
        "Does the household have a stall at the commune market?",
        relevant="${ho_kd} = 'co'",
        required=True,
        ind="link to pl_cho (P2027_MARKET_CASHLESS)",
    ),
    q(
        "select_one co_khong",
        "ho_nn",
        "Hộ có sản xuất nông nghiệp (trồng trọt, chăn nuôi, thủy sản) không?",
        "Does the household farm (crops, livestock, aquaculture)?",
        required=True,
        ind="D2 context (opens the agri-tech section)",
    ),
    end("end_group"),
    # --- 2. Connectivity and devices -----------------------------------------
    q("begin_group", "ket_noi", "Kết nối và thiết bị", "Connectivity and devices", relevant=CONSENTED, ind="—"),
    q(
        "select_one internet_cd",
        "internet_cd",
        "Internet cố định tại nhà",
        "Fixed internet at home",
        hint=(
            "Nếu có nhiều loại, chọn loại tốt nhất (cáp quang trước).",
            "If there are several, choose the best one (fibre first).",
        ),
        required=True,
        ind="B2 (internet_cd = 'cap_quang')",
    ),
    q(
        "select_one song_dd",
        "song_dd",
        "Sóng điện thoại di động tại nhà",
        "Mobile signal at home",
        required=True,
        ind="B1 (household cross-check of the pl_kdc test points)",
    ),
    q(
        "integer",
        "so_dtdm",
        "Số điện thoại thông minh đang dùng trong hộ",
        "Smartphones in use in the household",
        required=True,
        constraint=". >= 0 and . <= 30",
        msg=("Số điện thoại phải từ 0 đến 30.", "Must be between 0 and 30."),
        ind="C1/C2 context (device count)",
    ),
    q(
        "select_one co_khong_kb",
        "dia_chi_so_ho",
        "Nhà có được gắn địa chỉ số/mã QR nhà không?",
        "Has the house been given a digital address / house QR code?",
        hint=(
            "Ví dụ: biển số nhà có mã QR, địa chỉ số Vpostcode. Quan sát biển nhà nếu có thể.",
            "E.g. a house-number plate with a QR code, a Vpostcode digital address. Check the plate if possible.",
        ),
        required=True,
        ind="E2 (dia_chi_so_ho = 'co')",
    ),
    end("end_group"),
    # --- 3. Information access -----------------------------------------------
    q("begin_group", "thong_tin", "Tiếp cận thông tin", "Access to information", relevant=CONSENTED, ind="—"),
    q(
        "select_one co_khong_kb",
        "tt_57",
        "Trong 12 tháng qua, hộ có nhận được thông tin về khoa học, công nghệ, đổi mới sáng tạo "
        "và chuyển đổi số (Nghị quyết 57) không?",
        "In the last 12 months, did the household receive information on science, technology, "
        "innovation and digital transformation (Resolution 57)?",
        required=True,
        ind="A5, P2025_INFO (via ho_t1)",
    ),
    q(
        "select_multiple kenh_tt",
        "tt_57_kenh",
        "Qua kênh nào?",
        "Through which channels?",
        relevant="${tt_57} = 'co'",
        required=True,
        choice_filter="name != 'khong_nhan'",
        ind="A5 (channel breakdown)",
    ),
    q(
        "select_multiple kenh_tt",
        "kenh_tt_30",
        "Trong 30 ngày qua, hộ nhận thông tin của xã/ấp qua những kênh nào?",
        "In the last 30 days, through which channels did the household get commune/hamlet information?",
        required=True,
        **exclusive("khong_nhan", "Không nhận được thông tin nào", "Received none"),
        ind="C8, P2030_DIGITAL_HH (via ho_t7); A4 context",
    ),
    q(
        "select_one co_khong_kb",
        "zalo_ap",
        "Có thành viên nào trong hộ ở trong nhóm Zalo/mạng xã hội chính thức của ấp không?",
        "Is any household member in the hamlet's official Zalo/social-media group?",
        required=True,
        ind="A2 (zalo_ap = 'co')",
    ),
    q(
        "select_one nghe_loa",
        "nghe_loa",
        "Tại nhà có nghe được loa truyền thanh của xã/ấp không?",
        "Can the commune/hamlet loudspeaker be heard at home?",
        required=True,
        ind="A3 (nghe_loa in 'ro', 'khong_ro'; strict variant: 'ro')",
    ),
    end("end_group"),
    # --- 4. Member roster (15+) ------------------------------------------------
    q(
        "begin_repeat",
        "tv",
        "Thành viên từ 15 tuổi trở lên",
        "Members aged 15 or older",
        relevant=CONSENTED,
        repeat_count="${so_tv_15}",
        ind="person-level unit for A4, C2–C7 and P2030_CASHLESS_PEOPLE / P2030_OFFICIAL_INFO",
    ),
    q(
        "text",
        "tv_ten",
        "Tên gọi hoặc chữ viết tắt (không ghi họ tên đầy đủ)",
        "Nickname or initials (do not write the full name)",
        hint=("Chỉ để phân biệt các thành viên khi phỏng vấn.", "Only to tell members apart during the interview."),
        constraint="string-length(.) <= 15",
        msg=(
            "Tối đa 15 ký tự: chỉ ghi tên gọi hoặc chữ viết tắt.",
            "At most 15 characters: a nickname or initials only.",
        ),
        ind="— (privacy: never a full name)",
    ),
    q("select_one gioi_tinh", "tv_gt", "Giới tính", "Sex", required=True, ind="disaggregation"),
    q(
        "integer",
        "tv_nam_sinh",
        "Năm sinh",
        "Year of birth",
        required=True,
        constraint=". >= 1900 and . <= int(format-date(today(), '%Y')) - 15",
        msg=(
            "Năm sinh phải từ 1900 trở đi và thành viên phải từ 15 tuổi trở lên.",
            "The year of birth must be 1900 or later and the member must be aged 15 or older.",
        ),
        ind="C2 (18+ denominator via tv_tuoi); age disaggregation",
    ),
    q(
        "calculate",
        "tv_tuoi",
        calc="int(${dot_ks}) - ${tv_nam_sinh}",
        ind="age reached in the survey year; C2 uses tv_tuoi >= 18",
    ),
    q(
        "select_one co_khong",
        "tv_dtdm",
        "Có điện thoại thông minh (của riêng hoặc dùng thường xuyên) không?",
        "Has or regularly uses a smartphone?",
        required=True,
        ind="C2 (with tv_tuoi >= 18); C1 and P2027_SMARTPHONE_HH via tv_ts",
    ),
    q(
        "select_multiple dung_dt",
        "tv_dt_dung",
        "Trong 30 ngày qua đã dùng điện thoại để làm gì?",
        "What was the smartphone used for in the last 30 days?",
        relevant="${tv_dtdm} = 'co'",
        required=True,
        **exclusive("khong", "Chỉ nghe, gọi", "Calls only"),
        ind="C1 (via tv_ts), C8 (via tv_dv2)",
    ),
    q(
        "select_one vneid",
        "tv_vneid",
        "Tài khoản định danh điện tử VNeID",
        "VNeID electronic identification account",
        required=True,
        ind="C3 (tv_vneid = 'muc2')",
    ),
    q(
        "select_multiple tk_tt",
        "tv_tk",
        "Có những tài khoản thanh toán nào?",
        "Which payment accounts does the member hold?",
        required=True,
        **exclusive("khong", "Không có", "None"),
        ind="C4 (not selected 'khong')",
    ),
    q(
        "select_one co_khong",
        "tv_ttkdtm_30",
        "Trong 30 ngày qua có thanh toán/chuyển tiền không dùng tiền mặt (quét QR, chuyển khoản, ví, thẻ) không?",
        "In the last 30 days, did the member pay or transfer money without cash (QR, transfer, e-wallet, card)?",
        relevant="not(selected(${tv_tk}, 'khong'))",
        required=True,
        ind="C5, P2030_CASHLESS_PEOPLE (empty because no account = 'khong')",
    ),
    q(
        "select_multiple muc_dich_tt",
        "tv_tt_md",
        "Thanh toán cho những việc gì?",
        "What were the payments for?",
        relevant="${tv_ttkdtm_30} = 'co'",
        required=True,
        ind="C5 detail (purposes)",
    ),
    q(
        "select_one co_khong",
        "tv_dvc_12",
        "Trong 12 tháng qua có nộp hồ sơ dịch vụ công trực tuyến (tự làm hoặc được hỗ trợ) không?",
        "In the last 12 months, did the member file an online public-service dossier (alone or helped)?",
        required=True,
        ind="C7 (household via ho_c7); proxy only for P2025_DOSSIERS_ONLINE / P2030_DOSSIERS_ONLINE (HC data)",
    ),
    q(
        "select_one cach_dvc",
        "tv_dvc_cach",
        "Cách thực hiện",
        "How was it done?",
        relevant="${tv_dvc_12} = 'co'",
        required=True,
        ind="C7 detail; A1 reach (to_cnscd)",
    ),
    q(
        "select_one co_khong_kb",
        "tv_bdhvs",
        "Đã được xác nhận hoàn thành khóa kỹ năng số cơ bản trên nền tảng Bình dân học vụ số (đăng nhập VNeID) chưa?",
        "Has the member been confirmed as completing basic digital skills on the Bình dân học vụ số "
        "platform (VNeID login)?",
        required=True,
        ind="C6 (tv_bdhvs = 'co')",
    ),
    q(
        "select_one co_khong_kb",
        "tv_ttcs_30",
        "Trong 30 ngày qua có nhận thông tin của xã/ấp qua loa truyền thanh, nhóm Zalo ấp, trang "
        "của xã hoặc bảng tin không?",
        "In the last 30 days, did the member get commune/hamlet information through the "
        "loudspeaker, the hamlet Zalo group, the commune page or the bulletin board?",
        required=True,
        ind="A4, P2030_OFFICIAL_INFO (tv_ttcs_30 = 'co')",
    ),
    q(
        "select_one co_khong_kb",
        "tv_cks",
        "Có chữ ký số/chữ ký điện tử cá nhân không?",
        "Does the member have a personal digital signature / e-signature?",
        ind="context (QĐ 411 digital-signature target); not a §1.9 criterion",
    ),
    q(
        "calculate",
        "tv_ts",
        calc=(
            "if(${tv_dtdm} = 'co' and (selected(${tv_dt_dung}, 'dvc') or selected(${tv_dt_dung}, 'thanh_toan') "
            "or selected(${tv_dt_dung}, 'mua_sam') or selected(${tv_dt_dung}, 'ban_hang') "
            "or selected(${tv_dt_dung}, 'hoc_tap') or selected(${tv_dt_dung}, 'y_te') "
            "or selected(${tv_dt_dung}, 'tin_tuc') or selected(${tv_dt_dung}, 'nong_nghiep')), 1, 0)"
        ),
        ind="0/1 member uses a smartphone for a public service / digital utility → C1, P2027_SMARTPHONE_HH",
    ),
    q(
        "calculate",
        "tv_dv2",
        calc=(
            "if(${tv_dtdm} = 'co' and count-selected(${tv_dt_dung}) - (if(selected(${tv_dt_dung}, 'goi_nhan'), 1, 0) "
            "+ if(selected(${tv_dt_dung}, 'giai_tri'), 1, 0)) >= 2, 1, 0)"
        ),
        ind="0/1 member uses ≥2 digital-service categories (30 d) → C8, P2030_DIGITAL_HH",
    ),
    end("end_repeat"),
    # --- 5. Household digital services ---------------------------------------
    q("begin_group", "dich_vu", "Dịch vụ số của hộ", "Household digital services", relevant=CONSENTED, ind="—"),
    q(
        "select_multiple hoa_don",
        "ho_hoa_don",
        "Trong 3 tháng qua hộ trả khoản nào không dùng tiền mặt?",
        "In the last 3 months, which bills did the household pay without cash?",
        required=True,
        **exclusive("khong", "Không có khoản nào", "None"),
        ind="P2030_CASHLESS_PEOPLE (household-level alternative definition)",
    ),
    q(
        "select_multiple rao_can",
        "rao_can",
        "Khó khăn khi dùng dịch vụ số",
        "Difficulties in using digital services",
        required=True,
        **exclusive("khong_kho", "Không gặp khó khăn", "No difficulty"),
        ind="— (barriers; communication planning)",
    ),
    q(
        "select_one co_khong",
        "ho_tro_12",
        "12 tháng qua hộ có được Tổ công nghệ số cộng đồng/đoàn viên hỗ trợ không?",
        "In the last 12 months, was the household helped by the Tổ CNSCĐ / youth volunteers?",
        required=True,
        ind="A1 context (reach of the Tổ CNSCĐ)",
    ),
    q(
        "select_multiple noi_dung_ht",
        "ho_tro_nd",
        "Được hỗ trợ nội dung gì?",
        "What help was received?",
        relevant="${ho_tro_12} = 'co'",
        required=True,
        choice_filter="name != 'khong'",
        ind="A1 context",
    ),
    q(
        "select_multiple noi_dung_ht",
        "nhu_cau_ht",
        "Hộ muốn được hỗ trợ thêm nội dung gì?",
        "What further help would the household like?",
        required=True,
        **exclusive("khong", "Không cần hỗ trợ", "None needed"),
        ind="— (support planning)",
    ),
    end("end_group"),
    # --- 6. Agri-tech ---------------------------------------------------------
    q(
        "begin_group",
        "nong_nghiep",
        "Ứng dụng công nghệ trong sản xuất nông nghiệp",
        "Technology in agricultural production",
        relevant=f"{CONSENTED} and ${{ho_nn}} = 'co'",
        ind="—",
    ),
    q(
        "select_multiple cn_nn",
        "nn_cn",
        "Hộ đang áp dụng công nghệ nào?",
        "Which technologies does the household use?",
        required=True,
        **exclusive("khong", "Chưa áp dụng", "None"),
        ind="D2 / P2027_AGRI_MODEL (lead list of candidate models to verify in pl_kdc)",
    ),
    q(
        "text",
        "nn_mo_ta",
        "Mô tả ngắn (cây/con, diện tích, từ năm nào)",
        "Short description (crop/animal, area, since when)",
        hint=("Không ghi họ tên.", "Do not write names."),
        relevant="${nn_cn} != '' and not(selected(${nn_cn}, 'khong'))",
        ind="D2 context",
    ),
    end("end_group"),
    # --- 7. Household indicators (convenience; backend recomputes from the repeat) ---
    q(
        "calculate",
        "n_tv_ts",
        relevant=CONSENTED,
        calc="sum(${tv_ts})",
        ind="members 15+ using a smartphone for services (C1 numerator helper)",
    ),
    q("calculate", "ho_t3", relevant=CONSENTED, calc="if(${n_tv_ts} > 0, 1, 0)", ind="C1, P2027_SMARTPHONE_HH (0/1)"),
    q("calculate", "ho_t1", relevant=CONSENTED, calc="if(${tt_57} = 'co', 1, 0)", ind="A5, P2025_INFO (0/1)"),
    q(
        "calculate",
        "ho_t7",
        relevant=CONSENTED,
        calc="if(sum(${tv_dv2}) > 0 and not(selected(${kenh_tt_30}, 'khong_nhan')), 1, 0)",
        ind="C8, P2030_DIGITAL_HH (0/1)",
    ),
    q(
        "calculate",
        "n_ttkdtm",
        relevant=CONSENTED,
        calc="count(${tv}[tv_ttkdtm_30 = 'co'])",
        ind="C5, P2030_CASHLESS_PEOPLE (members 15+ paying cashless, 30 d)",
    ),
    q(
        "calculate",
        "ho_c7",
        relevant=CONSENTED,
        calc="if(count(${tv}[tv_dvc_12 = 'co']) > 0, 1, 0)",
        ind="C7 (0/1 household with a member who filed online, 12 m)",
    ),
    photo(
        "anh",
        "Ảnh minh chứng (không chụp người, giấy tờ tùy thân)",
        "Evidence photo (no people, no ID documents)",
        relevant=CONSENTED,
        ind="— (evidence, e.g. house QR plate for E2)",
    ),
    q("text", "ghi_chu", "Ghi chú", "Notes", appearance="multiline", ind="— (QA; flags child-headed households)"),
]

PL_HO = {
    "stem": "pl_ho",
    "settings": {
        "form_title": "Phiếu khảo sát hộ gia đình",
        "form_id": "pl_ho",
        "name": "pl_ho",
        "version": "2026112701",
        "default_language": VI,
        "instance_name": "concat(${ap}, ' ', ${ma_ho})",
    },
    "survey": PL_HO_SURVEY,
}


# ---------------------------------------------------------------------------
# Form 2 — pl_cho, market trader survey (DOMAIN.md §4.2)
# ---------------------------------------------------------------------------

PL_CHO_SURVEY: list[dict] = [
    *metadata(),
    survey_round_from_today(),
    volunteer_code(),
    q(
        "select_one_from_file cho.csv",
        "cho",
        "Chợ",
        "Market",
        hint=(
            "Chợ xã Phú Lâm (tên chính thức do UBND xã xác nhận).",
            "The Phú Lâm commune market (official name to be confirmed by the commune).",
        ),
        required=True,
        ind="P2027_MARKET_CASHLESS (grouping key)",
    ),
    q(
        "text",
        "sap_so",
        "Số sạp/ki-ốt (theo sơ đồ của Ban quản lý chợ)",
        "Stall / kiosk number (market board's plan)",
        required=True,
        constraint="regex(., '^[A-Za-z0-9-]{1,10}$')",
        msg=(
            "Chỉ gồm chữ không dấu, số và dấu gạch ngang, tối đa 10 ký tự.",
            "Letters without accents, digits and hyphens only, at most 10 characters.",
        ),
        ind="stall key (cho + sap_so) matched to the market register (denominator)",
    ),
    location("vi_tri", "Vị trí sạp", "Stall location", ind="map"),
    q(
        "select_one co_khong",
        "dong_y",
        "Anh/chị có đồng ý tham gia khảo sát không? Thông tin chỉ dùng để thống kê; không thu số "
        "căn cước, họ tên đầy đủ, số điện thoại hay số tài khoản.",
        "Do you agree to take part? The answers are used for statistics only; we do not collect "
        "ID numbers, full names, phone numbers or account numbers.",
        required=True,
        ind="response status (refusals stay in the register denominator)",
    ),
    declined_note(
        "Sạp không đồng ý tham gia. Cảm ơn anh/chị. Hãy lưu và gửi phiếu.",
        "The trader declined. Thank them, then save and send the form.",
    ),
    q(
        "select_one co_khong",
        "cu_tru_xa",
        "Chủ sạp có cư trú tại xã Phú Lâm không?",
        "Does the stall owner live in Phú Lâm commune?",
        relevant=CONSENTED,
        required=True,
        ind="D1 (attribution of traders to hamlets)",
    ),
    hamlet(
        "ap_cu_tru",
        "Ấp nơi cư trú",
        "Hamlet of residence",
        relevant=f"{CONSENTED} and ${{cu_tru_xa}} = 'co'",
        ind="D1 (trader's home hamlet)",
    ),
    q(
        "select_one loai_kd",
        "loai",
        "Loại hình kinh doanh",
        "Business type",
        relevant=CONSENTED,
        required=True,
        ind="disaggregation",
    ),
    q(
        "select_one nganh",
        "nganh",
        "Ngành hàng chính",
        "Main goods",
        relevant=CONSENTED,
        required=True,
        ind="disaggregation",
    ),
    q(
        "integer",
        "so_ngay",
        "Số ngày bán trong tuần",
        "Trading days per week",
        relevant=CONSENTED,
        required=True,
        constraint=". >= 1 and . <= 7",
        msg=("Số ngày bán phải từ 1 đến 7.", "Must be between 1 and 7."),
        ind="— (activity)",
    ),
    q(
        "select_one co_khong",
        "co_dtdm",
        "Chủ sạp có dùng điện thoại thông minh không?",
        "Does the stall owner use a smartphone?",
        relevant=CONSENTED,
        required=True,
        ind="context (barrier analysis)",
    ),
    q(
        "select_one co_khong",
        "nhan_kdtm",
        "Sạp có nhận thanh toán không dùng tiền mặt không?",
        "Does the stall accept cashless payment?",
        relevant=CONSENTED,
        required=True,
        ind="P2027_MARKET_CASHLESS (via t4_dat); D1",
    ),
    q(
        "select_multiple hinh_thuc",
        "ht_nhan",
        "Nhận qua hình thức nào?",
        "Which methods?",
        relevant="${nhan_kdtm} = 'co'",
        required=True,
        ind="P2027_MARKET_CASHLESS detail",
    ),
    q(
        "select_one co_khong",
        "qr_hien_thi",
        "Mã QR có được trưng bày ở sạp không? (điều tra viên quan sát)",
        "Is the QR code visibly displayed at the stall? (observed)",
        relevant="selected(${ht_nhan}, 'qr_tinh') or selected(${ht_nhan}, 'qr_dong')",
        required=True,
        ind="t4_co_qr (Chợ 4.0 QR coverage)",
    ),
    photo(
        "anh_qr",
        "Chụp ảnh bảng mã QR (có thể che số tài khoản; không chụp người)",
        "Photo of the QR stand (account number may be covered; no people)",
        relevant="${qr_hien_thi} = 'co'",
        ind="evidence for t4_co_qr",
    ),
    q(
        "select_one co_khong",
        "loa_bao",
        "Có loa/ứng dụng thông báo tiền về không?",
        "Is there a payment-notification speaker or app?",
        relevant="${nhan_kdtm} = 'co'",
        required=True,
        ind="context (fraud resilience)",
    ),
    q(
        "integer",
        "gd_7ngay",
        "Số lượt khách trả không dùng tiền mặt trong 7 ngày qua (ước tính)",
        "Cashless payments received in the last 7 days (estimate)",
        relevant="${nhan_kdtm} = 'co'",
        required=True,
        constraint=". >= 0 and . <= 5000",
        msg=("Số lượt phải từ 0 đến 5000.", "Must be between 0 and 5000."),
        ind="P2027_MARKET_CASHLESS (t4_dat needs gd_7ngay > 0); D1",
    ),
    q(
        "select_one ty_le",
        "ty_le_dt",
        "Tỷ lệ doanh thu nhận không dùng tiền mặt (ước tính)",
        "Share of revenue received cashless (estimate)",
        relevant="${nhan_kdtm} = 'co'",
        required=True,
        ind="context (depth of use)",
    ),
    q(
        "select_one co_khong",
        "phi_cho_kdtm",
        "Có nộp phí chợ, tiền điện nước cho Ban quản lý chợ bằng chuyển khoản/QR không?",
        "Are market fees / utilities paid to the market board by transfer or QR?",
        relevant=CONSENTED,
        required=True,
        ind="context (Chợ 4.0: fees collected cashless)",
    ),
    q(
        "select_multiple ly_do",
        "ly_do_chua",
        "Vì sao chưa nhận thanh toán không dùng tiền mặt?",
        "Why is cashless payment not accepted?",
        relevant="${nhan_kdtm} = 'khong'",
        required=True,
        ind="— (barriers)",
    ),
    q(
        "select_one co_khong",
        "san_sang",
        "Có sẵn sàng tham gia “chợ không dùng tiền mặt” nếu được hỗ trợ mở tài khoản, in mã QR miễn phí không?",
        "Willing to join the “cashless market” if helped to open an account and given a free printed QR code?",
        relevant="${nhan_kdtm} = 'khong'",
        required=True,
        ind="— (campaign targeting)",
    ),
    q(
        "select_one co_khong",
        "ban_online",
        "Có bán hàng trực tuyến không?",
        "Does the trader sell online?",
        relevant=CONSENTED,
        required=True,
        ind="context (e-commerce)",
    ),
    q(
        "select_multiple kenh_online",
        "ban_online_kenh",
        "Kênh bán",
        "Online channels",
        relevant="${ban_online} = 'co'",
        required=True,
        ind="context",
    ),
    q(
        "select_one co_khong_kb",
        "hd_dien_tu",
        "Có dùng hóa đơn điện tử (máy tính tiền kết nối cơ quan thuế) không?",
        "Does the business use e-invoices (cash register linked to the tax office)?",
        relevant="${loai} = 'hkd_dk'",
        ind="context",
    ),
    q(
        "select_one co_khong",
        "bi_lua",
        "12 tháng qua có gặp lừa đảo khi nhận thanh toán (ảnh chuyển khoản giả, QR bị dán đè…) không?",
        "In the last 12 months, any payment fraud (fake transfer screenshots, QR stickers pasted over…)?",
        relevant=CONSENTED,
        required=True,
        ind="— (safety messaging)",
    ),
    q(
        "select_multiple noi_dung_ht",
        "nhu_cau_ht",
        "Cần hỗ trợ gì?",
        "What help is needed?",
        relevant=CONSENTED,
        required=True,
        **exclusive("khong", "Không cần hỗ trợ", "None needed"),
        ind="— (support planning)",
    ),
    q(
        "calculate",
        "t4_dat",
        relevant=CONSENTED,
        calc="if(${nhan_kdtm} = 'co' and ${gd_7ngay} > 0, 1, 0)",
        ind="P2027_MARKET_CASHLESS (0/1 stall uses cashless); D1 (CHO part)",
    ),
    q(
        "calculate",
        "t4_co_qr",
        relevant=CONSENTED,
        calc="if(${qr_hien_thi} = 'co', 1, 0)",
        ind="0/1 stall accepts and displays QR",
    ),
    q("text", "ghi_chu", "Ghi chú", "Notes", appearance="multiline", ind="— (QA)"),
]

PL_CHO = {
    "stem": "pl_cho",
    "settings": {
        "form_title": "Phiếu khảo sát tiểu thương, hộ kinh doanh tại chợ xã",
        "form_id": "pl_cho",
        "name": "pl_cho",
        "version": "2026112701",
        "default_language": VI,
        "instance_name": "concat(${cho}, ' ', ${sap_so})",
    },
    "survey": PL_CHO_SURVEY,
}


# ---------------------------------------------------------------------------
# Form 3 — pl_kdc, hamlet assessment "Khu dân cư chuyển đổi số" (DOMAIN.md §4.3)
# ---------------------------------------------------------------------------

HAS_TEAM = "${to_cnscd} = 'co'"
HAS_DECISION = "${to_co_qd} = 'co'"
HAS_LOUDSPEAKER = "${loa} != '' and ${loa} != 'khong'"

PL_KDC_SURVEY: list[dict] = [
    *metadata(),
    hamlet(vi="Ấp được đánh giá", en="Hamlet assessed"),
    volunteer_code("Mã người đánh giá", "Assessor code"),
    q("select_multiple nguoi_cc", "nguoi_cc", "Người cung cấp thông tin", "Informants", required=True, ind="— (QA)"),
    q(
        "date",
        "ngay_dg",
        "Ngày đánh giá",
        "Assessment date",
        required=True,
        constraint=". <= today() and . >= date('2025-07-01')",
        msg=(
            "Ngày đánh giá không được sau hôm nay và không trước 01/7/2025 (ngày xã Phú Lâm mới bắt đầu hoạt động).",
            "The date cannot be in the future or before 1 July 2025 (when the new Phú Lâm commune began).",
        ),
        ind="assessment date; dot_ks is its year",
    ),
    q(
        "calculate",
        "dot_ks",
        calc="if(${ngay_dg} != '', format-date(${ngay_dg}, '%Y'), '')",
        ind="survey round (year of the assessment date); period key for P2030_DRA_MODELS",
    ),
    # --- 1. Hamlet size ------------------------------------------------------
    q(
        "integer",
        "so_ho",
        "Số hộ trong ấp (theo sổ sách ấp)",
        "Households (hamlet register)",
        required=True,
        constraint=". >= 1 and . <= 5000",
        msg=("Số hộ phải từ 1 đến 5000.", "Must be between 1 and 5000."),
        ind="household denominators (coverage of pl_ho; E2)",
    ),
    q(
        "integer",
        "so_nk",
        "Số nhân khẩu",
        "Population",
        required=True,
        constraint=". >= ${so_ho} and . <= 50000",
        msg=(
            "Số nhân khẩu phải không nhỏ hơn số hộ và không quá 50000.",
            "Population must be at least the number of households and at most 50000.",
        ),
        ind="population denominators",
    ),
    q(
        "integer",
        "so_hkd",
        "Số hộ kinh doanh, cơ sở buôn bán trong ấp",
        "Business households / shops in the hamlet",
        required=True,
        constraint=". >= 0 and . <= 5000",
        msg=("Phải từ 0 đến 5000.", "Must be between 0 and 5000."),
        ind="D1 denominator (D1 not applicable when 0)",
    ),
    q(
        "integer",
        "so_hkd_kdtm",
        "Trong đó số hộ có mã QR/tài khoản và có nhận thanh toán không dùng tiền mặt trong 7 ngày qua",
        "Of which: with a QR code/account and at least one cashless payment in the last 7 days",
        relevant="${so_hkd} > 0",
        required=True,
        constraint=". >= 0 and . <= ${so_hkd}",
        msg=(
            "Không được lớn hơn số hộ kinh doanh trong ấp.",
            "Cannot exceed the number of business households.",
        ),
        ind="D1 numerator",
    ),
    # --- 2. Tổ công nghệ số cộng đồng (A1) -----------------------------------
    q(
        "select_one co_khong",
        "to_cnscd",
        "Ấp có Tổ công nghệ số cộng đồng không?",
        "Does the hamlet have a Tổ CNSCĐ (community digital technology team)?",
        required=True,
        ind="A1",
    ),
    q(
        "select_one co_khong",
        "to_co_qd",
        "Tổ có quyết định thành lập của UBND xã không?",
        "Was the team established by a decision of the commune People's Committee?",
        relevant=HAS_TEAM,
        required=True,
        ind="A1 (commune decision)",
    ),
    q(
        "text",
        "to_qd_so",
        "Số quyết định thành lập",
        "Establishment decision number",
        relevant=HAS_DECISION,
        constraint="string-length(.) <= 40",
        msg=("Tối đa 40 ký tự.", "At most 40 characters."),
        ind="A1 evidence",
    ),
    q(
        "date",
        "to_qd_ngay",
        "Ngày quyết định",
        "Decision date",
        relevant=HAS_DECISION,
        constraint=". <= today()",
        msg=("Ngày quyết định không được sau hôm nay.", "The decision date cannot be in the future."),
        ind="A1 evidence",
    ),
    q(
        "integer",
        "to_so_tv",
        "Số thành viên của Tổ",
        "Team members",
        relevant=HAS_TEAM,
        required=True,
        constraint=". >= 1 and . <= 50",
        msg=("Số thành viên phải từ 1 đến 50.", "Must be between 1 and 50."),
        ind="A1 (≥3 members, §1.6)",
    ),
    q(
        "select_one co_khong",
        "to_co_doan",
        "Có đoàn viên thanh niên trong Tổ không?",
        "Does the team include a Youth Union member?",
        relevant=HAS_TEAM,
        required=True,
        ind="A1 (youth-union member)",
    ),
    q(
        "integer",
        "to_hd_3t",
        "Số buổi hoạt động/hỗ trợ người dân trong 3 tháng qua (theo nhật ký)",
        "Activities / support sessions in the last 3 months (from the log)",
        relevant=HAS_TEAM,
        required=True,
        constraint=". >= 0 and . <= 300",
        msg=("Phải từ 0 đến 300.", "Must be between 0 and 300."),
        ind="A1 (activity volume)",
    ),
    q(
        "integer",
        "to_thang_hd",
        "Trong 3 tháng qua, có bao nhiêu tháng Tổ có ít nhất 1 buổi hoạt động?",
        "In the last 3 months, in how many months did the team hold at least one activity?",
        relevant=HAS_TEAM,
        required=True,
        constraint=". >= 0 and . <= 3 and . <= ${to_hd_3t}",
        msg=(
            "Phải từ 0 đến 3 và không lớn hơn số buổi hoạt động.",
            "Must be between 0 and 3 and not more than the number of activities.",
        ),
        ind="A1 (≥1 activity every month ⇔ to_thang_hd = 3)",
    ),
    photo(
        "to_anh_qd",
        "Ảnh quyết định thành lập",
        "Photo of the establishment decision",
        relevant=HAS_DECISION,
        hint=("Chụp rõ số và ngày quyết định.", "Make the decision number and date legible."),
        ind="A1 evidence",
    ),
    # --- 3. Communication (A2, A3) ---------------------------------------------
    q(
        "select_one co_khong",
        "zalo_ap",
        "Ấp có nhóm Zalo/mạng xã hội chính thức do Ban điều hành ấp quản lý không?",
        "Does the hamlet have an official Zalo/social-media group run by the hamlet board?",
        required=True,
        ind="A2 (KDC part; share of households from pl_ho zalo_ap)",
    ),
    q(
        "integer",
        "zalo_tv",
        "Số thành viên nhóm",
        "Group members",
        relevant="${zalo_ap} = 'co'",
        required=True,
        constraint=". >= 1 and . <= 20000",
        msg=("Phải từ 1 đến 20000.", "Must be between 1 and 20000."),
        ind="A2 context",
    ),
    q(
        "select_one loai_loa",
        "loa",
        "Hệ thống loa truyền thanh",
        "Loudspeaker system",
        required=True,
        ind="A3 (KDC part; share of households from pl_ho nghe_loa)",
    ),
    q(
        "integer",
        "so_cum_loa",
        "Số cụm loa",
        "Number of loudspeaker clusters",
        relevant=HAS_LOUDSPEAKER,
        required=True,
        constraint=". >= 1 and . <= 100",
        msg=("Phải từ 1 đến 100.", "Must be between 1 and 100."),
        ind="A3 context",
    ),
    q(
        "select_one pham_vi",
        "loa_pham_vi",
        "Phạm vi phủ loa",
        "Loudspeaker coverage",
        relevant=HAS_LOUDSPEAKER,
        required=True,
        ind="A3 (KDC part)",
    ),
    q(
        "select_one co_khong",
        "bang_tin",
        "Có bảng tin ấp/mã QR tra cứu thông tin, thủ tục không?",
        "Is there a hamlet bulletin board / QR information point?",
        required=True,
        ind="A4 context (grassroots information system)",
    ),
    # --- 4. Connectivity (B1, B2, B3) ------------------------------------------
    q(
        "select_one co_khong",
        "wifi_nvh",
        "Nhà văn hóa/điểm sinh hoạt cộng đồng có wifi miễn phí không?",
        "Is there free wifi at the cultural house / community point?",
        required=True,
        ind="B3",
    ),
    q(
        "decimal",
        "wifi_mbps",
        "Tốc độ tải xuống đo được (Mbps)",
        "Measured download speed (Mbps)",
        hint=(
            "Kết nối wifi của nhà văn hóa rồi đo bằng ứng dụng đo tốc độ (ví dụ i-Speed, Speedtest).",
            "Connect to the cultural-house wifi and measure with a speed-test app (e.g. i-Speed, Speedtest).",
        ),
        relevant="${wifi_nvh} = 'co'",
        required=True,
        constraint=". > 0 and . < 2000",
        msg=("Tốc độ phải lớn hơn 0 và nhỏ hơn 2000 Mbps.", "Speed must be above 0 and below 2000 Mbps."),
        ind="B3 (speed test)",
    ),
    photo(
        "wifi_anh",
        "Ảnh kết quả đo tốc độ",
        "Screenshot/photo of the speed test",
        relevant="${wifi_nvh} = 'co'",
        hint=("Ảnh chụp màn hình kết quả đo.", "A screenshot of the result."),
        ind="B3 evidence",
    ),
    q(
        "select_one pham_vi",
        "phu_cap_quang",
        "Mức độ phủ cáp quang đến hộ (theo nhà mạng/trưởng ấp)",
        "Fibre availability to homes (per operator / hamlet head)",
        required=True,
        ind="B2 context (the rate comes from pl_ho internet_cd)",
    ),
    q(
        "integer",
        "so_diem_do",
        "Số điểm đo sóng di động (tối thiểu 5, rải đều trong ấp)",
        "Number of mobile-signal test points (at least 5, spread across the hamlet)",
        required=True,
        constraint=". >= 5 and . <= 30",
        msg=("Cần từ 5 đến 30 điểm đo.", "Between 5 and 30 test points are needed."),
        ind="B1 (denominator; enforces ≥5 points)",
    ),
    q(
        "begin_repeat",
        "diem_do",
        "Điểm đo sóng di động",
        "Mobile-signal test point",
        repeat_count="${so_diem_do}",
        ind="B1 (one instance per test point)",
    ),
    location("dd_vitri", "Vị trí điểm đo", "Test-point location", required=True, ind="B1 (map)"),
    q(
        "select_one song_do",
        "dd_song",
        "Loại sóng mạnh nhất",
        "Best network type",
        required=True,
        ind="B1 (dd_song in '4g', '5g'); 2030 5G share",
    ),
    q(
        "decimal",
        "dd_mbps",
        "Tốc độ tải xuống (Mbps)",
        "Download speed (Mbps)",
        relevant="${dd_song} != '' and ${dd_song} != 'khong'",
        constraint=". >= 0 and . < 2000",
        msg=("Tốc độ phải từ 0 đến dưới 2000 Mbps.", "Speed must be 0 or more and below 2000 Mbps."),
        ind="B1 context (quality)",
    ),
    end("end_repeat"),
    q("calculate", "n_diem", calc="count(${diem_do})", ind="B1 (number of test points)"),
    # --- 5. Agri-tech models (D2) -----------------------------------------------
    q(
        "integer",
        "so_mh_nn",
        "Số mô hình ứng dụng công nghệ trong sản xuất nông nghiệp tại ấp",
        "Technology models in agricultural production in the hamlet",
        required=True,
        constraint=". >= 0 and . <= 50",
        msg=("Phải từ 0 đến 50.", "Must be between 0 and 50."),
        ind="D2, P2027_AGRI_MODEL",
    ),
    q(
        "begin_repeat",
        "mo_hinh_nn",
        "Mô hình",
        "Model",
        relevant="${so_mh_nn} > 0",
        repeat_count="${so_mh_nn}",
        ind="D2, P2027_AGRI_MODEL (one instance per model)",
    ),
    q(
        "text",
        "mh_ten",
        "Tên mô hình",
        "Model name",
        hint=(
            "Ví dụ: Tưới tự động vườn sầu riêng tổ 3; tên HTX/doanh nghiệp. Không ghi họ tên đầy đủ của cá nhân.",
            "E.g. automatic irrigation, durian garden, group 3; co-op/enterprise name. No personal full names.",
        ),
        required=True,
        constraint="string-length(.) <= 120",
        msg=("Tối đa 120 ký tự.", "At most 120 characters."),
        ind="D2 (model register)",
    ),
    q("select_one chu_the", "mh_chu_the", "Chủ thể", "Operator type", required=True, ind="D2"),
    q(
        "select_multiple cn_nn",
        "mh_cn",
        "Công nghệ áp dụng",
        "Technologies applied",
        required=True,
        choice_filter="name != 'khong'",
        ind="D2",
    ),
    q(
        "decimal",
        "mh_quy_mo",
        "Quy mô (ha hoặc số con)",
        "Scale (ha or head of livestock)",
        constraint=". > 0",
        msg=("Quy mô phải lớn hơn 0.", "Scale must be greater than 0."),
        ind="D2 context",
    ),
    q(
        "select_one co_khong",
        "mh_xac_minh",
        "Người đánh giá đã kiểm tra thực tế mô hình này chưa?",
        "Has the assessor verified this model on site?",
        required=True,
        ind="D2, P2027_AGRI_MODEL (only verified models count)",
    ),
    location("mh_vitri", "Vị trí mô hình", "Model location", ind="D2 (map)"),
    photo("mh_anh", "Ảnh mô hình", "Photo of the model", ind="D2 evidence"),
    end("end_repeat"),
    # --- 6. Security and digital address (E1, E2) -------------------------------
    q(
        "integer",
        "so_camera",
        "Số camera an ninh tại điểm công cộng",
        "Public security cameras",
        required=True,
        constraint=". >= 0 and . <= 500",
        msg=("Phải từ 0 đến 500.", "Must be between 0 and 500."),
        ind="E1",
    ),
    q(
        "select_one co_khong",
        "camera_ca",
        "Camera có kết nối với Công an xã không?",
        "Are the cameras linked to the commune police?",
        relevant="${so_camera} > 0",
        required=True,
        ind="E1",
    ),
    q(
        "select_one pham_vi",
        "dia_chi_so",
        "Mức độ gắn địa chỉ số/mã QR cho hộ",
        "Coverage of digital addresses / house QR codes",
        required=True,
        ind="E2 (KDC estimate; the rate comes from pl_ho dia_chi_so_ho)",
    ),
    # --- 7. Wrap-up ------------------------------------------------------------------
    q(
        "note",
        "n_tonghop",
        "Các chỉ tiêu từ phiếu hộ (A2, A3, A4, A5, B2, C1–C8, E2) sẽ được hệ thống tự tổng hợp.",
        "Household-based indicators (A2, A3, A4, A5, B2, C1–C8, E2) are aggregated by the system.",
        ind="—",
    ),
    q("text", "y_kien", "Ý kiến, đề xuất của ấp", "Hamlet comments and proposals", appearance="multiline", ind="—"),
    photo(
        "bien_ban",
        "Ảnh biên bản đánh giá",
        "Photo of the assessment minutes",
        hint=("Chụp rõ nội dung biên bản.", "Make the minutes legible."),
        ind="evidence for the whole assessment (P2030_DRA_MODELS)",
    ),
    photo(
        "chu_ky",
        "Chữ ký trưởng ấp",
        "Signature of the hamlet head",
        appearance="signature",
        hint=("Trưởng ấp ký trên màn hình.", "The hamlet head signs on the screen."),
        ind="evidence (sign-off)",
    ),
    q(
        "calculate",
        "d1_tyle",
        calc="if(${so_hkd} > 0, round(100 * ${so_hkd_kdtm} div ${so_hkd}, 1), '')",
        ind="D1 (% of business households cashless; empty when the hamlet has none)",
    ),
]

PL_KDC = {
    "stem": "pl_kdc",
    "settings": {
        "form_title": "Phiếu đánh giá ấp theo mô hình “Khu dân cư chuyển đổi số”",
        "form_id": "pl_kdc",
        "name": "pl_kdc",
        "version": "2026112701",
        "default_language": VI,
        "instance_name": "concat(${ap}, ' ', ${ngay_dg})",
    },
    "survey": PL_KDC_SURVEY,
}

FORMS = (PL_HO, PL_CHO, PL_KDC)


# ---------------------------------------------------------------------------
# Sample media (the server regenerates ap.csv from its hamlet table)
# ---------------------------------------------------------------------------

# (code, Vietnamese name, real?) — the first eight are the names found in DOMAIN.md §3.3;
# the rest are SYNTHETIC placeholders until the commune supplies its hamlet list.
HAMLETS: list[tuple[str, str, bool]] = [
    ("AP01", "Phú Dũng", True),
    ("AP02", "Phú Tân", True),
    ("AP03", "Phú Thành", True),
    ("AP04", "Phú Cường", True),
    ("AP05", "Phú Hợp A", True),
    ("AP06", "Phú Hợp B", True),
    ("AP07", "Phương Lâm", True),
    ("AP08", "Phú Yên", True),
    ("AP09", "Phú Lợi", False),
    ("AP10", "Phú Thạnh", False),
    ("AP11", "Phú Hòa", False),
    ("AP12", "Phú Lộc", False),
    ("AP13", "Phú An", False),
    ("AP14", "Phú Quý", False),
    ("AP15", "Phú Vinh", False),
    ("AP16", "Phú Xuân", False),
    ("AP17", "Phú Mỹ", False),
    ("AP18", "Phú Khánh", False),
    ("AP19", "Phú Nhuận", False),
    ("AP20", "Phú Thọ", False),
    ("AP21", "Phú Hưng", False),
    ("AP22", "Phú Điền", False),
    ("AP23", "Thanh Bình", False),
    ("AP24", "Thanh Trung", False),
    ("AP25", "Thanh Tâm", False),
    ("AP26", "Thanh Thủy", False),
    ("AP27", "Sơn Hà", False),
    ("AP28", "Sơn Lâm", False),
    ("AP29", "Trung Hưng", False),
    ("AP30", "Trung Nghĩa", False),
]

# ODK Web Forms turns CSV column names into XML element names, so language columns such as
# "label::Tiếng Việt (vi)" break it; the English label goes in a plain `label_en` column.
MEDIA_HEADER = ("name", "label", "label_en")


def media_rows() -> dict[str, list[tuple[str, ...]]]:
    ap = [MEDIA_HEADER]
    for code, name, _real in HAMLETS:
        ap.append((code, f"Ấp {name}", f"{name} hamlet"))
    cho = [MEDIA_HEADER, ("CHO_PL", "Chợ xã Phú Lâm", "Phú Lâm commune market")]
    return {"ap.csv": ap, "cho.csv": cho}


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------


def _check_text(value: str, where: str) -> None:
    if not unicodedata.is_normalized("NFC", value):
        raise ValueError(f"{where}: text is not NFC: {value!r}")
    if value != value.strip():
        raise ValueError(f"{where}: leading/trailing whitespace: {value!r}")


def survey_sheet_rows(survey: list[dict]) -> tuple[list[str], list[list[str]]]:
    used = [c for c in SURVEY_COLUMNS if any(r.get(c) for r in survey)]
    rows = [[r.get(c, "") or "" for c in used] for r in survey]
    return used, rows


def choice_sheet_rows(survey: list[dict]) -> list[list[str]]:
    lists: list[str] = []
    for r in survey:
        parts = r["type"].split()
        if parts[0] in ("select_one", "select_multiple") and len(parts) == 2:
            if parts[1] not in lists:
                lists.append(parts[1])
    rows = []
    for list_name in lists:
        for name, vi, en in CHOICES[list_name]:
            rows.append([list_name, name, vi, en])
    return rows


def _pin_xlsx_bytes(data: bytes) -> bytes:
    """Rewrite the workbook zip with fixed timestamps so identical input gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_DOC_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + stamp + m.group(3),
                    content,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, content)
    return out.getvalue()


def _write_sheet(ws, header: list[str] | tuple[str, ...], rows: list[list[str]], widths: dict[str, int]) -> None:
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row):
            _check_text(value, f"{ws.title}!R{i}C{j + 1}")
        ws.append([v if v != "" else None for v in row])
    ws.freeze_panes = "A2"
    for j, col in enumerate(header, start=1):
        letter = openpyxl.utils.get_column_letter(j)
        ws.column_dimensions[letter].width = widths.get(col, 24 if col.startswith(("label", "hint")) else 14)


def build_workbook(form: dict) -> bytes:
    survey = form["survey"]
    names = [r["name"] for r in survey if r.get("name")]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"{form['stem']}: duplicate field names {dupes}")

    wb = openpyxl.Workbook()
    wb.properties.creator = "forms_xlsform/authoring/build_forms.py"
    wb.properties.created = FIXED_DOC_TIME
    wb.properties.modified = FIXED_DOC_TIME

    ws = wb.active
    ws.title = "survey"
    header, rows = survey_sheet_rows(survey)
    _write_sheet(
        ws,
        header,
        rows,
        {
            "type": 30,
            "name": 16,
            f"label::{VI}": 60,
            f"label::{EN}": 50,
            "relevant": 36,
            "constraint": 36,
            "calculation": 50,
        },
    )

    _write_sheet(
        wb.create_sheet("choices"),
        CHOICE_COLUMNS,
        choice_sheet_rows(survey),
        {"list_name": 16, "name": 18, f"label::{VI}": 50, f"label::{EN}": 40},
    )

    settings = form["settings"]
    _write_sheet(
        wb.create_sheet("settings"),
        SETTINGS_COLUMNS,
        [[settings[c] for c in SETTINGS_COLUMNS]],
        {"form_title": 50, "instance_name": 36},
    )

    buf = io.BytesIO()
    wb.save(buf)
    return _pin_xlsx_bytes(buf.getvalue())


def write_media(out_dir: Path) -> list[Path]:
    written = []
    for filename, rows in media_rows().items():
        for i, row in enumerate(rows):
            for value in row:
                _check_text(value, f"{filename} row {i + 1}")
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        path = out_dir / filename
        path.write_bytes(buf.getvalue().encode("utf-8"))
        written.append(path)
    return written


# ---------------------------------------------------------------------------
# README data dictionary (generated between markers, so it cannot drift from the forms)
# ---------------------------------------------------------------------------


def field_paths(form: dict) -> list[tuple[dict, str]]:
    """(row, instance path) for every named row, in form order."""
    root = f"/{form['settings']['name']}"
    stack: list[str] = []
    out = []
    for r in form["survey"]:
        t = r["type"]
        if t in ("end_group", "end_repeat"):
            stack.pop()
            continue
        path = "/".join([root, *stack, r["name"]])
        out.append((r, path))
        if t in ("begin_group", "begin_repeat"):
            stack.append(r["name"])
    return out


def dictionary_markdown(form: dict) -> str:
    lines = [
        "| field | type | label (vi) | instance path | indicator(s) / use |",
        "|---|---|---|---|---|",
    ]
    for r, path in field_paths(form):
        label = r.get(f"label::{VI}") or "—"
        cell = label.replace("|", "\\|")
        lines.append(f"| `{r['name']}` | {r['type']} | {cell} | `{path}` | {r.get('_ind') or '—'} |")
    return "\n".join(lines)


def update_readme(path: Path = README) -> bool:
    """Replace the generated dictionary blocks in README.md; return True if it changed."""
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    new = text
    for form in FORMS:
        stem = form["stem"]
        begin = f"<!-- BEGIN GENERATED DICTIONARY {stem} -->"
        end_ = f"<!-- END GENERATED DICTIONARY {stem} -->"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end_), re.S)
        if not pattern.search(new):
            raise ValueError(f"README.md lacks the markers for {stem}")
        block = f"{begin}\n{dictionary_markdown(form)}\n{end_}"
        new = pattern.sub(lambda _m, block=block: block, new)
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def build_all(out_dir: Path = FORMS_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for form in FORMS:
        path = out_dir / f"{form['stem']}.xlsx"
        path.write_bytes(build_workbook(form))
        written.append(path)
    written += write_media(out_dir)
    return written


def check(paths: list[Path]) -> int:
    """Convert each form with ODK Validate; print timing and warnings. Returns an exit code."""
    import time

    from pyxform.xls2xform import convert

    status = 0
    for path in paths:
        if path.suffix != ".xlsx":
            continue
        t0 = time.perf_counter()
        try:
            result = convert(xlsform=str(path), validate=True)
        except Exception as exc:  # report every form, then fail
            print(f"FAIL {path.name}: {exc}")
            status = 1
            continue
        print(
            f"ok   {path.name}: {time.perf_counter() - t0:.2f}s, {len(result.xform)} chars, "
            f"{len(result.warnings)} warning(s)"
        )
        for w in result.warnings:
            print(f"     warning: {w}")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=FORMS_DIR, help="output folder (default: forms_xlsform/)")
    parser.add_argument("--check", action="store_true", help="convert with ODK Validate after building")
    args = parser.parse_args(argv)
    paths = build_all(args.out)
    for p in paths:
        print(f"wrote {p}")
    if args.out.resolve() == FORMS_DIR and update_readme():
        print(f"updated {README}")
    return check(paths) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
