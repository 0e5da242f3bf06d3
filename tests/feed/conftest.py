"""The sync feed's fixtures: the register's follow-up form, two hamlets with a device each, an
admin, a hamlet head (from tests/registers), and a household list imported in both hamlets."""

import pytest

from backend.registers.services import households_import
from tests.registers.conftest import admin, devices, follow_up_form, hamlet_head, hamlets  # noqa: F401

HOUSEHOLDS = (
    "ap,ma_ho,ten_goi,mo_ta,lat,lon\n"
    "AP01,H001,Lan,Nhà mái tôn,10.90,106.81\n"
    "AP01,H002,Út,,,\n"
    "AP02,H001,Hoa,Cổng xanh,,\n"
).encode()


@pytest.fixture
def register(hamlets):  # noqa: F811
    households_import(data=HOUSEHOLDS, filename="ho.csv")
