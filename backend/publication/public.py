"""What the public sees: the commune's progress and the hamlets' standing, as a snapshot.

Built from `round_figures(..., microdata=False)`: the suppressed aggregates a viewer gets,
never microdata. To leave nothing to difference back out it publishes less than the viewer
API: no numerators or unit counts, no per-hamlet indicator values, and no standing at all for
a hamlet with a hidden criterion. Complementary suppression of the commune totals (issue 17,
the `correct` work in `analytics/suppress.py`) applies here by itself once it lands, since
this module only reads the suppressed rows.
"""

from __future__ import annotations

from django.utils import timezone

from backend.publication.figures import RoundFigures
from backend.publication.narrative import (
    target_sentence_en,
    target_sentence_spoken_vi,
    target_sentence_vi,
    target_text_en,
    target_text_vi,
    verdict_en,
    verdict_vi,
)
from backend.publication.vietnamese import date_words_vi, number_words_vi

PUBLIC_DIGITS = 1


def _rounded(value):
    return None if value is None else round(value, PUBLIC_DIGITS)


def public_snapshot(figures: RoundFigures) -> dict:
    if not figures.suppressed:
        raise ValueError("the public snapshot is built from suppressed figures only")
    coverage = {c.hamlet: c.coverage for c in figures.coverage}
    targets = []
    for t in figures.targets:
        hidden = t.suppressed or t.value is None
        targets.append(
            {
                "indicator": t.indicator,
                "label_vi": t.label_vi,
                "label_en": t.label_en,
                "target_year": t.target_year,
                "target_op": t.op,
                "target": t.target,
                "target_text_vi": target_text_vi(t),
                "target_text_en": target_text_en(t),
                "percent": t.percent,
                "value": None if hidden else _rounded(t.value),
                "ci_low": None if hidden or not t.percent or t.administrative else _rounded(t.ci_low),
                "ci_high": None if hidden or not t.percent or t.administrative else _rounded(t.ci_high),
                "met": None if hidden else t.met,
                "met_vi": verdict_vi(None if hidden else t.met),
                "met_en": verdict_en(None if hidden else t.met),
                "suppressed": t.suppressed,
                "change": None if hidden or t.change is None else _rounded(t.change),
                "sentence_vi": target_sentence_vi(t, figures.round, figures.previous_round, figures.min_cell),
                "sentence_en": target_sentence_en(t, figures.round, figures.previous_round, figures.min_cell),
                "spoken_vi": target_sentence_spoken_vi(t, figures.round, figures.previous_round),
            }
        )
    hamlets = [
        {
            "hamlet": h.hamlet,
            "name": h.name,
            "pilot": h.pilot,
            "hidden": h.hidden,
            "dat": None if h.hidden else h.dat,
            "status": "Ẩn" if h.hidden else h.status,
            "status_en": "Hidden" if h.hidden else h.status_en,
            "bb_met": None if h.hidden else h.bb_met,
            "bb_total": h.bb_total,
            "tc_met": None if h.hidden else h.tc_met,
            "tc_required": h.tc_required,
            "coverage": _rounded(coverage.get(h.hamlet)),
        }
        for h in figures.hamlets
    ]
    return {
        "round": figures.round,
        "previous_round": figures.previous_round,
        "commune": figures.commune,
        "province": figures.province,
        "tier": figures.tier,
        "min_cell": figures.min_cell,
        "computed_at": figures.computed_at.isoformat() if figures.computed_at else None,
        "targets": targets,
        "hamlets": hamlets,
        "dra_met": sum(1 for h in hamlets if h["dat"]),
    }


def loudspeaker_text(snapshot: dict, published_at) -> str:
    """A short bulletin for the hamlet loudspeakers: plain text, every number in words."""
    local = timezone.localtime(published_at)
    commune = snapshot["commune"]
    round_words = number_words_vi(int(snapshot["round"]), 0) if snapshot["round"].isdigit() else snapshot["round"]
    lines = [
        f"Thông báo của Ủy ban nhân dân {commune[:1].lower() + commune[1:]} về kết quả chuyển đổi số, "
        f"đợt khảo sát năm {round_words}.",
        "",
    ]
    for target in snapshot["targets"]:
        if target["value"] is not None:
            lines.append(target["spoken_vi"])
    hamlets = snapshot["hamlets"]
    if hamlets:
        lines += [
            "",
            f"Về mô hình khu dân cư chuyển đổi số, có {number_words_vi(snapshot['dra_met'], 0)} trên "
            f"{number_words_vi(len(hamlets), 0)} ấp đạt đủ tiêu chí.",
        ]
    lines += [
        "",
        "Kết quả chi tiết được đăng trên trang thông tin điện tử của xã. Đề nghị bà con tiếp tục tham gia "
        "khảo sát và sử dụng các dịch vụ số.",
        f"Thông tin công bố {date_words_vi(local.date())}.",
    ]
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"
