"""Places: the commune, its hamlets (ấp) and its market.

Geometry is GeoJSON in EPSG:4326 stored as JSON (no PostGIS requirement); the analytics
turn it into shapely geometries with geopandas.
"""

from django.db import models


class Commune(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    province = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name


class Hamlet(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="hamlets")
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    old_commune = models.CharField(max_length=200, blank=True)
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry, EPSG:4326")
    registered_households = models.PositiveIntegerField(default=0)
    population = models.PositiveIntegerField(default=0)
    pilot_dra = models.BooleanField(default=False, help_text="One of the pilot 'Khu dân cư chuyển đổi số' hamlets")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Market(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="markets")
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    registered_stalls = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
