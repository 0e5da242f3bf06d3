"""The synthetic commune: deterministic for a seed, shaped like Phú Lâm, valid against its forms."""

import csv
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from lxml import etree
from pyxform.xls2xform import convert
from shapely.geometry import Point

from backend.demo import geography
from backend.demo.generator import DemoSpec, commune_build, household_register, instances_stream
from backend.demo.xform_fill import InstanceInvalid, XFormModel, instance_xml
from backend.places.boundaries import boundaries_check

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms_xlsform"
CHECKER = ROOT / "tests" / "demo" / "xforms_check.mjs"


@cache
def xform(form_id: str) -> bytes:
    return convert(xlsform=str(FORMS / f"{form_id}.xlsx")).xform.encode()


def models_for(commune) -> dict[str, XFormModel]:
    codes = [h.plan.code for h in commune.hamlets]
    return {
        f: XFormModel.from_xform(xform(f), external={"ap": codes, "cho": ["CHO_PL"]})
        for f in ("pl_ho", "pl_cho", "pl_kdc")
    }


def first(stream, k):
    return [next(stream) for _ in range(k)]


SMALL = DemoSpec(households=600, seed=11, stalls=10, rounds=(2025,))


def test_the_same_seed_gives_the_same_hamlets_and_the_same_instance_bytes():
    a, b = commune_build(SMALL), commune_build(SMALL)
    assert [h.polygon.wkb for h in a.hamlets] == [h.polygon.wkb for h in b.hamlets]
    assert [x.xml for x in first(instances_stream(a, models_for(a)), 80)] == [
        x.xml for x in first(instances_stream(b, models_for(b)), 80)
    ]


def test_another_seed_gives_another_commune():
    other = commune_build(DemoSpec(households=600, seed=12, stalls=10, rounds=(2025,)))
    assert [h.polygon.wkb for h in other.hamlets] != [h.polygon.wkb for h in commune_build(SMALL).hamlets]


def test_the_commune_has_thirty_valid_non_overlapping_hamlets_over_about_67_km2_near_phu_lam():
    commune = commune_build(DemoSpec(households=16_500, seed=57))
    features = boundaries_check([(h.plan.code, h.plan.name, h.polygon) for h in commune.hamlets])
    assert len(features) == 30
    assert sum(h.polygon_m.area for h in commune.hamlets) / 1e6 == pytest.approx(67, rel=0.01)
    assert sum(h.plan.households for h in commune.hamlets) == 16_500
    assert sum(h.plan.pilot for h in commune.hamlets) == 2
    centre = commune.hamlets[0].polygon.centroid
    assert 11.2 < centre.y < 11.4 and 107.3 < centre.x < 107.5


@pytest.mark.slow  # thousands of households streamed (or Node); .ci/run runs it
def test_household_geopoints_fall_inside_their_hamlet_except_a_small_share_outside():
    commune = commune_build(DemoSpec(households=3000, seed=5, stalls=0, rounds=(2025,)))
    areas = {h.plan.code: h.polygon for h in commune.hamlets}
    inside = outside = far = 0
    for item in instances_stream(commune, {"pl_ho": models_for(commune)["pl_ho"]}):
        text = item.xml.decode()
        if "<vi_tri>" not in text:
            continue
        lat, lon = map(float, text.split("<vi_tri>")[1].split("<")[0].split()[:2])
        if areas[item.hamlet_code].contains(Point(lon, lat)):
            inside += 1
        else:
            outside += 1
            degrees = areas[item.hamlet_code].distance(Point(lon, lat))
            assert degrees < 0.0045  # < ~450 m away
            far += degrees > 0.0011  # beyond ~120 m: the analytics' review flags these
    assert 0.005 < outside / (inside + outside) < 0.04
    assert 0.2 < far / outside < 0.8


@pytest.mark.slow  # thousands of households streamed (or Node); .ci/run runs it
def test_rates_follow_the_baseline_with_pilot_hamlets_higher():
    commune = commune_build(DemoSpec(households=6000, seed=3, stalls=0, rounds=(2025,)))
    pilots = {h.plan.code for h in commune.hamlets if h.plan.pilot}
    phones = {True: [], False: []}
    for item in instances_stream(commune, {"pl_ho": models_for(commune)["pl_ho"]}):
        for chunk in item.xml.decode().split("<tv_dtdm>")[1:]:
            phones[item.hamlet_code in pilots].append(chunk.startswith("co"))
    overall = np.mean(phones[True] + phones[False])
    assert 0.70 < overall < 0.85  # 82% baseline, less for 60+ and minority households
    assert np.mean(phones[True]) > np.mean(phones[False])


