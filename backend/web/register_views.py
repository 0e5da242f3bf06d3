"""The hamlet head's register page (/hamlet/register): coverage of the register in a declared
round (visited, refused, moved, not found, not yet visited; per hamlet and per volunteer),
open conflicts with their resolution, households added in the field, duplicate visits in
the round, and entity blocks that could not be applied. HTTP only: reads through
`backend.registers.selectors`, the writes through `household_conflict_resolve` and
`household_field_settle` (confirm / reject / merge a household added in the field).

Texts are kept here, bilingual, instead of the shared message catalogue (another page's
helper edits it at the same time); the page follows the site's language switch.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from backend.accounts import policy
from backend.accounts.models import Volunteer
from backend.audit.http import client_ip
from backend.core.errors import Problem
from backend.core.middleware import personal_data
from backend.places.selectors import hamlet_list
from backend.registers import selectors as registers
from backend.registers.services import household_conflict_resolve, household_field_settle
from backend.reports.models import SurveyRound
from backend.reports.selectors import round_register_visits
from backend.submissions.selectors import household_hamlets_visible_to
from backend.web.csp import with_csp
from backend.web.language import vietnamese_first
from backend.web.staff import staff_page

TEXTS = {
    "title": ("Sổ hộ", "Household register"),
    "round": ("Đợt khảo sát", "Survey round"),
    "all_time": ("Mọi thời gian", "All time"),
    "show": ("Xem", "Show"),
    "coverage": ("Độ phủ theo sổ hộ", "Coverage against the register"),
    "hamlet": ("Ấp", "Hamlet"),
    "households": ("Số hộ trong sổ", "Households in the register"),
    "visited": ("Đã khảo sát", "Visited"),
    "refused": ("Từ chối", "Refused"),
    "moved": ("Đã chuyển đi", "Moved away"),
    "not_found": ("Không tìm thấy", "Not found"),
    "not_visited": ("Chưa đến", "Not yet visited"),
    "by_volunteer": ("Theo tình nguyện viên", "By volunteer"),
    "volunteer": ("Tình nguyện viên", "Volunteer"),
    "conflicts": ("Xung đột cần xử lý", "Conflicts to resolve"),
    "conflict_help": (
        "Hai máy cùng sửa một hộ khi không có mạng. Bản sau đã được ghi; chọn giữ bản hiện tại hoặc khôi phục giá "
        "trị bị ghi đè.",
        "Two phones updated one household offline. The later update was applied; keep it or restore the values it "
        "overwrote.",
    ),
    "field": ("Trường", "Field"),
    "before": ("Trước", "Before"),
    "after": ("Sau (hiện tại)", "After (current)"),
    "keep": ("Giữ bản hiện tại", "Keep current"),
    "restore": ("Khôi phục bản trước", "Restore the earlier value"),
    "no_conflicts": ("Không có xung đột.", "No conflicts."),
    "added": ("Hộ mới thêm ngoài thực địa (chưa xác nhận)", "Households added in the field (not confirmed)"),
    "code": ("Mã hộ", "Household code"),
    "label": ("Tên hiển thị", "Label"),
    "added_on": ("Ngày thêm", "Added"),
    "none": ("Không có.", "None."),
    "duplicates": ("Hộ được khảo sát hai lần trong đợt", "Households visited twice in the round"),
    "dup_help": (
        "Lần khảo sát sau được tính; lần trước vẫn được lưu.",
        "The later visit counts; the earlier one stays in history.",
    ),
    "problems": ("Bản ghi chưa cập nhật được sổ hộ", "Submissions that could not update the register"),
    "reason": ("Lý do", "Reason"),
    "resolved": ("Đã xử lý xung đột.", "Conflict resolved."),
    "settle_help": (
        "Xác nhận hộ thật; loại nếu không phải hộ (nhập thử, nhầm); hoặc gộp vào hộ đã có trong sổ (nhập mã hộ).",
        "Confirm a real household; reject one that is not (a test, a mistake); or merge it into a household "
        "already in the register (give its code).",
    ),
    "actions": ("Xử lý", "Action"),
    "held": ("Cập nhật đang chờ bản trước", "Updates waiting for an earlier one"),
    "held_help": (
        "Máy gửi bản sửa sau trước bản sửa trước; sẽ được áp dụng khi bản trước đến (hoặc sau vài ngày).",
        "A phone's later offline update arrived before its earlier one; it is applied when that one arrives "
        "(or after a few days).",
    ),
    "held_since": ("Chờ từ", "Waiting since"),
    "confirm": ("Xác nhận", "Confirm"),
    "reject": ("Loại (trùng/nhầm)", "Reject (duplicate/mistake)"),
    "merge": ("Gộp vào hộ", "Merge into"),
    "merge_code": ("Mã hộ đã có", "Existing household code"),
    "confirmed": ("Đã xác nhận hộ.", "Household confirmed."),
    "rejected": ("Đã loại hộ khỏi sổ.", "Household taken off the register."),
    "merged": ("Đã gộp vào hộ {label}.", "Merged into household {label}."),
}


def _texts() -> dict[str, str]:
    english = (get_language() or "vi").startswith("en")
    return {key: pair[1 if english else 0] for key, pair in TEXTS.items()}


@require_GET
@vietnamese_first
@with_csp
@staff_page(policy.can_open_hamlet_pages)
@personal_data
def hamlet_register(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    rounds = list(SurveyRound.objects.order_by("start", "name"))
    # Default: the latest round that has started (rounds 2027 and 2030 are declared from the start).
    started = [r for r in rounds if r.start <= timezone.localdate()] or rounds
    chosen = next((r for r in rounds if r.name == request.GET.get("round")), started[-1] if started else None)
    # The round's visits by the rounds' own rule (manual assignment or window, counted
    # submissions only), so this page and the coverage page agree.
    in_round = round_register_visits(chosen) if chosen else None
    end = chosen.end if chosen else None
    context = {"t": _texts(), "rounds": rounds, "round": chosen}
    try:
        statuses = registers.household_round_status(actor, submissions=in_round, end=end)
        per_hamlet = registers.round_coverage(statuses)
        names = {h.code: h.name for h in hamlet_list(codes=household_hamlets_visible_to(actor))}
        volunteers = dict(Volunteer.objects.values_list("id", "name"))
        context.update(
            coverage=[{"code": code, "name": names.get(code, code), **row} for code, row in sorted(per_hamlet.items())],
            by_volunteer=[
                {**row, "name": volunteers.get(row["volunteer_id"], "—")}
                for row in registers.volunteer_round_coverage(statuses)
            ],
            conflicts=list(registers.conflicts_for(actor)[:200]),
            added=list(registers.household_list_for_api(actor, added_in_field=True)[:500]),
            duplicates=registers.duplicate_visits(actor, submissions=in_round),
            problems=registers.entity_problems_for(actor),
            held=registers.held_updates_for(actor),
        )
    except Problem as problem:
        messages.error(request, problem.message)
    return render(request, "web/staff/register/page.html", context)


@require_POST
@vietnamese_first
@staff_page(policy.can_open_hamlet_pages)
def hamlet_register_resolve(request: HttpRequest, conflict_id: int) -> HttpResponse:
    actor = request.actor
    try:
        conflict = registers.conflict_get(actor, conflict_id=conflict_id)
    except Problem:
        raise Http404
    if not policy.can_review(actor, conflict.household.hamlet.code):
        return render(request, "web/forbidden.html", status=403)
    try:
        household_conflict_resolve(
            conflict=conflict,
            user=request.user,
            actor=actor,
            resolution=request.POST.get("resolution", ""),
            note=request.POST.get("note", ""),
            ip=client_ip(request),
        )
        messages.success(request, _texts()["resolved"])
    except Problem as problem:
        messages.error(request, problem.message)
    return redirect("hamlet-register")


@require_POST
@vietnamese_first
@staff_page(policy.can_open_hamlet_pages)
def hamlet_register_settle(request: HttpRequest, household_id) -> HttpResponse:
    """Confirm, reject or merge a household added in the field (its hamlet's reviewers)."""
    actor = request.actor
    try:
        household = registers.household_get(actor, household_id=household_id)
    except Problem:
        raise Http404
    if not policy.can_review(actor, household.hamlet.code):
        return render(request, "web/forbidden.html", status=403)
    action = request.POST.get("action", "")
    try:
        kept = household_field_settle(
            household=household,
            action=action,
            into_code=request.POST.get("into", ""),
            user=request.user,
            actor=actor,
            ip=client_ip(request),
        )
    except Problem as problem:
        messages.error(request, problem.message)
        return redirect("hamlet-register")
    texts = _texts()
    done = {"confirm": texts["confirmed"], "reject": texts["rejected"]}.get(action) or texts["merged"].format(
        label=kept.label
    )
    messages.success(request, done)
    return redirect("hamlet-register")
