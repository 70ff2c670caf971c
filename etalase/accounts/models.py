from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.enums import CodeChannel, CodePurpose, Language


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self,
        email: str | None = None,
        password: str | None = None,
        *,
        phone: str | None = None,
        **extra: object,
    ) -> "User":
        email = self.normalize_email(email) if email else None
        user = self.model(email=email or None, phone=phone or None, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str | None = None, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)  # type: ignore[arg-type]


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: by phone (E.164) or email, or both."""

    phone = models.CharField(_("phone number"), max_length=20, unique=True, null=True, blank=True)
    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language, default=Language.INDONESIAN)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when the person proved, with a one-time code, that the number or address is theirs.
    phone_verified_at = models.DateTimeField(_("phone number verified"), null=True, blank=True)
    email_verified_at = models.DateTimeField(_("email address verified"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__isnull=False) | Q(email__isnull=False),
                name="user_has_phone_or_email",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.phone or self.email or f"#{self.pk}"

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def phone_verified(self) -> bool:
        return bool(self.phone) and self.phone_verified_at is not None

    @property
    def email_verified(self) -> bool:
        return bool(self.email) and self.email_verified_at is not None

    @property
    def is_verified(self) -> bool:
        """Proved a phone number or an email address: may join a team and act for a shop."""
        return self.phone_verified or self.email_verified


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class OneTimeCode(models.Model):
    """A six-digit code sent to a phone number or email address, to verify it or to reset a password.

    Only a keyed digest of the code is stored. A code is good for ``accounts.codes.CODE_LIFETIME``,
    for ``CODE_TRIES`` wrong guesses, and once; a newer code of the same purpose replaces it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose)
    channel = models.CharField(_("sent by"), max_length=8, choices=CodeChannel)
    destination = models.CharField(_("sent to"), max_length=254)
    digest = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used or replaced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["user", "purpose", "-created_at"], name="code_user_purpose_recent")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.destination}"
