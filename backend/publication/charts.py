"""The report's two images: the choropleth the dashboard offers as PNG, and a trend chart of
the commune's plan targets over the stored rounds (matplotlib, no display)."""

from __future__ import annotations

import io

import pandas as pd
from django.conf import settings

from analytics import exports
from analytics.catalogue import BY_ID, PLAN_TARGETS, PROPORTION
from analytics.geo import hamlets_frame
from backend.places.models import Hamlet
from backend.publication.figures import RoundFigures


def map_indicator(figures: RoundFigures) -> str:
    """The household target of the round's own horizon: smartphones up to 2027, regular
    digital access after."""
    return "P2027_SMARTPHONE_HH" if figures.tier <= 2027 else "P2030_DIGITAL_HH"


def choropleth_png(figures: RoundFigures, indicator: str) -> bytes:
    hamlets = hamlets_frame(
        Hamlet.objects.values("code", "name", "name_en", "boundary", "registered_households", "pilot_dra")
    )
    # The public report's map marks too-few hamlets by the same rule as the dashboard's.
    return exports.choropleth_png(
        hamlets, figures.rows, indicator, figures.round, min_sample=settings.ANALYTICS_MIN_SAMPLE
    )


def trend_png(figures: RoundFigures) -> bytes:
    """Commune values of the survey-measured percentage targets, one line each, per round."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = figures.rows
    ids = [i.id for i in PLAN_TARGETS if i.kind == PROPORTION]
    commune = rows[rows["hamlet"].isna() & rows["indicator"].isin(ids)] if not rows.empty else rows
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
    try:
        for indicator in ids:
            series = commune[commune["indicator"] == indicator].sort_values("round") if len(commune) else commune
            values = pd.to_numeric(series.get("value", pd.Series(dtype=float)), errors="coerce")
            if series.empty or values.isna().all():
                continue
            axes.plot(series["round"].astype(str), values, marker="o", label=_short(BY_ID[indicator].label_vi))
        axes.set_ylim(0, 100)
        axes.set_ylabel("%")
        axes.set_xlabel("Đợt khảo sát")
        axes.set_title(f"Xu hướng các chỉ tiêu của Kế hoạch – {figures.commune}", fontsize=10)
        axes.grid(axis="y", alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"