def test_an_answer_that_breaks_a_constraint_is_refused_not_written():
    model = XFormModel.from_xform(xform("pl_ho"), external={"ap": ["AP01"]})
    with pytest.raises(InstanceInvalid) as excinfo:
        instance_xml(
            model,
            {"ap": "AP01", "ho_trong_ds": "khong", "ma_ho": "7-123", "ket_qua": "gap", "dong_y": "khong"},
            instance_id="uuid:x",
            start="2025-10-01T08:00:00.000+07:00",
            end="2025-10-01T08:10:00.000+07:00",
            today="2025-10-01",
            deviceid="t",
        )
    assert "/pl_ho/ma_ho: constraint fails" in str(excinfo.value)


def test_a_declined_household_leaves_out_everything_after_consent():
    model = XFormModel.from_xform(xform("pl_ho"), external={"ap": ["AP01"]})
    xml = instance_xml(
        model,
        {
            "ap": "AP01",
            "ho_trong_ds": "khong",
            "ma_ho": "01-0001",
            "ket_qua": "gap",
            "dong_y": "khong",
            "so_tv": "3",
        },
        instance_id="uuid:y",
        start="2025-10-01T08:00:00.000+07:00",
        end="2025-10-01T08:10:00.000+07:00",
        today="2025-10-01",
        deviceid="t",
    ).decode()
    assert "<dong_y>khong</dong_y>" in xml
    assert "<ho>" not in xml and "<so_tv>" not in xml and "<tv>" not in xml
    assert "<instanceID>uuid:y</instanceID>" in xml


def _entity(xml: bytes):
    return etree.fromstring(xml).find("meta/entity")


def test_a_first_visit_creates_the_household_entity_and_a_follow_up_updates_it_from_the_list():
    """The entity block as Collect writes it: create with the new UUID on a first visit; on a
    follow-up the household picked from households.csv, its code and baseVersion from the list."""
    model = XFormModel.from_xform(xform("pl_ho"), external={"ap": ["AP01"]})
    times = {"start": "2025-10-01T08:00:00.000+07:00", "end": "2025-10-01T08:10:00.000+07:00", "deviceid": "t"}
    first = {
        "ap": "AP01",
        "ho_trong_ds": "khong",
        "ma_ho": "01-0001",
        "ho_uuid_moi": "6f1e0000-0000-4000-8000-000000000001",
        "ten_goi": "Bảy",
        "mo_ta": "nhà mái tôn xanh",
        "vi_tri": "11.3 107.4 0 5",
        "ket_qua": "gap",
        "dong_y": "khong",
    }
    created = instance_xml(model, first, instance_id="uuid:a", today="2025-10-01", **times)
    entity = _entity(created)
    assert entity.get("dataset") == "households"
    assert (entity.get("create"), entity.get("update")) == ("true", "false")
    assert entity.get("id") == "6f1e0000-0000-4000-8000-000000000001"
    assert entity.findtext("label") == "01-0001 · Bảy"
    assert etree.fromstring(created).findtext("ma_ho") == "01-0001"

    row = {
        "name": "6f1e0000-0000-4000-8000-000000000001",
        "label": "01-0001 · Bảy",
        "__version": "1",
        "ap": "AP01",
        "ma_ho": "01-0001",
        "ten_goi": "Bảy",
        "mo_ta": "nhà mái tôn xanh",
        "geometry": "11.3 107.4 0 5",
    }
    follow = {
        "ap": "AP01",
        "ho_trong_ds": "co",
        "ho_chon": row["name"],
        "ma_ho": "01-0001",
        "ten_goi": "Bảy",
        "mo_ta": "nhà mái tôn xanh",
        "ket_qua": "chuyen_di",
    }
    updated = instance_xml(
        model, follow, instance_id="uuid:b", today="2027-10-01", instances={"households": [row]}, **times
    )
    entity = _entity(updated)
    assert (entity.get("create"), entity.get("update")) == ("false", "true")
    assert entity.get("id") == row["name"] and entity.get("baseVersion") == "1"
    root = etree.fromstring(updated)
    assert root.findtext("ma_ho") == "01-0001" and root.findtext("ket_qua") == "chuyen_di"
    assert root.find("dong_y") is None and root.find("ho") is None  # moved away: no interview


