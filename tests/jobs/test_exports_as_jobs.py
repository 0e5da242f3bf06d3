"""Exports and maps: GET builds them during the request (a commune's), POST has a job build
the same file (a province's) and answers 202 with the job to follow and download."""

from backend.jobs.models import Job
from tests.reports.factories import small_commune


def follow(client, response):
    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == job["url"]
    body = client.get(job["url"]).json()
    assert body["state"] == "done", body
    download = client.get(body["result_url"])
    assert download.status_code == 200
    return body, download, b"".join(download.streaming_content)


def test_an_export_built_by_a_job_is_the_file_the_request_would_have_given(db, leadership, viewer):
    small_commune()
    for client in (leadership, viewer):  # the viewer's copy is suppressed, both ways alike
        direct = client.get("/api/v1/exports/indicators.csv", {"round": "2025"})
        body, download, data = follow(client, client.post("/api/v1/exports/indicators.csv?round=2025"))
        assert data == direct.content
        assert download["Content-Type"] == direct["Content-Type"]
        assert body["kind"] == "indicators.export" and body["params"] == {"format": "csv", "round": "2025"}
        assert body["result"]["rows"] > 0
    assert Job.objects.filter(kind="indicators.export").count() == 2


def test_a_map_drawn_by_a_job_is_a_png_and_an_unknown_indicator_is_refused(db, leadership):
    small_commune()
    _, download, data = follow(leadership, leadership.post("/api/v1/maps/A1.png"))
    assert download["Content-Type"] == "image/png" and data.startswith(b"\x89PNG")
    refused = leadership.post("/api/v1/maps/NOPE.png")
    assert refused.status_code == 404 and refused.json()["code"] == "404.1"
    assert not Job.objects.filter(params__indicator="NOPE").exists()


def test_a_map_of_a_round_that_does_not_exist_ends_as_a_failed_job_saying_so(db, leadership):
    small_commune()
    response = leadership.post("/api/v1/maps/A1.png?round=1999")
    job = leadership.get(response.json()["url"]).json()
    assert job["state"] == "failed" and "survey round '1999'" in job["error"]
    assert job["result_url"] is None


def test_the_print_map_is_a_whole_a4_sheet_at_300_dpi_and_a_bad_size_is_refused(db, leadership):
    import io

    from PIL import Image

    small_commune()
    direct = leadership.get("/api/v1/maps/A1.png", {"size": "a4"})
    assert direct.status_code == 200
    image = Image.open(io.BytesIO(direct.content))
    # A4 is 210 × 297 mm: 2480 × 3508 px at 300 dpi, and the file says 300 dpi to a print dialog.
    assert image.size == (2481, 3507), image.size  # 8.27 × 11.69 in, rounded by matplotlib
    assert tuple(round(d) for d in image.info["dpi"]) == (300, 300)
    screen = Image.open(io.BytesIO(leadership.get("/api/v1/maps/A1.png").content))
    assert screen.size[0] < 1000  # the quick screen map is unchanged
    body, download, data = follow(leadership, leadership.post("/api/v1/maps/A1.png?size=a4"))
    assert Image.open(io.BytesIO(data)).size == image.size
    assert body["params"]["size"] == "a4" and "_A4.png" in download["Content-Disposition"]
    refused = leadership.post("/api/v1/maps/A1.png?size=A0")
    assert refused.status_code == 400 and "size" in refused.json()["message"]
    assert leadership.get("/api/v1/maps/A1.png", {"size": "A0"}).status_code == 400
    assert not Job.objects.filter(params__size="A0").exists()
