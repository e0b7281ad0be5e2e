import pytest
from django.urls import reverse

from core.models import AuditEntry
from orgs.models import Role, Unit, UnitRole


def test_owner_renames_a_unit_of_their_district(login, owner):
    response = login(owner).post(
        reverse("orgs:edit", args=["LA-CD-LTR"]),
        {"name": "Hội CTĐ xã Long Trạch", "kind": "commune"},
    )
    assert response.status_code == 302
    assert Unit.objects.get(code="LA-CD-LTR").name == "Hội CTĐ xã Long Trạch"
    assert AuditEntry.objects.filter(action="orgs.unit.updated", actor=owner).exists()


def test_edit_with_a_bad_kind_shows_the_form_again(login, owner):
    response = login(owner).post(
        reverse("orgs:edit", args=["LA-CD"]), {"name": "X", "kind": "planet"}
    )
    assert response.status_code == 400
    assert response.context["edit_form"].errors["kind"]
    assert Unit.objects.get(code="LA-CD").kind == "district"


def test_edit_is_post_only(login, owner):
    assert login(owner).get(reverse("orgs:edit", args=["LA-CD"])).status_code == 405


def test_edit_needs_a_csrf_token(client, owner):
    client = type(client)(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("orgs:edit", args=["LA-CD"]), {"name": "X", "kind": "district"})
    assert response.status_code == 403
    assert Unit.objects.get(code="LA-CD").name == "Huyện hội Cần Đước"


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("member", "LA-CD-LTR"),
        ("member", "LA-CD"),
        ("outsider", "LA-CD"),
        ("outsider", "LA-CD-LTR"),
    ],
)
def test_member_and_outsider_cannot_edit(login, request, who, code):
    response = login(request.getfixturevalue(who)).post(
        reverse("orgs:edit", args=[code]), {"name": "Bị đổi", "kind": "other"}
    )
    assert response.status_code == 404
    assert not Unit.objects.filter(name="Bị đổi").exists()


def test_anonymous_edit_is_sent_to_log_in(client, tree):
    response = client.post(reverse("orgs:edit", args=["LA-CD"]), {"name": "X", "kind": "other"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_owner_adds_a_child_unit(login, owner, tree):
    response = login(owner).post(
        reverse("orgs:add_child", args=["LA-CD"]),
        {"code": "LA-CD-TL", "name": "Hội CTĐ xã Tân Lân", "kind": "commune"},
    )
    assert response.status_code == 302
    child = Unit.objects.get(code="LA-CD-TL")
    assert child.path.startswith(tree["LA-CD"].path) and child.depth == 4
    assert Unit.objects.get(code="LA-CD").numchild == 3


def test_adding_a_child_with_a_taken_code_says_so(login, owner):
    response = login(owner).post(
        reverse("orgs:add_child", args=["LA-CD"]),
        {"code": "LA-CG-PL", "name": "Trùng", "kind": "commune"},
    )
    assert response.status_code == 400
    assert "LA-CG-PL" in str(response.context["child_form"].errors["code"])


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_member_and_outsider_cannot_add_children(login, request, who):
    response = login(request.getfixturevalue(who)).post(
        reverse("orgs:add_child", args=["LA-CD-LTR"]),
        {"code": "NEW", "name": "Mới", "kind": "other"},
    )
    assert response.status_code == 404
    assert not Unit.objects.filter(code="NEW").exists()


def test_owner_gives_a_staff_role_by_email(login, owner, participant):
    response = login(owner).post(
        reverse("orgs:role_add", args=["LA-CD-THPT"]),
        {"email": "WALKER@example.org", "role": "staff"},
    )
    assert response.status_code == 302
    role = UnitRole.objects.get(user=participant)
    assert (role.unit.code, role.role) == ("LA-CD-THPT", Role.STAFF)
    assert AuditEntry.objects.filter(action="orgs.role.granted").exists()


def test_giving_a_role_again_changes_it(login, owner, member):
    login(owner).post(
        reverse("orgs:role_add", args=["LA-CD-LTR"]), {"email": member.email, "role": "admin"}
    )
    assert UnitRole.objects.get(user=member).role == Role.ADMIN


def test_giving_a_role_to_an_unknown_email_says_so(login, owner):
    response = login(owner).post(
        reverse("orgs:role_add", args=["LA-CD"]), {"email": "nobody@example.org", "role": "staff"}
    )
    assert response.status_code == 400
    assert "nobody@example.org" in str(response.context["role_form"].errors["email"])


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_member_and_outsider_cannot_give_roles(login, request, who, participant):
    response = login(request.getfixturevalue(who)).post(
        reverse("orgs:role_add", args=["LA-CD-LTR"]), {"email": participant.email, "role": "admin"}
    )
    assert response.status_code == 404
    assert not UnitRole.objects.filter(user=participant).exists()


def test_owner_removes_a_role_in_their_district(login, owner, member):
    role = UnitRole.objects.get(user=member)
    response = login(owner).post(reverse("orgs:role_remove", args=["LA-CD-LTR", role.pk]))
    assert response.status_code == 302
    assert not UnitRole.objects.filter(pk=role.pk).exists()


def test_owner_cannot_remove_a_role_through_another_units_page(login, owner, outsider):
    role = UnitRole.objects.get(user=outsider)
    assert (
        login(owner).post(reverse("orgs:role_remove", args=["LA-CD", role.pk])).status_code == 404
    )
    assert UnitRole.objects.filter(pk=role.pk).exists()


def test_outsider_cannot_remove_roles_in_another_district(login, outsider, member):
    role = UnitRole.objects.get(user=member)
    response = login(outsider).post(reverse("orgs:role_remove", args=["LA-CD-LTR", role.pk]))
    assert response.status_code == 404
    assert UnitRole.objects.filter(pk=role.pk).exists()


def test_admin_cannot_remove_their_own_admin_role(login, owner):
    role = UnitRole.objects.get(user=owner)
    login(owner).post(reverse("orgs:role_remove", args=["LA-CD", role.pk]))
    assert UnitRole.objects.filter(pk=role.pk).exists()


def test_role_removal_is_post_only(login, owner, member):
    role = UnitRole.objects.get(user=member)
    assert (
        login(owner).get(reverse("orgs:role_remove", args=["LA-CD-LTR", role.pk])).status_code
        == 405
    )
