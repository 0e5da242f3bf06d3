"""Reads for places."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.places.models import Hamlet


def hamlet_list(*, codes: frozenset[str] | None = None) -> QuerySet[Hamlet]:
    hamlets = Hamlet.objects.order_by("code")
    return hamlets.filter(code__in=codes) if codes is not None else hamlets


def hamlets_feature_collection(*, codes: frozenset[str] | None = None) -> dict:
    """The hamlets as a GeoJSON FeatureCollection (EPSG:4326), for maps and geopandas."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": h.code,
                "geometry": h.boundary,
                "properties": {
                    "code": h.code,
                    "name": h.name,
                    "registered_households": h.registered_households,
                    "population": h.population,
                    "pilot_dra": h.pilot_dra,
                },
            }
            for h in hamlet_list(codes=codes)
        ],
    }
