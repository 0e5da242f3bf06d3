"""Hamlet boundaries and registers: import from files, repair or refuse, update in place."""

from io import StringIO

import geopandas as gpd
import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import Polygon, box

from backend.places.models import Hamlet
from backend.places.registers import RegisterError, registers_parse
from backend.places.services import hamlet_registers_save

pytestmark = pytest.mark.django_db

# Two neighbouring hamlets near Phú Lâm sharing one edge.
WEST = box(107.40, 11.30, 107.41, 11.31)
EAST = box(107.41, 11.30, 107.42, 11.31)


def frame(rows, crs=4326):
    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "name": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=crs,
    )


def write(tmp_path, gdf, kind):
    path = tmp_path / {"geojson": "ap.geojson", "gpkg": "ap.gpkg", "shp": "ap.shp"}[kind]
    gdf.to_file(path, driver={"geojson": "GeoJSON", "gpkg": "GPKG", "shp": "ESRI Shapefile"}[kind], engine="pyogrio")
    return path


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["geojson", "gpkg", "shp"])
def test_boundaries_import_from_each_format_creates_the_hamlets(tmp_path, kind):
    path = write(tmp_path, frame([("AP01", "Phú Dũng", WEST), ("AP02", "Phú Tân", EAST)]), kind)

    output = run("import_hamlet_boundaries", str(path))

    assert "created 2, updated 0, unchanged 0" in output
    hamlet = Hamlet.objects.get(code="AP01")
    assert hamlet.name == "Phú Dũng"
    assert hamlet.boundary["type"] == "Polygon"
    lons = [p[0] for p in hamlet.boundary["coordinates"][0]]
    assert min(lons) == pytest.approx(107.40) and max(lons) == pytest.approx(107.41)


def test_boundaries_in_a_projected_crs_are_stored_as_longitude_latitude(tmp_path):
    projected = frame([("AP01", "Phú Dũng", WEST)]).to_crs(32648)  # UTM 48N, metres
    path = write(tmp_path, projected, "gpkg")

    run("import_hamlet_boundaries", str(path))

    lon, lat = Hamlet.objects.get(code="AP01").boundary["coordinates"][0][0]
    assert 107.39 < lon < 107.43 and 11.29 < lat < 11.32


def test_a_self_intersecting_polygon_is_repaired_and_stored_as_a_polygon(tmp_path):
    bowtie = Polygon([(107.40, 11.30), (107.41, 11.31), (107.41, 11.30), (107.40, 11.31)])
    path = write(tmp_path, frame([("AP01", "Phú Dũng", bowtie)]), "geojson")

    run("import_hamlet_boundaries", str(path))

    assert Hamlet.objects.get(code="AP01").boundary["type"] == "MultiPolygon"


def test_a_geometry_that_cannot_become_a_polygon_is_reported_by_name_and_nothing_is_stored(tmp_path):
    flat = Polygon([(107.40, 11.30), (107.41, 11.30), (107.42, 11.30)])  # zero area
    path = write(tmp_path, frame([("AP01", "Phú Dũng", WEST), ("AP09", "Phú Lợi", flat)]), "geojson")

    with pytest.raises(CommandError) as excinfo:
        run("import_hamlet_boundaries", str(path))

    assert "AP09 Phú Lợi" in str(excinfo.value)
    assert "cannot be repaired" in str(excinfo.value)
    assert not Hamlet.objects.exists()


def test_overlapping_hamlets_are_refused_naming_both(tmp_path):
    overlapping = box(107.405, 11.30, 107.415, 11.31)
    path = write(tmp_path, frame([("AP01", "Phú Dũng", WEST), ("AP02", "Phú Tân", overlapping)]), "geojson")

    with pytest.raises(CommandError) as excinfo:
        run("import_hamlet_boundaries", str(path))

    message = str(excinfo.value)
    assert "AP01 Phú Dũng and AP02 Phú Tân overlap" in message
    assert not Hamlet.objects.exists()


def test_reimport_updates_in_place_and_reports_each_change(tmp_path):
    run(
        "import_hamlet_boundaries",
        str(write(tmp_path, frame([("AP01", "Phú Dũng", WEST), ("AP02", "Phú Tân", EAST)]), "geojson")),
    )
    first_pk = Hamlet.objects.get(code="AP01").pk
    moved_east = box(107.41, 11.30, 107.425, 11.31)
    second = tmp_path / "v2"
    second.mkdir()

    output = run(
        "import_hamlet_boundaries",
        str(write(second, frame([("AP01", "Ấp Phú Dũng", WEST), ("AP02", "Phú Tân", moved_east)]), "gpkg")),
    )

    assert "created 0, updated 2, unchanged 0" in output
    assert "AP01: name 'Phú Dũng' → 'Ấp Phú Dũng'" in output
    assert "AP02: boundary" in output
    assert Hamlet.objects.get(code="AP01").pk == first_pk
    assert Hamlet.objects.count() == 2

    again = run(
        "import_hamlet_boundaries",
        str(write(tmp_path / "v2", frame([("AP01", "Ấp Phú Dũng", WEST), ("AP02", "Phú Tân", moved_east)]), "geojson")),
    )
    assert "created 0, updated 0, unchanged 2" in again


def test_a_file_without_the_code_field_names_the_fields_it_has(tmp_path):
    path = write(tmp_path, frame([("AP01", "Phú Dũng", WEST)]).rename(columns={"code": "ma_ap"}), "geojson")

    with pytest.raises(CommandError) as excinfo:
        run("import_hamlet_boundaries", str(path))
    assert "no field code" in str(excinfo.value) and "ma_ap" in str(excinfo.value)

    run("import_hamlet_boundaries", str(path), "--code-field", "ma_ap")
    assert Hamlet.objects.filter(code="AP01").exists()


def test_registers_csv_sets_counts_and_pilot_flag_and_reports_changes(tmp_path):
    run(
        "import_hamlet_boundaries",
        str(write(tmp_path, frame([("AP01", "Phú Dũng", WEST), ("AP02", "Phú Tân", EAST)]), "geojson")),
    )
    csv_path = tmp_path / "registers.csv"
    csv_path.write_text("code,registered_households,population,pilot_dra\nAP01,512,1980,1\nAP02,430,1650,0\n")

    output = run("import_hamlet_registers", str(csv_path))

    assert "created 0, updated 2" in output
    ap01 = Hamlet.objects.get(code="AP01")
    assert (ap01.registered_households, ap01.population, ap01.pilot_dra) == (512, 1980, True)
    assert "unchanged 2" in run("import_hamlet_registers", str(csv_path))


def test_registers_with_an_unknown_hamlet_change_nothing(tmp_path):
    run("import_hamlet_boundaries", str(write(tmp_path, frame([("AP01", "Phú Dũng", WEST)]), "geojson")))
    rows = registers_parse(b"code,registered_households,population\nAP01,500,1900\nAP77,10,20\n")

    with pytest.raises(Exception) as excinfo:
        hamlet_registers_save(rows=rows)

    assert "AP77" in str(excinfo.value)
    assert Hamlet.objects.get(code="AP01").registered_households == 0


def test_registers_with_bad_numbers_name_the_line():
    with pytest.raises(RegisterError) as excinfo:
        registers_parse("code,registered_households,population\nAP01,năm trăm,1900\nAP02,10,5\n".encode())
    assert "line 2 (AP01)" in str(excinfo.value)
    assert "line 3 (AP02): population is smaller" in str(excinfo.value)
