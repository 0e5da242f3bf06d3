"""Pages everyone meets: sign-in and sign-out, the error pages, the admin's name, the
favicon and the API reference — Vietnamese first, styled like the rest, nothing from outside."""

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client

from backend.accounts.models import Role
from backend.accounts.services import user_create

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture
def leader():
    return user_create(username="lanhdao", password="Lanh-Dao-2026!", role=Role.LEADERSHIP)


def test_the_sign_in_page_is_styled_and_a_wrong_password_is_answered_in_vietnamese_and_english(client, leader):
    page = client.get("/accounts/login/", **ENGLISH_BROWSER)
    assert page.status_code == 200
    html = page.content.decode()
    assert "web/css/site.css" in html and "Đăng nhập" in html
    wrong = client.post("/accounts/login/", {"username": "lanhdao", "password": "sai"}, **ENGLISH_BROWSER)
    text = wrong.content.decode()
    assert wrong.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in text and "Wrong username or password" in text
    assert "Please enter a correct" not in text


def test_signing_out_lands_on_our_sign_in_page_not_the_admins(client, leader):
    client.force_login(leader)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?signed_out=1"
    page = client.get(response["Location"])
    assert "Bạn đã đăng xuất" in page.content.decode()
    admin = user_create(username="quantri", password="Quan-Tri-2026!", role=Role.ADMIN)
    admin_out = Client()
    admin_out.force_login(admin)
    response = admin_out.post("/admin/logout/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert b"quality time" not in admin_out.get(response["Location"]).content


def test_a_missing_page_is_a_vietnamese_404_styled_like_the_site(client):
    response = client.get("/khong-co-trang-nay/", **ENGLISH_BROWSER)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang này" in html and "web/css/site.css" in html
    assert "Content-Security-Policy" in response


def test_a_refused_page_is_a_vietnamese_403_and_the_server_error_page_is_vietnamese(client):
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from backend.web.site_views import error_403

    response = error_403(RequestFactory().get("/x"), PermissionDenied("Trang này dành cho trưởng ấp."))
    assert response.status_code == 403
    assert "Bạn không có quyền xem trang này" in response.content.decode()
    assert "Trang này dành cho trưởng ấp." in response.content.decode()
    server_error = render_to_string("500.html")
    assert "Máy chủ gặp lỗi" in server_error and "web/css/site.css" in server_error


def test_the_admin_is_named_in_vietnamese_even_for_an_english_browser(client):
    html = client.get("/admin/login/", **ENGLISH_BROWSER).content.decode()
    assert "Quản trị khảo sát xã Phú Lâm" in html
    assert "Django administration" not in html
    assert 'lang="vi"' in html


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_the_api_reference_page_loads_redoc_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'spec-url="/api/schema?format=json"' in html
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
    assert "cdn" not in html.lower()
    assert finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js") is None
