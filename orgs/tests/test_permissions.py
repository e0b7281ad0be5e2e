"""The one rule for contacts (orgs/permissions.py): who may see a person's e-mail
address and phone number, and who sees their real name where the public sees the
one they chose. Owner: admin of Cần Đước; member: plain staff of Long Trạch,
inside it; outsider: admin of the neighbouring district."""

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import make_user
from orgs.models import Role, UnitRole
from orgs.permissions import (
    contact_unit_ids,
    may_see_contacts,
    may_see_real_names,
    real_name_unit_ids,
)


@pytest.fixture
def walker(tree):
    return make_user("student@example.org", full_name="Lê Thị Hoa", home_unit=tree["LA-CD-LTR"])


@pytest.fixture
def commune_admin(tree):
    user = make_user("commune-admin@example.org")
    UnitRole.objects.create(user=user, unit=tree["LA-CD-LTR"], role=Role.ADMIN)
    return user


def test_administrators_of_the_unit_or_above_see_contacts(tree, owner, commune_admin, walker):
    assert may_see_contacts(owner, tree["LA-CD-LTR"], walker)
    assert may_see_contacts(commune_admin, tree["LA-CD-LTR"], walker)


def test_plain_staff_of_the_unit_see_no_contacts(tree, member, walker):
    assert not may_see_contacts(member, tree["LA-CD-LTR"], walker)


def test_administrators_elsewhere_see_no_contacts(tree, outsider, commune_admin, walker):
    assert not may_see_contacts(outsider, tree["LA-CD-LTR"], walker)
    # An administrator below sees nothing of the unit above them.
    assert not may_see_contacts(commune_admin, tree["LA-CD"], walker)


def test_visitors_and_participants_see_no_contacts(tree, walker, participant):
    assert not may_see_contacts(AnonymousUser(), tree["LA-CD-LTR"], walker)
    assert not may_see_contacts(participant, tree["LA-CD-LTR"], walker)


def test_a_person_sees_their_own_contacts_and_a_superuser_everyone_s(tree, walker):
    assert may_see_contacts(walker, None, walker)
    root = make_user("root@example.org", is_superuser=True)
    assert may_see_contacts(root, tree["LA-CD-LTR"], walker)
    assert not may_see_contacts(make_user("x@example.org"), None, walker)


def test_every_staff_role_of_the_unit_or_above_sees_real_names(tree, owner, member, walker):
    assert may_see_real_names(owner, tree["LA-CD-LTR"], walker)
    assert may_see_real_names(member, tree["LA-CD-LTR"], walker)
    assert may_see_real_names(walker, None, walker)


def test_staff_elsewhere_and_visitors_see_the_chosen_name_only(tree, member, outsider, walker):
    assert not may_see_real_names(outsider, tree["LA-CD-LTR"], walker)
    assert not may_see_real_names(member, tree["LA-CD-THPT"], walker)
    assert not may_see_real_names(AnonymousUser(), tree["LA-CD-LTR"], walker)


def test_lists_ask_for_every_unit_in_one_query(
    django_assert_num_queries, tree, owner, member, outsider
):
    units = [tree[code].pk for code in ("LA-CD-LTR", "LA-CD-THPT", "LA-CG-PL")] + [None]
    with django_assert_num_queries(2):  # the person's roles, then the units among them
        assert contact_unit_ids(owner, units) == {tree["LA-CD-LTR"].pk, tree["LA-CD-THPT"].pk}
    assert contact_unit_ids(member, units) == set()
    assert real_name_unit_ids(member, units) == {tree["LA-CD-LTR"].pk}
    assert contact_unit_ids(outsider, units) == {tree["LA-CG-PL"].pk}
    assert contact_unit_ids(AnonymousUser(), units) == set()
