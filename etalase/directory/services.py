"""Directory writes: registering and running a business, its team and invitations."""

from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.accounts.selectors import identifier_normalize
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.core.errors import Conflict, NotFound, ValidationError
from etalase.core.images import InvalidImage, image_normalize
from etalase.core.phones import InvalidPhoneNumber, phone_normalize
from etalase.core.text import text_normalize
from etalase.directory.enums import BusinessStatus, InvitationStatus, Role, Verb
from etalase.directory.hours import opening_hours_clean
from etalase.directory.models import Business, Category, Invitation, Membership
from etalase.directory.permissions import Permission
from etalase.directory.selectors import invitation_list_for_user
from etalase.directory.tenancy import BusinessContext

RESERVED_SLUGS = {"admin", "api", "accounts", "static", "media", "manage", "new", "b", "me", "sw"}


def _slug_unique(base: str) -> str:
    base = (slugify(base) or "toko")[:56].strip("-") or "toko"
    candidate, number = base, 1
    while candidate in RESERVED_SLUGS or Business.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _clean_profile(
    *, name: str, category_slug: str, city: str, whatsapp: str, description: str, timezone_name: str
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    name = name.strip()
    if not name or len(name) > 120:
        errors["name"] = _("Enter the business name (at most 120 characters).")
    category = Category.objects.filter(slug=category_slug, is_active=True).first()
    if category is None:
        errors["category"] = _("Choose a business field from the list.")
    city = " ".join(city.split())
    if not city or len(city) > 80:
        errors["city"] = _("Enter the city (at most 80 characters).")
    try:
        fields["whatsapp"] = phone_normalize(whatsapp)
    except InvalidPhoneNumber as exc:
        errors["whatsapp"] = exc.message
    description = description.strip()
    if len(description) > 300:
        errors["description"] = _("The description can have at most 300 characters.")
    if timezone_name not in available_timezones():
        errors["timezone"] = _("Choose a time zone from the list.")
    if errors:
        raise ValidationError(_("Please correct the errors below."), fields=errors)
    fields.update(
        name=name,
        category=category,
        city=city,
        description=description,
        timezone=timezone_name,
        search_text=text_normalize(
            name, category.name_id if category else "", category.name_en if category else "", city, description
        ),
    )
    return fields


def _logo_clean(logo: object | None) -> Any:
    if not logo:
        return None
    try:
        return image_normalize(
            logo,
            max_bytes=settings.LOGO_MAX_BYTES,
            max_pixels=settings.LOGO_MAX_PIXELS,
            max_side=512,
            name="logo",
        )
    except InvalidImage as exc:
        raise ValidationError(exc.message, code=exc.code, fields={"logo": exc.message}) from exc


@transaction.atomic
def business_register(
    *,
    owner: User,
    name: str,
    category_slug: str,
    city: str,
    whatsapp: str,
    description: str = "",
    logo: object | None = None,
    timezone_name: str = "Asia/Jakarta",
    channel: str = Channel.WEB,
) -> Business:
    """Register a business; the registrant becomes its owner."""
    fields = _clean_profile(
        name=name,
        category_slug=category_slug,
        city=city,
        whatsapp=whatsapp,
        description=description,
        timezone_name=timezone_name,
    )
    logo_file = _logo_clean(logo)
    business = Business(**fields, slug=_slug_unique(fields["name"]), created_by=owner)
    if logo_file is not None:
        business.logo.save(logo_file.name or "logo.webp", logo_file, save=False)
    business.save()
    Membership.objects.create(business=business, user=owner, role=Role.OWNER)
    activity_record(
        verb=Verb.BUSINESS_REGISTERED,
        business=business,
        actor=owner,
        target=business,
        channel=channel,
        data={"name": business.name, "category": business.category.slug, "city": business.city},
    )
    return business


@transaction.atomic
def business_update(
    *,
    context: BusinessContext,
    name: str,
    category_slug: str,
    city: str,
    whatsapp: str,
    description: str = "",
    logo: object | None = None,
    timezone_name: str | None = None,
) -> Business:
    fields = _clean_profile(
        name=name,
        category_slug=category_slug,
        city=city,
        whatsapp=whatsapp,
        description=description,
        timezone_name=timezone_name or context.business.timezone,
    )
    logo_file = _logo_clean(logo)
    business = Business.objects.select_for_update().get(pk=context.business.pk)
    changed = [key for key, value in fields.items() if getattr(business, key) != value]
    for key, value in fields.items():
        setattr(business, key, value)
    if logo_file is not None:
        business.logo.save(logo_file.name or "logo.webp", logo_file, save=False)
        changed.append("logo")
    business.save()
    if changed:
        activity_record(
            verb=Verb.BUSINESS_UPDATED,
            business=business,
            actor=context.user,
            target=business,
            data={"fields": changed},
        )
    return business


@transaction.atomic
def business_set_status(*, business: Business, operator: User | None, status: str) -> Business:
    """An operator suspends or reinstates a business."""
    if status not in BusinessStatus.values:
        raise ValidationError(_("Unknown status."))
    if business.status != status:
        business.status = status
        business.save(update_fields=["status", "updated_at"])
        verb = Verb.BUSINESS_SUSPENDED if status == BusinessStatus.SUSPENDED else Verb.BUSINESS_REINSTATED
        activity_record(verb=verb, business=business, actor=operator, target=business, channel=Channel.ADMIN)
    return business


@transaction.atomic
def business_verify(*, business: Business, operator: User | None) -> Business:
    if not business.is_verified:
        business.is_verified = True
        business.verified_at = timezone.now()
        business.save(update_fields=["is_verified", "verified_at", "updated_at"])
        activity_record(
            verb=Verb.BUSINESS_VERIFIED,
            business=business,
            actor=operator,
            target=business,
            channel=Channel.ADMIN,
        )
    return business


def _role_check(context: BusinessContext, role: str) -> None:
    """A rule about the data, not the caller: only someone who manages owners makes an owner."""
    if role not in Role.values:
        raise ValidationError(
            _("Choose one of the roles in the list."),
            fields={"role": _("Choose one of the roles in the list.")},
        )
    if role == Role.OWNER:
        context.require(Permission.OWNERS_MANAGE)


@transaction.atomic
def invitation_create(*, context: BusinessContext, identifier: str, role: str) -> Invitation:
    """Invite a person by phone or email; they join when they sign up (or accept) with it."""
    _role_check(context, role)
    try:
        kind, value = identifier_normalize(identifier)
        if kind == "email":
            validate_email(value)
    except (InvalidPhoneNumber, DjangoValidationError) as exc:
        message = _("Enter a valid phone number or email address.")
        raise ValidationError(message, fields={"identifier": message}) from exc
    business = context.business
    lookup = Q(phone=value) if kind == "phone" else Q(email__iexact=value)
    if (
        Membership.objects.filter(business=business)
        .filter(Q(user__phone=value) if kind == "phone" else Q(user__email__iexact=value))
        .exists()
    ):
        message = _("This person is already a member of the team.")
        raise Conflict(message, code="already_member", fields={"identifier": message})
    if Invitation.objects.filter(business=business, status=InvitationStatus.PENDING).filter(lookup).exists():
        message = _("This person has already been invited.")
        raise Conflict(message, code="already_invited", fields={"identifier": message})
    invitation = Invitation.objects.create(
        business=business,
        role=role,
        invited_by=context.user,
        **({"phone": value} if kind == "phone" else {"email": value}),
    )
    activity_record(
        verb=Verb.MEMBER_INVITED,
        business=business,
        actor=context.user,
        target=invitation,
        data={"role": role, "identifier": value},
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, context: BusinessContext, invitation_id: int) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .filter(business=context.business, pk=invitation_id, status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None:
        raise NotFound()
    invitation.status = InvitationStatus.REVOKED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at", "updated_at"])
    activity_record(verb=Verb.INVITATION_REVOKED, business=context.business, actor=context.user, target=invitation)
    return invitation


def _invitations_for(user: User) -> QuerySet[Invitation]:
    return invitation_list_for_user(user=user)


@transaction.atomic
def invitation_respond(*, user: User, invitation_id: int, accept: bool) -> Invitation:
    """The invited person accepts (joins with the invited role) or declines."""
    invitation = _invitations_for(user).select_for_update().filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound()
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.accepted_by = user if accept else None
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "responded_at", "updated_at"])
    if accept:
        _membership_join(invitation=invitation, user=user)
    else:
        activity_record(verb=Verb.INVITATION_DECLINED, business=invitation.business, actor=user, target=invitation)
    return invitation


