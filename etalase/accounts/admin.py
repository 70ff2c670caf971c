from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import ApiToken, User
from etalase.core.phones import InvalidPhoneNumber, phone_normalize


class IdentifierCleaning(forms.ModelForm[User]):
    """Operators type numbers as people do; the database keeps E.164 and lower-case emails."""

    def clean_phone(self) -> str | None:
        raw = self.cleaned_data.get("phone")
        if not raw:
            return None
        try:
            return phone_normalize(raw)
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc.message)) from exc

    def clean_email(self) -> str | None:
        email = self.cleaned_data.get("email")
        return email.strip().lower() if email else None

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("phone") and not cleaned.get("email") and not self.errors:
            raise forms.ValidationError(_("Enter a phone number or an email address."))
        return cleaned


class UserAddForm(IdentifierCleaning, AdminUserCreationForm[User]):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("phone", "email")


class UserEditForm(IdentifierCleaning, UserChangeForm[User]):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = (
            "phone",
            "email",
            "password",
            "name",
            "language",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
            "phone_verified_at",
            "email_verified_at",
        )  # type: ignore[assignment]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    form = UserEditForm
    add_form = UserAddForm
    ordering = ["-date_joined"]
    list_display = ["__str__", "phone", "email", "language", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "language"]
    search_fields = ["name", "phone", "email"]
    fieldsets = (
        (None, {"fields": ("phone", "email", "password")}),
        (_("Profile"), {"fields": ("name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "phone_verified_at", "email_verified_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("phone", "email", "password1", "password2")}),)

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm[User], change: bool) -> None:
        # A new number or address has not been proved by anyone yet.
        if change and "phone" in form.changed_data and "phone_verified_at" not in form.changed_data:
            obj.phone_verified_at = None
        if change and "email" in form.changed_data and "email_verified_at" not in form.changed_data:
            obj.email_verified_at = None
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix", "user__phone", "user__email"]
    readonly_fields = ["user", "name", "prefix", "digest", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are created by their owner, who alone sees the secret
