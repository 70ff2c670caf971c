"""Factories for the foundation's models.

Rows that a service would write with side effects (an owner's membership, an API token's secret)
are made the way the service makes them, so a test starts from data the app itself could produce.
"""

from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.utils import timezone
from factory.base import Factory
from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory, Password
from factory.helpers import post_generation

from etalase.accounts.models import ApiToken, User
from etalase.accounts.services import api_token_create
from etalase.core.text import text_normalize
from etalase.directory.enums import BusinessStatus, InvitationStatus, Role
from etalase.directory.models import Business, Category, Invitation, Membership
from etalase.directory.services import business_register

PASSWORD = "kopi-gayo-88"
"""Every factory-made user's password."""


T = TypeVar("T")


class ModelFactory(DjangoModelFactory[T]):
    """A Django model factory whose call gives the model (``UserFactory()`` is a ``User`` to mypy)."""

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> T: ...  # type: ignore[misc]


def phone_number(n: int) -> str:
    """A valid Indonesian mobile number in E.164, distinct for every ``n``."""
    return f"+62812{n:08d}"


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    name = Sequence(lambda n: f"Pengguna {n}")
    phone = Sequence(lambda n: phone_number(10_000_000 + n))
    email = Sequence(lambda n: f"user{n}@example.com")
    language = "en"
    password = Password(PASSWORD)
    # Verified, like every account made before verification existed; pass ``phone_verified_at=None``
    # and ``email_verified_at=None`` (or use ``unverified_user``) for an account that still has to.
    phone_verified_at = LazyAttribute(lambda user: timezone.now() if user.phone else None)
    email_verified_at = LazyAttribute(lambda user: timezone.now() if user.email else None)


def unverified_user(**fields: Any) -> User:
    """An account that has not proved its phone number or email address yet (as after signing up)."""
    return UserFactory(phone_verified_at=None, email_verified_at=None, **fields)


class CategoryFactory(ModelFactory[Category]):
    """A business field; slugs of the default fields (``fashion-batik``...) return the existing row."""

    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = Sequence(lambda n: f"field-{n}")
    name_id = Sequence(lambda n: f"Bidang {n}")
    name_en = Sequence(lambda n: f"Field {n}")
    position = 100


def default_category(slug: str = "fashion-batik") -> Category:
    """One of the business fields the data migration creates (re-created after a flushed test)."""
    names = {
        "fashion-batik": ("Batik & Busana", "Batik & Fashion"),
        "coffee-shop": ("Kedai Kopi", "Coffee Shop"),
        "bakery": ("Toko Roti & Kue", "Bakery & Cakes"),
        "laundry": ("Laundry", "Laundry"),
    }
    name_id, name_en = names.get(slug, (slug, slug))
    return CategoryFactory(slug=slug, name_id=name_id, name_en=name_en, position=0)


class BusinessFactory(ModelFactory[Business]):
    """A business row with its owner's membership (``owner=`` a user, or a new one)."""

    class Meta:
        model = Business
        skip_postgeneration_save = True

    name = Sequence(lambda n: f"Toko Contoh {n}")
    slug = Sequence(lambda n: f"toko-contoh-{n}")
    category = LazyFunction(default_category)
    city = "Yogyakarta"
    whatsapp = Sequence(lambda n: phone_number(20_000_000 + n))
    description = "Batik tulis dari Yogyakarta"
    status = BusinessStatus.ACTIVE
    # What the service writes for search: name, business field in both languages, city, description.
    search_text = LazyAttribute(
        lambda business: text_normalize(
            business.name,
            business.category.name_id,
            business.category.name_en,
            business.city,
            business.description,
        )
    )

    @post_generation
    def owner(obj: Business, create: bool, extracted: User | None, **kwargs: Any) -> None:  # noqa: N805
        if not create:
            return
        Membership.objects.create(business=obj, user=extracted or UserFactory(), role=Role.OWNER)


def business_owner(business: Business) -> User:
    return business.memberships.filter(role=Role.OWNER).select_related("user").earliest("created_at").user


def registered_business(*, owner: User | None = None, **fields: Any) -> Business:
    """A business registered through the service: owner membership and activity included."""
    values: dict[str, Any] = {
        "name": "Batik Sari",
        "category_slug": default_category().slug,
        "city": "Yogyakarta",
        "whatsapp": "0812-3456-7890",
        "description": "Batik tulis",
    }
    values.update(fields)
    return business_register(owner=owner or UserFactory(), **values)


class MembershipFactory(ModelFactory[Membership]):
    class Meta:
        model = Membership

    business = SubFactory(BusinessFactory)
    user = SubFactory(UserFactory)
    role = Role.SALES


class InvitationFactory(ModelFactory[Invitation]):
    """A pending invitation by phone (pass ``email=`` and ``phone=""`` to invite by email)."""

    class Meta:
        model = Invitation

    business = SubFactory(BusinessFactory)
    phone = Sequence(lambda n: phone_number(30_000_000 + n))
    email = ""
    role = Role.SALES
    status = InvitationStatus.PENDING
    invited_by = LazyAttribute(lambda invitation: business_owner(invitation.business))


if TYPE_CHECKING:

    class IssuedApiToken(ApiToken):
        """What mypy sees of a factory-made token: the row and the secret shown once at creation."""

        secret: str

else:
    IssuedApiToken = ApiToken


class ApiTokenFactory(Factory[IssuedApiToken]):
    """A personal API token made by the service; the returned token carries ``.secret``."""

    class Meta:
        model = ApiToken

    user = SubFactory(UserFactory)
    name = Sequence(lambda n: f"token {n}")

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> IssuedApiToken: ...  # type: ignore[misc]

    @classmethod
    def _create(cls, model_class: type[ApiToken], *args: Any, **kwargs: Any) -> IssuedApiToken:
        token, secret = api_token_create(user=kwargs["user"], name=kwargs["name"])
        issued = cast("IssuedApiToken", token)
        issued.secret = secret
        return issued
