"""Benchmark: full indicator recomputation from the database to every output.

Not a test (pytest does not collect it). Run against a database of its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h4_bench \
        .venv/bin/python tests/bench/bench_analytics.py --households 16500
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h4_bench \
        .venv/bin/python tests/bench/bench_analytics.py --households 1000000

It migrates, publishes the commune's three real forms, and (when the database does not
already hold exactly that many households) seeds synthetic submissions straight into the
submission tables with COPY: the parsed JSON is laid out along the real XForms' paths, with
every field of the form filled (so documents have a realistic size, ~1.5 kB per household),
rates from DOMAIN.md §3.4 with hamlet random effects. Then it extracts their answers into
the answers tables as the ingest path would have (backend/reports/answers.py). Seeding and
extraction are not timed. A database loaded with `make_demo_commune` (the real ingest path)
that holds exactly that many households is measured as it is.

Timed: read (COPY of the answers joined to the submissions → DataFrames), join (geopoints →
hamlets), compute (units, indicators, intervals, scorecard), write (results stored), then the
exports built from the stored results (CSV, XLSX, GeoPackage, GeoJSON and one PNG map).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

HAMLETS_PER_COMMUNE = 30
STALLS_PER_COMMUNE = 200
CELL = 0.01  # hamlet square, degrees (~1.1 km)
LAT0, LON0 = 10.5, 106.8


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _template(paths: dict, repeats: set, fields_values: dict, repeat_name: str | None) -> str:
    """A str.format template of the JSON document: every field of the form at its path,
    placeholders for the generated ones, the repeat spliced in as raw JSON."""
    doc: dict = {}
    groups = {path[:k] for path in paths.values() for k in range(1, len(path))}
    for name, path in paths.items():
        if path in repeats or path in groups or (repeat_name and len(path) > 1 and path[0] == repeat_name):
            continue
        node = doc
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = f"@@{name}@@" if name in fields_values else fields_values.get("*", "")
    if repeat_name:
        doc[repeat_name] = "@@REPEAT@@"
    doc["meta"] = {"instanceID": "@@instance@@"}
    text = json.dumps(doc, ensure_ascii=False).replace("{", "{{").replace("}", "}}")
    text = text.replace('"@@REPEAT@@"', "[{repeat}]")
    for name in list(fields_values) + ["instance"]:
        text = text.replace(f'"@@{name}@@"', f'"{{{name}}}"')
    return text


def _member_template(paths: dict, repeat: str, wanted: list[str]) -> str:
    doc: dict = {}
    groups = {path[:k] for path in paths.values() for k in range(1, len(path))}
    for name, path in paths.items():
        if len(path) > 1 and path[0] == repeat and path not in groups:
            node = doc
            for part in path[1:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = f"@@{name}@@" if name in wanted else "0"
    text = json.dumps(doc, ensure_ascii=False).replace("{", "{{").replace("}", "}}")
    for name in wanted:
        text = text.replace(f'"@@{name}@@"', f'"{{{name}}}"')
    return text


def seed(n_households: int, rng: np.random.Generator) -> None:
    from django.db import connection, transaction

    from backend.places.models import Commune, Hamlet, Market
    from backend.reports.models import ComputedResult
    from backend.submissions.models import Submission, SubmissionVersion
    from backend.surveys.models import Form
    from backend.surveys.services import form_publish
    from tests.reports.xform_paths import xform_paths

    forms = {}
    for form_id in ("pl_ho", "pl_cho", "pl_kdc"):
        form = Form.objects.filter(form_id=form_id).first()
        if form is None:
            path = ROOT / "forms_xlsform" / f"{form_id}.xlsx"
            form = form_publish(xlsform=path.read_bytes(), filename=path.name).form
        forms[form_id] = form

    n_hamlets = max(HAMLETS_PER_COMMUNE, round(n_households / 550))
    n_communes = max(1, round(n_hamlets / HAMLETS_PER_COMMUNE))
    with transaction.atomic():
        SubmissionVersion.objects.all().delete()
        Submission.objects.all().delete()
        ComputedResult.objects.all().delete()
        Market.objects.all().delete()
        Hamlet.objects.all().delete()
        Commune.objects.all().delete()
        commune = Commune.objects.create(code="26158", name="Xã Phú Lâm", province="Đồng Nai")
        side = int(np.ceil(np.sqrt(n_hamlets)))
        sizes = np.clip(rng.lognormal(np.log(520), 0.35, n_hamlets), 150, 2000).astype(int)
        hamlets = []
        for i in range(n_hamlets):
            lon, lat = LON0 + (i % side) * CELL, LAT0 + (i // side) * CELL
            ring = [[lon, lat], [lon + CELL, lat], [lon + CELL, lat + CELL], [lon, lat + CELL], [lon, lat]]
            hamlets.append(
                Hamlet(
                    commune=commune,
                    code=f"H{i:04d}",
                    name=f"Ấp {i + 1}",
                    boundary={"type": "Polygon", "coordinates": [ring]},
                    registered_households=int(sizes[i]),
                    pilot_dra=i < 2,
                )
            )
        Hamlet.objects.bulk_create(hamlets)
        Market.objects.create(
            commune=commune, code="CHO01", name="Chợ xã", registered_stalls=STALLS_PER_COMMUNE * n_communes
        )

    # Households per hamlet proportional to its register (a ~90% census).
    share = sizes / sizes.sum()
    hamlet_of = rng.choice(n_hamlets, size=n_households, p=share)
    effect = rng.normal(0, 0.08, n_hamlets)[hamlet_of]

    def draw(rate, extra=0.0):
        return rng.random(n_households) < np.clip(rate + effect + extra, 0.01, 0.99)

    ho_paths, ho_repeats = xform_paths(bytes(forms["pl_ho"].current_version.xform))
    hh_fields = [
        "ap",
        "ma_ho",
        "dong_y",
        "dot_ks",
        "so_tv",
        "so_tv_15",
        "internet_cd",
        "tt_57",
        "zalo_ap",
        "nghe_loa",
        "kenh_tt_30",
        "dia_chi_so_ho",
        "instance",
    ]
    hh_template = _template(ho_paths, ho_repeats, dict.fromkeys(hh_fields, "") | {"*": "co"}, "tv")
    member_fields = [
        "tv_nam_sinh",
        "tv_dtdm",
        "tv_dt_dung",
        "tv_vneid",
        "tv_tk",
        "tv_ttkdtm_30",
        "tv_dvc_12",
        "tv_bdhvs",
        "tv_ttcs_30",
    ]
    member_template = _member_template(ho_paths, "tv", member_fields)

    n15 = np.clip(rng.poisson(1.85, n_households) + 1, 1, 8)
    consent = rng.random(n_households) < 0.97
    fibre, info, zalo, loud, address = draw(0.70), draw(0.60), draw(0.65), draw(0.70), draw(0.40)
    received30 = draw(0.80)
    has_point = rng.random(n_households) < 0.9
    cell_x = (hamlet_of % side) * CELL + LON0
    cell_y = (hamlet_of // side) * CELL + LAT0
    lon = cell_x + rng.uniform(0.0005, CELL - 0.0005, n_households)
    lat = cell_y + rng.uniform(0.0005, CELL - 0.0005, n_households)
    stray = rng.random(n_households) < 0.03  # a few points in the neighbouring hamlet
    lon = np.where(stray, lon + CELL, lon)
    accuracy = rng.exponential(8, n_households)
    days = rng.integers(0, 60, n_households)

    member_total = int(n15.sum())
    m_effect = np.repeat(effect, n15)
    born = rng.integers(1940, 2010, member_total)
    m_rand = rng.random((8, member_total))

    def m_draw(i, rate):
        return m_rand[i] < np.clip(rate + m_effect, 0.01, 0.99)

    smart, vneid, account, cashless = m_draw(0, 0.82), m_draw(1, 0.78), m_draw(2, 0.78), m_draw(3, 0.60)
    dvc, bdhvs, official = m_draw(4, 0.20), m_draw(5, 0.25), m_draw(6, 0.70)
    uses = np.array(["goi_nhan giai_tri", "goi_nhan tin_tuc", "goi_nhan dvc thanh_toan", "tin_tuc thanh_toan mua_sam"])
    use_of = rng.integers(0, len(uses), member_total)
    members_text = [
        member_template.format(
            tv_nam_sinh=born[j],
            tv_dtdm="co" if smart[j] else "khong",
            tv_dt_dung=uses[use_of[j]] if smart[j] else "",
            tv_vneid="muc2" if vneid[j] else "muc1",
            tv_tk="nh_app" if account[j] else "khong",
            tv_ttkdtm_30=("co" if cashless[j] else "khong") if account[j] else "",
            tv_dvc_12="co" if dvc[j] else "khong",
            tv_bdhvs="co" if bdhvs[j] else "khong",
            tv_ttcs_30="co" if official[j] else "khong",
        )
        for j in range(member_total)
    ]
    offsets = np.concatenate([[0], np.cumsum(n15)])

    s_table = Submission._meta.db_table
    v_table = SubmissionVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {s_table}")
        first_id = cursor.fetchone()[0] + 1
    submission_columns = (
        "id, form_id, instance_id, current_version_id, form_version_id, device_id, user_agent, received_at, "
        "updated_at, review_state, hamlet_code, lat, lon, altitude, accuracy, survey_date, survey_round"
    )
    version_columns = (
        "id, submission_id, form_id, instance_id, deprecated_id, instance_name, xml, sha256, parsed, "
        "form_version_id, device_id, user_agent, created_at"
    )

    def rows():
        next_id = first_id
        form, version = forms["pl_ho"], forms["pl_ho"].current_version
        for i in range(n_households):
            code = f"H{hamlet_of[i]:04d}"
            instance = f"uuid:bench-{next_id}"
            ok = consent[i]
            doc = hh_template.format(
                ap=code,
                ma_ho=f"{hamlet_of[i] % 100:02d}-{i % 10000:04d}",
                dong_y="co" if ok else "khong",
                dot_ks="2025",
                so_tv=n15[i] + 1,
                so_tv_15=n15[i],
                internet_cd="cap_quang" if fibre[i] else "wifi_sim",
                tt_57="co" if info[i] else "khong",
                zalo_ap="co" if zalo[i] else "khong",
                nghe_loa="ro" if loud[i] else "khong",
                kenh_tt_30="loa zalo_ap" if received30[i] else "khong_nhan",
                dia_chi_so_ho="co" if address[i] else "khong",
                instance=instance,
                repeat=",".join(members_text[offsets[i] : offsets[i + 1]]) if ok else "",
            )
            day = f"2025-10-{1 + days[i] % 30:02d}"
            point = (f"{lat[i]:.6f}", f"{lon[i]:.6f}", "0", f"{accuracy[i]:.1f}") if has_point[i] else ("\\N",) * 4
            yield (
                (
                    next_id,
                    form.pk,
                    instance,
                    next_id,
                    version.pk,
                    "",
                    "",
                    day,
                    day,
                    "received",
                    code,
                    *point[:2],
                    point[2],
                    point[3],
                    day,
                    "2025",
                ),
                (next_id, next_id, form.pk, instance, "", "", "\\x", "0" * 64, doc, version.pk, "", "", day),
            )
            next_id += 1

    def extra_rows(start_id):
        """Stalls and one hamlet assessment per hamlet, built as small dicts."""
        next_id = start_id
        for k in range(STALLS_PER_COMMUNE * n_communes):
            accepts = rng.random() < 0.65
            doc = {
                "cho": "CHO01",
                "sap_so": f"S{k}",
                "dong_y": "co",
                "nhan_kdtm": "co" if accepts else "khong",
                "gd_7ngay": str(int(rng.integers(0, 30))) if accepts else "",
                "ap_cu_tru": "",
                "meta": {"instanceID": f"uuid:bench-{next_id}"},
            }
            yield "pl_cho", next_id, "", doc
            next_id += 1
        kdc_paths, _ = xform_paths(bytes(forms["pl_kdc"].current_version.xform))
        for h in range(n_hamlets):
            values = {
                "ap": f"H{h:04d}",
                "ngay_dg": "2025-10-15",
                "dot_ks": "2025",
                "so_ho": str(sizes[h]),
                "so_hkd": "20",
                "so_hkd_kdtm": str(int(rng.integers(10, 21))),
                "to_cnscd": "co",
                "to_co_qd": "co",
                "to_co_doan": "co",
                "to_thang_hd": str(int(rng.integers(1, 4))),
                "zalo_ap": "co",
                "loa": "loa_cntt",
                "wifi_nvh": "co" if rng.random() < 0.7 else "khong",
                "so_camera": "3",
                "camera_ca": "co" if rng.random() < 0.5 else "khong",
                "so_mh_nn": "1",
            }
            doc: dict = {}
            for name, value in values.items():
                node = doc
                for part in kdc_paths[name][:-1]:
                    node = node.setdefault(part, {})
                node[kdc_paths[name][-1]] = value
            doc[kdc_paths["diem_do"][0]] = [
                {"dd_song": "4g" if rng.random() < 0.95 else "3g", "dd_mbps": "30"} for _ in range(5)
            ]
            doc[kdc_paths["mo_hinh_nn"][0]] = [{"mh_ten": "Tưới tự động", "mh_xac_minh": "co"}]
            doc["meta"] = {"instanceID": f"uuid:bench-{next_id}"}
            yield "pl_kdc", next_id, f"H{h:04d}", doc
            next_id += 1

    def copy_line(values):
        return "\t".join("\\N" if v is None else str(v) for v in values) + "\n"

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        chunk_s, chunk_v = io.StringIO(), io.StringIO()

        def flush():
            with raw.copy(f"COPY {s_table} ({submission_columns}) FROM STDIN") as copy:
                copy.write(chunk_s.getvalue())
            with raw.copy(f"COPY {v_table} ({version_columns}) FROM STDIN") as copy:
                copy.write(chunk_v.getvalue())
            chunk_s.seek(0), chunk_s.truncate(), chunk_v.seek(0), chunk_v.truncate()

        count = 0
        for s_row, v_row in rows():
            chunk_s.write(copy_line(s_row))
            chunk_v.write(copy_line(v_row))
            count += 1
            if count % 50_000 == 0:
                flush()
                print(f"  seeded {count:,} households ({time.perf_counter() - started:.0f} s)", flush=True)
        for form_id, next_id, code, doc in extra_rows(first_id + n_households):
            form = forms[form_id]
            instance = doc["meta"]["instanceID"]
            text = json.dumps(doc, ensure_ascii=False).replace("\\", "\\\\")
            chunk_s.write(
                copy_line(
                    (
                        next_id,
                        form.pk,
                        instance,
                        next_id,
                        form.current_version.pk,
                        "",
                        "",
                        "2025-10-15",
                        "2025-10-15",
                        "received",
                        code,
                        None,
                        None,
                        None,
                        None,
                        "2025-10-15",
                        "2025",
                    )
                )
            )
            chunk_v.write(
                copy_line(
                    (
                        next_id,
                        next_id,
                        form.pk,
                        instance,
                        "",
                        "",
                        "\\x",
                        "0" * 64,
                        text,
                        form.current_version.pk,
                        "",
                        "",
                        "2025-10-15",
                    )
                )
            )
        flush()
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{s_table}', 'id'), (SELECT MAX(id) FROM {s_table}))")
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{v_table}', 'id'), (SELECT MAX(id) FROM {v_table}))")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {s_table}")
        cursor.execute(f"VACUUM ANALYZE {v_table}")
    print(
        f"  seeded {n_households:,} households, {member_total:,} persons 15+, {n_hamlets} hamlets "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def answers_extract_untimed() -> None:
    """The seeding wrote submissions straight into their tables; the ingest path would also
    have stored each one's answers (backend/reports/answers.py). Do that here, untimed."""
    from django.db import connection
    from django.db.models import Exists, OuterRef

    from analytics.frames import FIELDS
    from backend.reports.answers import submission_answers_repair
    from backend.reports.models import ANSWERS_BY_KEY
    from backend.submissions.models import Submission

    missing = Submission.objects.filter(form__form_id__in=list(FIELDS))
    for form_id in FIELDS:
        answered = ANSWERS_BY_KEY[form_id].objects.filter(submission_id=OuterRef("pk"))
        missing = missing.exclude(Exists(answered))
    ids = list(missing.values_list("id", flat=True))
    if ids:
        started = time.perf_counter()
        print(f"extracting the answers of {len(ids):,} submissions (not timed)…", flush=True)
        submission_answers_repair(submission_ids=ids)
        with connection.cursor() as cursor:
            for model in ANSWERS_BY_KEY.values():
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")  # as autovacuum would
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=16_500)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed", type=int, default=57)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a PostgreSQL database used only for this benchmark.")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from backend.submissions.models import Submission
    from backend.surveys.models import Form

    households = Submission.objects.filter(form__form_id="pl_ho").count() if Form.objects.exists() else 0
    if args.reseed or households != args.households:
        print(f"seeding {args.households:,} households (not timed)…", flush=True)
        seed(args.households, np.random.default_rng(args.seed))
        connection.close()
        # Measure in a fresh process: the seeding's memory must not count as the computation's peak.
        os.execv(sys.executable, [sys.executable, __file__, "--households", str(args.households)])
    answers_extract_untimed()
    connection.close()

    # A web worker or the command has these loaded already; do not time Python imports.
    import matplotlib
    import pandas as pd

    from analytics import exports
    from analytics.geo import hamlets_frame
    from analytics.scorecard import scorecard_labelled
    from backend.places.models import Hamlet
    from backend.reports.models import ComputedResult
    from backend.reports.services import indicator_results_compute

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import openpyxl  # noqa: F401
    import pyogrio  # noqa: F401

    rss_before = peak_rss_mib()
    print(f"\nfull recomputation, {args.households:,} households (PostgreSQL, {os.cpu_count()} cores)")
    started = time.perf_counter()

    def progress(stage, seconds, detail):
        print(f"  {stage:<8} {seconds:7.2f} s  {detail}", flush=True)

    report = indicator_results_compute(progress=progress)
    recompute = time.perf_counter() - started

    t0 = time.perf_counter()
    stored = list(ComputedResult.objects.all())
    tables = [exports.tables_unpack(r.tables) for r in stored]
    rows, scorecard, summary, coverage = (
        pd.concat([t[name] for t in tables], ignore_index=True) for name in ("rows", "scorecard", "summary", "coverage")
    )
    hamlets = hamlets_frame(Hamlet.objects.values("code", "name", "boundary", "registered_households", "pilot_dra"))
    names = dict(zip(hamlets["code"], hamlets["name"], strict=False))
    scorecard = scorecard_labelled(scorecard)
    load = time.perf_counter() - t0
    outputs = {}
    for name, build in [
        ("csv", lambda: exports.csv_bytes(rows, names)),
        ("xlsx", lambda: exports.xlsx_bytes(rows, scorecard, summary, coverage, names)),
        ("gpkg", lambda: exports.gpkg_bytes(hamlets, rows)),
        ("geojson", lambda: json.dumps(exports.geojson_dict(hamlets, rows, "C1", "2025")).encode()),
        ("png", lambda: exports.choropleth_png(hamlets, rows, "C1", "2025")),
    ]:
        t = time.perf_counter()
        body = build()
        outputs[name] = (time.perf_counter() - t, len(body))
    exports_total = load + sum(t for t, _ in outputs.values())
    print(
        f"  outputs  {exports_total:7.2f} s  (load stored results {load:.2f} s; "
        + "; ".join(f"{k} {t:.2f} s / {n / 1e6:.1f} MB" for k, (t, n) in outputs.items())
        + ")"
    )
    print(
        f"total: recomputation {recompute:.2f} s; with all outputs {recompute + exports_total:.2f} s; "
        f"peak RSS {peak_rss_mib():.0f} MiB (before: {rss_before:.0f} MiB); "
        f"households {report.counts['households']:,}, persons 15+ {report.counts['persons15']:,}, "
        f"rows {len(rows):,}"
    )


if __name__ == "__main__":
    main()
