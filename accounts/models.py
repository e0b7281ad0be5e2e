import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_birth_year, validate_vn_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class PublicName(models.TextChoices):
    """How a person appears on public pages (boards, team pages, donor lists, the API).
    ``auto``: the full name for adults, the short name for minors (accounts/names.py)."""

    AUTO = "auto", _("Automatic: full name, short name for minors")
    FULL = "full", _("Full name")
    SHORT = "short", _("Short name")
    ANONYMOUS = "anonymous", _("Anonymous")


class User(AbstractUser):
    """A person: participant, unit staff, or both. Logs in by e-mail."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True, validators=[validate_birth_year]
    )
    phone = models.CharField(
        _("phone"),
        max_length=16,
        blank=True,
        validators=[validate_vn_phone],
        help_text=_("Vietnamese mobile or landline, e.g. 0912 345 678 or +84 912 345 678."),
    )
    province = models.CharField(_("province / city"), max_length=100, blank=True)
    district = models.CharField(_("district / commune"), max_length=100, blank=True)
    home_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("home organisation unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="vi"
    )
    public_name_choice = models.CharField(
        _("name on public pages"),
        max_length=10,
        choices=PublicName.choices,
        default=PublicName.AUTO,
        # Also in the database, for rows written by SQL (the benchmarks' bulk loads).
        db_default=PublicName.AUTO,
    )
    # Set when the person deleted their account: the row stays, without anything
    # that names them, so what they walked and gave still counts
    # (docs/decisions/0019-data-rights.md).
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        if self.deleted_at is not None:
            return str(_("Deleted account"))
        return self.full_name or self.email

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else self.email

    # Profile fields a campaign registration needs before it can go on.
    PROFILE_FIELDS = ("full_name", "gender", "birth_year", "phone", "province", "home_unit")

    def missing_profile_fields(self) -> list[str]:
        return [name for name in self.PROFILE_FIELDS if not getattr(self, name)]


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored: the token itself is shown
    once, when it is created."""

    PREFIX = "ks_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=_hash_token(raw), hint=raw[:8])
        return token, raw

    @classmethod
    def authenticate(cls, raw: str):
        """The active token's user for ``raw``, or None."""
        if not raw.startswith(cls.PREFIX):
            return None
        token = (
            cls.objects.active()
            .select_related("user")
            .filter(digest=_hash_token(raw), user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class Consent(models.Model):
    """A person's consent to the purpose stated at sign-up (accounts/consent.py): when,
    to which version of the text and in which language it was shown."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    version = models.CharField(max_length=20)
    language = models.CharField(max_length=8)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-accepted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.version} {self.accepted_at:%Y-%m-%d}"
