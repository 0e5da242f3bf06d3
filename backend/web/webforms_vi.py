"""Vietnamese for the form renderer's own words (ODK Web Forms 0.22).

Web Forms 0.22, the newest release on npm, has its buttons and dialogs in English with no way
for a host to pass a translation (getodk/web-forms #332 is not released). The page supplies
them instead: `static/web/js/webform_i18n.js` swaps these exact texts inside the form for
their Vietnamese when the page is in Vietnamese, and hands PrimeVue (the date picker) its
locale through PrimeVue's own `config.locale`. Nothing in node_modules is changed. A string
Web Forms adds in a later release shows up in English and is caught by the browser test that
scans the rendered form for English words.
"""

from __future__ import annotations

# English text as Web Forms renders it → what the volunteer reads.
UI_STRINGS_VI: dict[str, str] = {
    "Send": "Gửi",
    "Get location": "Lấy vị trí",
    "Finding your location": "Đang tìm vị trí của bạn",
    "Save location": "Lưu vị trí",
    "Cancel": "Hủy",
    "Close": "Đóng",
    "Choose image": "Chọn ảnh",
    "Take picture": "Chụp ảnh",
    "Try again": "Thử lại",
    "Remove": "Xóa",
    "Remove point": "Xóa điểm",
    "Point saved": "Đã lưu điểm",
    "No point saved": "Chưa lưu điểm nào",
    "Save": "Lưu",
    "Delete": "Xóa",
    "Okay": "Đồng ý",
    "Add": "Thêm",
    "Rank items": "Sắp xếp",
    "Powered by": "Chạy trên",
    "Change language": "Đổi ngôn ngữ",
    "Cannot access location": "Không lấy được vị trí",
    "Grant location permission in the browser settings and make sure location is turned on.": (
        "Hãy cho phép trình duyệt dùng vị trí và bật định vị (GPS) trên điện thoại."
    ),
    "Location unavailable. Enable GPS and browser permissions, then restart the form to try again.": (
        "Không có vị trí. Hãy bật GPS và cho phép trình duyệt dùng vị trí, rồi mở lại biểu mẫu."
    ),
    "Time taken to capture location:": "Thời gian lấy vị trí:",
    "Unable to load map": "Không tải được bản đồ",
    "Tap to place a point": "Chạm để đặt điểm",
    "Tap to move point": "Chạm để dời điểm",
    "Press and drag to move a point": "Nhấn giữ và kéo để dời điểm",
    "Zoom in": "Phóng to",
    "Zoom out": "Thu nhỏ",
    "Zoom to fit": "Vừa khung",
    "Zoom to current location": "Đến vị trí hiện tại",
    "Full Screen": "Toàn màn hình",
    "View details": "Xem chi tiết",
    "Undo last change": "Hoàn tác",
    "Upload file": "Tải tệp lên",
    "Import data to replace location": "Nhập dữ liệu thay cho vị trí",
    "Paste data in ODK format": "Dán dữ liệu dạng ODK",
    "Unknown error": "Lỗi không rõ",
    "An error occurred while loading this form": "Có lỗi khi tải biểu mẫu này",
    "Technical error details": "Chi tiết kỹ thuật",
    "1 question with error.": "1 câu hỏi có lỗi.",
    "Good accuracy": "Độ chính xác tốt",
    "Poor accuracy": "Độ chính xác kém",
    "Unknown accuracy": "Chưa rõ độ chính xác",
    "Condition not satisfied: required": "Câu này bắt buộc trả lời",
    "Condition not satisfied: constraint": "Câu trả lời không hợp lệ",
    "Your browser cannot display the map now. Enable graphics acceleration settings.": (
        "Trình duyệt không hiển thị được bản đồ. Hãy bật tăng tốc đồ họa."
    ),
}

# Texts with a number in them: (regular expression, replacement).
UI_PATTERNS_VI: tuple[tuple[str, str], ...] = (
    (r"^(\d+) questions with errors\.$", "$1 câu hỏi có lỗi."),
    (r"^Accuracy: (.+)$", "Độ chính xác: $1"),
    (r"^(.*)Good accuracy$", "$1Độ chính xác tốt"),
    (r"^(.*)Poor accuracy$", "$1Độ chính xác kém"),
    (r"^(.*)Unknown accuracy$", "$1Chưa rõ độ chính xác"),
    (r"^Latitude: (.+)$", "Vĩ độ: $1"),
    (r"^Longitude: (.+)$", "Kinh độ: $1"),
    (r"^Location will be saved at (.+)$", "Vị trí sẽ được lưu khi đạt $1"),
    (r"^Previous saved location at (.+)$", "Vị trí đã lưu trước đó: $1"),
)

# PrimeVue's locale keys the date and time pickers read (primevue.org/configuration/#locale).
PRIMEVUE_LOCALE_VI: dict[str, object] = {
    "accept": "Có",
    "reject": "Không",
    "choose": "Chọn",
    "upload": "Tải lên",
    "cancel": "Hủy",
    "clear": "Xóa",
    "apply": "Áp dụng",
    "today": "Hôm nay",
    "now": "Bây giờ",
    "weekHeader": "Tuần",
    "firstDayOfWeek": 1,
    "dateFormat": "dd/mm/yy",
    "dayNames": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
    "dayNamesShort": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "dayNamesMin": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "monthNames": [f"Tháng {n}" for n in range(1, 13)],
    "monthNamesShort": [f"Th{n}" for n in range(1, 13)],
    "chooseYear": "Chọn năm",
    "chooseMonth": "Chọn tháng",
    "chooseDate": "Chọn ngày",
    "prevYear": "Năm trước",
    "nextYear": "Năm sau",
    "prevMonth": "Tháng trước",
    "nextMonth": "Tháng sau",
    "emptyMessage": "Không có lựa chọn",
    "emptyFilterMessage": "Không tìm thấy",
    "emptySearchMessage": "Không tìm thấy",
    "noFileChosenMessage": "Chưa chọn tệp",
    "aria": {"close": "Đóng", "previous": "Trước", "next": "Sau", "navigation": "Điều hướng"},
}


def web_forms_translation(language: str) -> dict | None:
    """What the page hands the form script for `language`, or None (English: as shipped)."""
    if not language.startswith("vi"):
        return None
    return {"strings": UI_STRINGS_VI, "patterns": UI_PATTERNS_VI, "primevue": PRIMEVUE_LOCALE_VI}
