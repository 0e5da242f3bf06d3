"""Hand-built figures for the report's wording and template tests."""

from __future__ import annotations

from backend.publication.figures import TargetFigure


def target_figure(**overrides) -> TargetFigure:
    """The 2027 smartphone target, not met (87.4 % against ≥ 95 %, up 6.2 points on 2025)."""
    values = dict(
        indicator="P2027_SMARTPHONE_HH",
        label_vi="Hộ có thành viên dùng điện thoại thông minh",
        label_en="Households with a smartphone user",
        unit="household",
        percent=True,
        administrative=False,
        target_year=2027,
        op=">=",
        target=95.0,
        value=87.4,
        ci_low=85.1,
        ci_high=89.5,
        n=1450,
        met=False,
        suppressed=False,
        previous_value=81.2,
        change=6.2,
    )
    values.update(overrides)
    return TargetFigure(**values)