def _membership_join(*, invitation: Invitation, user: User) -> Membership | None:
    membership, created = Membership.objects.get_or_create(
        business=invitation.business, user=user, defaults={"role": invitation.role}
    )
    if created:
        activity_record(
            verb=Verb.MEMBER_JOINED,
            business=invitation.business,
            actor=user,
            target=membership,
            data={"role": invitation.role, "invitation": invitation.pk},
            idempotency_key=f"member_joined:{invitation.pk}",
        )
    return membership


@transaction.atomic
def invitations_accept_on_verification(*, user: User) -> list[Membership]:
    """A person who has verified an invited phone number or email joins those teams."""
    memberships = []
    for invitation in _invitations_for(user).select_for_update().select_related("business"):
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_by = user
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["status", "accepted_by", "responded_at", "updated_at"])
        membership = _membership_join(invitation=invitation, user=user)
        if membership is not None:
            memberships.append(membership)
    return memberships


def _membership_for_update(context: BusinessContext, membership_id: int) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(business=context.business, pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound()
    return membership


def _owners_left_after(membership: Membership) -> int:
    return Membership.objects.filter(business=membership.business_id, role=Role.OWNER).exclude(pk=membership.pk).count()


@transaction.atomic
def membership_change_role(*, context: BusinessContext, membership_id: int, role: str) -> Membership:
    _role_check(context, role)
    membership = _membership_for_update(context, membership_id)
    if membership.role == Role.OWNER:
        context.require(Permission.OWNERS_MANAGE)
        if role != Role.OWNER and _owners_left_after(membership) == 0:
            raise Conflict(_("A business needs at least one owner."), code="last_owner")
    if membership.role != role:
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        activity_record(
            verb=Verb.MEMBER_ROLE_CHANGED,
            business=context.business,
            actor=context.user,
            target=membership,
            data={"from": previous, "to": role, "member": membership.user_id},
        )
    return membership


@transaction.atomic
def membership_remove(*, context: BusinessContext, membership_id: int) -> None:
    membership = _membership_for_update(context, membership_id)
    # Whose membership it is decides the permission (anyone may leave; removing an owner takes
    # owners.manage), so this rule about the rows stays here rather than at the boundary.
    leaving_self = membership.user_id == context.user.pk
    if not leaving_self:
        context.require(Permission.MEMBERS_MANAGE)
    if membership.role == Role.OWNER:
        if not leaving_self:
            context.require(Permission.OWNERS_MANAGE)
        if _owners_left_after(membership) == 0:
            raise Conflict(_("A business needs at least one owner."), code="last_owner")
    activity_record(
        verb=Verb.MEMBER_REMOVED,
        business=context.business,
        actor=context.user,
        target=membership.user,
        data={"role": membership.role, "member": membership.user_id, "left": leaving_self},
    )
    membership.delete()


def category_ensure(*, slug: str, name_id: str, name_en: str, position: int = 0) -> Category:
    category, _created = Category.objects.update_or_create(
        slug=slug, defaults={"name_id": name_id, "name_en": name_en, "position": position}
    )
    return category


def _coordinate(value: Any, *, low: int, high: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        message = _("Enter the map location as numbers.")
        raise ValidationError(message, fields={field: message}) from exc
    if not number.is_finite() or not low <= number <= high:
        message = _("The map location is not valid: latitude goes from -90 to 90, longitude from -180 to 180.")
        raise ValidationError(message, fields={field: message})
    return number.quantize(Decimal("0.000001"))


@transaction.atomic
def business_storefront_update(
    *,
    context: BusinessContext,
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
    opening_hours: Any = None,
    cover: object | None = None,
    cover_remove: bool = False,
) -> Business:
    """Edit what the storefront shows besides the profile: cover, address, map location, hours."""
    address = " ".join(address.split())
    if len(address) > 300:
        raise ValidationError(
            _("The address can have at most 300 characters."),
            fields={"address": _("At most 300 characters.")},
        )
    lat = _coordinate(latitude, low=-90, high=90, field="latitude")
    lng = _coordinate(longitude, low=-180, high=180, field="longitude")
    if (lat is None) != (lng is None):
        raise ValidationError(
            _("Give both latitude and longitude, or neither."),
            fields={"latitude": _("Give both latitude and longitude, or neither.")},
        )
    hours = opening_hours_clean(opening_hours or {})
    cover_file = None
    if cover:
        try:
            cover_file = image_normalize(
                cover,
                max_bytes=settings.LOGO_MAX_BYTES * 4,
                max_pixels=settings.LOGO_MAX_PIXELS * 3,
                max_side=1600,
                name="cover",
            )
        except InvalidImage as exc:
            raise ValidationError(exc.message, code=exc.code, fields={"cover": exc.message}) from exc
    business = Business.objects.select_for_update().get(pk=context.business.pk)
    business.address, business.latitude, business.longitude = address, lat, lng
    business.opening_hours = hours
    if cover_file is not None:
        business.cover.save(cover_file.name or "cover.webp", cover_file, save=False)
    elif cover_remove:
        business.cover = None
    business.save()
    activity_record(
        verb=Verb.BUSINESS_UPDATED,
        business=business,
        actor=context.user,
        target=business,
        data={"fields": ["storefront"]},
    )
    return business
