import csv
import io

import openpyxl
import pytest

from kindsteps.testing.mfa import with_totp
from orgs.models import Role, UnitRole

HEADER = ["code", "name", "kind", "parent_code"]


def csv_file(
    rows: list[list[str]], *, header=HEADER, delimiter: str = ",", bom: bool = False
) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([header, *rows])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_file(rows: list[list], *, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def province_admin(tree, user_factory):
    """Admin of the Long An province, above both districts (with an authenticator app)."""
    user = with_totp(user_factory("province@example.org", full_name="Tỉnh Hội"))
    UnitRole.objects.create(user=user, unit=tree["LA"], role=Role.ADMIN)
    return user


@pytest.fixture
def login(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in
