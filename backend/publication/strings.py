"""The public page's words in Vietnamese (default) and English. Kept here rather than in
the site's .po catalogue: the page is public text the commune may want to reword, and one
file holds all of it."""

STRINGS = {
    "vi": {
        "title": "Kết quả chuyển đổi số",
        "heading": "Kết quả thực hiện Kế hoạch chuyển đổi số",
        "round": "Đợt khảo sát",
        "published": "Công bố ngày",
        "nothing": "Chưa có đợt khảo sát nào được công bố kết quả.",
        "targets": "Tiến độ các chỉ tiêu của Kế hoạch",
        "targets_by": "Chỉ tiêu đến năm",
        "indicator": "Chỉ tiêu",
        "target": "Mục tiêu",
        "result": "Kết quả",
        "interval": "KTC 95 %",
        "verdict": "Đánh giá",
        "change": "So với đợt trước",
        "points": "điểm %",
        "hamlets": 'Các ấp và mô hình "Khu dân cư chuyển đổi số"',
        "hamlet": "Ấp",
        "pilot": "ấp điểm",
        "standing": "Kết quả",
        "mandatory": "BB đạt",
        "optional": "TC đạt/cần",
        "coverage": "Độ phủ",
        "tier": "Đánh giá theo bộ tiêu chí mức",
        "dra_met": "Số ấp đạt",
        "method": (
            "Số liệu từ khảo sát hộ gia đình, tiểu thương và ấp do đoàn viên thanh niên thực hiện. Tỷ lệ toàn xã là "
            "ước lượng theo ấp, kèm khoảng tin cậy 95 % (KTC). Ô có dưới {n} hộ/người được ẩn để bảo vệ thông tin "
            "cá nhân. BB: tiêu chí bắt buộc; TC: tiêu chí tự chọn."
        ),
        "other_rounds": "Các đợt đã công bố",
        "loudspeaker": "Bản tin đọc trên loa (văn bản)",
        "data": "Dữ liệu (JSON)",
        "embed": "Nhúng vào cổng thông tin của xã",
        "embed_help": "Dán đoạn mã sau vào trang của xã:",
        "print": "In trang này bằng lệnh In của trình duyệt.",
        "switch": "English",
        "hidden": "Ẩn",
        "none": "—",
    },
    "en": {
        "title": "Digital transformation results",
        "heading": "Progress of the digital transformation plan",
        "round": "Survey round",
        "published": "Published on",
        "nothing": "No survey round has been published yet.",
        "targets": "Progress toward the plan's targets",
        "targets_by": "Targets for",
        "indicator": "Indicator",
        "target": "Target",
        "result": "Result",
        "interval": "95 % CI",
        "verdict": "Verdict",
        "change": "Since the previous round",
        "points": "points",
        "hamlets": 'Hamlets and the "digital residential area" model',
        "hamlet": "Hamlet",
        "pilot": "pilot",
        "standing": "Result",
        "mandatory": "Mandatory met",
        "optional": "Optional met/needed",
        "coverage": "Coverage",
        "tier": "Judged against the criteria of",
        "dra_met": "Hamlets meeting the standard",
        "method": (
            "Figures from the household, market and hamlet surveys carried out by youth-union volunteers. Commune "
            "rates are estimated by hamlet, with a 95 % confidence interval (CI). Cells of fewer than {n} "
            "households/persons are hidden to protect personal information. Mandatory and optional criteria of the "
            "standard."
        ),
        "other_rounds": "Published rounds",
        "loudspeaker": "Loudspeaker bulletin (text, Vietnamese)",
        "data": "Data (JSON)",
        "embed": "Embed in the commune portal",
        "embed_help": "Paste this code into the commune's page:",
        "print": "Print this page with the browser's Print command.",
        "switch": "Tiếng Việt",
        "hidden": "Hidden",
        "none": "—",
    },
}
