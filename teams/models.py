import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


def _team_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Team(models.Model):
    """A team (đội nhóm / câu lạc bộ) in one campaign. Members are the
    registrations pointing at it (campaigns.Registration.team)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("team name"), max_length=80)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams",
    )
    captain = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("captain"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="captained_teams",
    )
    invite_code = models.CharField(max_length=12, unique=True, default=_team_code)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("campaign", Lower("name"), name="team_name_unique_in_campaign"),
        ]

    def __str__(self) -> str:
        return self.name
