"""Shared fixtures: the suite's fixed clock, a small organisation tree and the three
people every scoped view is tested with — the owner (admin of the unit), a member
(staff of a unit inside it) and an outsider (admin of a unit elsewhere)."""

from datetime import UTC

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import translation

from accounts.models import ApiToken, User
from kindsteps.testing.clock import NOW
from kindsteps.testing.mfa import with_totp
from orgs.models import Role, Unit, UnitKind, UnitRole

pytest_plugins = ["kindsteps.testing.browser"]

PASSWORD = "correct horse battery staple"


def make_user(email: str, *, verified: bool = True, **extra) -> User:
    user = User.objects.create_user(email, PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture(autouse=True)
def fixed_clock(request):
    """Every test runs at the suite's fixed "now", ``kindsteps.testing.clock.NOW``
    (noon in Vietnam on a Wednesday), whatever the hour the suite is run at: a test
    that walked "30 hours ago" and "29 hours ago" must not find those on two local
    days at one hour and on one at another.

    The clock ticks from there (time-machine's ``tick=True``): records made one after
    another get distinct, increasing times, and code that waits or retries until a
    moment by the wall clock (job schedules, expiries, the threads of the concurrency
    tests) still sees time pass. A test that needs one exact instant moves the clock
    itself through the ``time_machine`` fixture, which is this one's
    (``time_machine.move_to(moment, tick=False)``, ``time_machine.shift(delta)``).

    Tests marked ``real_clock`` run on the real clock, and so do browser tests:
    Chromium's own clock is real, and the page and the live server must agree."""
    marker = request.node.get_closest_marker
    if marker("real_clock") or marker("browser"):
        yield None
        return
    machine = request.getfixturevalue("time_machine")
    # As UTC: time-machine would set the process's TZ to a ZoneInfo destination's key.
    machine.move_to(NOW.astimezone(UTC), tick=True)
    yield machine


@pytest.fixture(autouse=True)
def site_language():
    """Every test starts in the site's default language (Vietnamese): a language
    a previous test's request activated on this thread must not leak into it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_caches():
    """Every test starts with empty caches: they live in the process's memory in the
    suite, and one test's sign-ins are not another's (the rate limits' counters, and
    the second-factor codes already used, which allauth refuses a second time)."""
    from django.core.cache import caches

    caches["ratelimit"].clear()
    caches["default"].clear()
    yield


@pytest.fixture
def user_factory(db):
    return make_user


@pytest.fixture
def tree(db) -> dict[str, Unit]:
    """national → province → two districts → their chapters."""
    vn = Unit.objects.add_root({"code": "VN", "name": "Trung ương Hội", "kind": UnitKind.NATIONAL})
    la = Unit.objects.add_child(
        vn, {"code": "LA", "name": "Tỉnh hội Long An", "kind": UnitKind.PROVINCE}
    )
    cd = Unit.objects.add_child(
        la, {"code": "LA-CD", "name": "Huyện hội Cần Đước", "kind": UnitKind.DISTRICT}
    )
    cg = Unit.objects.add_child(
        la, {"code": "LA-CG", "name": "Huyện hội Cần Giuộc", "kind": UnitKind.DISTRICT}
    )
    units = {"VN": vn, "LA": la, "LA-CD": cd, "LA-CG": cg}
    units["LA-CD-LTR"] = Unit.objects.add_child(
        cd, {"code": "LA-CD-LTR", "name": "Hội CTĐ CS xã Long Trạch", "kind": UnitKind.COMMUNE}
    )
    units["LA-CD-THPT"] = Unit.objects.add_child(
        cd,
        {"code": "LA-CD-THPT", "name": "Hội CTĐ CS Trường THPT Cần Đước", "kind": UnitKind.SCHOOL},
    )
    units["LA-CG-PL"] = Unit.objects.add_child(
        cg, {"code": "LA-CG-PL", "name": "Hội CTĐ CS xã Phước Lý", "kind": UnitKind.COMMUNE}
    )
    for unit in units.values():
        unit.refresh_from_db()
    return units


@pytest.fixture
def owner(tree) -> User:
    """Admin of Cần Đước district (with an authenticator app, as admins must)."""
    user = with_totp(make_user("owner@example.org", full_name="Chủ Huyện Hội"))
    UnitRole.objects.create(user=user, unit=tree["LA-CD"], role=Role.ADMIN)
    return user


@pytest.fixture
def member(tree) -> User:
    """Staff (view only) of a commune inside Cần Đước."""
    user = make_user("member@example.org", full_name="Cán Bộ Xã")
    UnitRole.objects.create(user=user, unit=tree["LA-CD-LTR"], role=Role.STAFF)
    return user


@pytest.fixture
def outsider(tree) -> User:
    """Admin of the neighbouring district, Cần Giuộc (with an authenticator app)."""
    user = with_totp(make_user("outsider@example.org", full_name="Người Ngoài"))
    UnitRole.objects.create(user=user, unit=tree["LA-CG"], role=Role.ADMIN)
    return user


@pytest.fixture
def participant(tree) -> User:
    return make_user("walker@example.org", full_name="Lê Minh Anh", home_unit=tree["LA-CD-THPT"])


@pytest.fixture
def bearer(participant) -> dict[str, str]:
    """The participant's API token, as the header a phone or recording app sends."""
    _token, raw = ApiToken.issue(participant, "Phone app")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