def test_the_point_sampler_streams_points_inside_the_polygon():
    commune = commune_build(SMALL)
    hamlet = commune.hamlets[0]
    sampler = geography.PointSampler(hamlet.polygon_m, np.random.default_rng(1), batch=16)
    assert all(hamlet.polygon_m.contains(Point(*sampler.inside())) for _ in range(100))


@pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "@getodk" / "xforms-engine").exists(),
    reason="needs node and `npm ci` (@getodk/xforms-engine)",
)
@pytest.mark.slow  # thousands of households streamed (or Node); .ci/run runs it
def test_generated_instances_are_valid_for_the_odk_web_forms_engine(tmp_path):
    commune = commune_build(DemoSpec(households=300, seed=21, stalls=20, rounds=(2025, 2027)))
    per_form: dict[str, list] = {"pl_ho": [], "pl_cho": [], "pl_kdc": []}
    for item in instances_stream(commune, models_for(commune)):
        bucket = per_form[item.form_id]
        follow_up = b"<ho_trong_ds>co" in item.xml
        moved = b"<ket_qua>chuyen_di" in item.xml or b"<ket_qua>khong_tim_thay" in item.xml
        if (
            len(bucket) < 20
            or (item.xml.count(b"<dong_y>khong") and len(bucket) < 24)
            or (follow_up and len(bucket) < 32)
            or (moved and len(bucket) < 36)
        ):
            path = tmp_path / f"{item.form_id}-{len(bucket)}.xml"
            path.write_bytes(item.xml)
            today = item.xml.decode().split("<today>")[1].split("<")[0]
            bucket.append({"path": str(path), "today": today})
    # The engine names CSV columns as XML elements; 'label::Tiếng Việt (vi)' is not a valid
    # name, so it gets the two columns it needs (the values checked are the same codes).
    ap = tmp_path / "ap.csv"
    ap.write_text("name,label\n" + "".join(f"{h.plan.code},{h.plan.name}\n" for h in commune.hamlets))
    cho = tmp_path / "cho.csv"
    cho.write_text("name,label\nCHO_PL,Chợ xã Phú Lâm\n")
    # the register as the server serves it (follow-ups pick their household from it)
    households = tmp_path / "households.csv"
    with households.open("w", newline="") as out:
        writer = csv.DictWriter(out, ["name", "label", "__version", "ap", "ma_ho", "ten_goi", "mo_ta", "geometry"])
        writer.writeheader()
        for hamlet in commune.hamlets:
            for h in household_register(commune, hamlet):
                writer.writerow({**h.row(hamlet.plan.code), "__version": "1"})
    job = {"forms": []}
    for form_id, items in per_form.items():
        source = tmp_path / f"{form_id}.xml"
        source.write_bytes(xform(form_id))
        job["forms"].append(
            {
                "xform": str(source),
                "attachments": {"ap.csv": str(ap), "cho.csv": str(cho), "households.csv": str(households)},
                "instances": items,
            }
        )
    (tmp_path / "job.json").write_text(json.dumps(job))

    run = subprocess.run(
        ["node", str(CHECKER), str(tmp_path / "job.json")], cwd=ROOT, capture_output=True, text=True, timeout=300
    )

    assert run.returncode == 0, run.stderr
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(results) == sum(len(v) for v in per_form.values()) >= 60
    assert sum(b"<ho_trong_ds>co" in open(i["path"], "rb").read() for i in per_form["pl_ho"]) >= 8
    invalid = [r for r in results if not r["valid"]]
    assert invalid == []


def test_the_shares_of_parallel_workers_add_up_to_exactly_the_whole_stream():
    commune = commune_build(DemoSpec(households=400, seed=9, stalls=15, rounds=(2025, 2027)))
    models = models_for(commune)
    whole = {(i.instance_id, i.xml) for i in instances_stream(commune, models)}
    shares = [{(i.instance_id, i.xml) for i in instances_stream(commune, models, part=k, parts=3)} for k in range(3)]
    assert sum(len(s) for s in shares) == len(whole)
    assert set().union(*shares) == whole


def test_every_interview_day_falls_inside_the_declared_window_of_its_round():
    import pandas as pd

    from analytics.rounds import DEFAULT_ROUNDS, rounds_assign
    from backend.demo.generator import _interview_day

    rng = np.random.default_rng(7)
    for year in (2025, 2027):
        days = pd.Series(pd.to_datetime([_interview_day(year, rng) for _ in range(500)]))
        assert set(rounds_assign(days, None, DEFAULT_ROUNDS)) == {str(year)}
