from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class UnitKind(models.TextChoices):
    """Stable codes: stored in the database and in import files; never renamed."""

    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province / city")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune / town / ward")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health")
    ENTERPRISE = "enterprise", _("Enterprise / agency")
    OTHER = "other", _("Other chapter")


class Unit(MP_Node):
    """A chapter of the organisation. The tree is stored as a materialised path
    (``path``): a unit's subtree is every row whose path starts with its own, one
    indexed range scan however deep the tree is. The depth is not fixed."""

    steplen = 4  # 36**4 children per unit, 63 levels

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def subtree_q(self, prefix: str = "") -> models.Q:
        """A Q for rows (of this model or, with ``prefix``, a related one) in this subtree."""
        return models.Q(**{f"{prefix}path__startswith": self.path})


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")  # edits units, staff and campaigns in the subtree
    STAFF = "staff", _("Staff")  # sees dashboards, reports and exports of the subtree


class UnitRole(models.Model):
    """A staff role of a person over one unit and everything below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_roles"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit role")
        verbose_name_plural = _("unit roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="unitrole_one_per_user_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
