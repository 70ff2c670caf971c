"""Tags on contacts: made on first use, one per name whatever its case."""

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.core.errors import ValidationError
from etalase.customers.models import Contact, ContactTag, Tag
from etalase.directory.models import Business

TAG_MAX_LENGTH = 40


TAGS_PER_CONTACT = 30


BULK_MAX = 1000


def _tag_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        message = _("Give the tag a name.")
        raise ValidationError(message, code="invalid_tag", fields={"tag": message})
    if len(name) > TAG_MAX_LENGTH:
        problem = _("A tag has at most %(limit)s characters.") % {"limit": TAG_MAX_LENGTH}
        raise ValidationError(problem, code="invalid_tag", fields={"tag": problem})
    return name


def _tag_for(business_id: int, name: str) -> Tag:
    """The business's tag called ``name`` in any case, made on first use."""
    tag = Tag.objects.filter(business_id=business_id, name__iexact=name).order_by("pk").first()
    if tag is not None:
        return tag
    try:
        with transaction.atomic():
            return Tag.objects.create(business_id=business_id, name=name)
    except IntegrityError:
        return Tag.objects.get(business_id=business_id, name=name)


@transaction.atomic
def contact_tags_set(*, contact: Contact, names: Sequence[str], actor: User | None) -> list[Tag]:
    """Give the contact exactly these tags (made on first use; case does not make a new tag)."""
    cleaned: dict[str, str] = {}
    for raw in names:
        name = _tag_name(raw)
        cleaned.setdefault(name.casefold(), name)
    if len(cleaned) > TAGS_PER_CONTACT:
        message = _("A customer has at most %(limit)s tags.") % {"limit": TAGS_PER_CONTACT}
        raise ValidationError(message, code="too_many_tags", fields={"tags": message})
    tags = [_tag_for(contact.business_id, name) for name in cleaned.values()]
    wanted = {tag.pk for tag in tags}
    ContactTag.objects.filter(contact=contact).exclude(tag_id__in=wanted).delete()
    ContactTag.objects.bulk_create(
        [ContactTag(business_id=contact.business_id, contact=contact, tag_id=pk) for pk in wanted],
        ignore_conflicts=True,
    )
    return sorted(tags, key=lambda tag: tag.name.casefold())


@transaction.atomic
def contact_tag_add(*, contact: Contact, name: str, actor: User | None) -> Tag:
    tag = _tag_for(contact.business_id, _tag_name(name))
    ContactTag.objects.bulk_create(
        [ContactTag(business_id=contact.business_id, contact=contact, tag=tag)], ignore_conflicts=True
    )
    return tag


@transaction.atomic
def contact_tag_remove(*, contact: Contact, tag_id: int, actor: User | None) -> None:
    ContactTag.objects.filter(contact=contact, tag_id=tag_id).delete()


@transaction.atomic
def contacts_tag_bulk(*, business: Business, contact_ids: Iterable[int], tag: str, actor: User | None) -> int:
    """Tag many contacts of the business at once; returns how many of them carry the tag now.

    Ids of another business, of merged contacts or of nobody are ignored.
    """
    ids = sorted({int(pk) for pk in contact_ids})
    if not ids:
        message = _("Choose at least one customer.")
        raise ValidationError(message, code="nothing_chosen", fields={"contact_ids": message})
    if len(ids) > BULK_MAX:
        problem = _("Tag at most %(limit)s customers at once.") % {"limit": BULK_MAX}
        raise ValidationError(problem, code="too_many", fields={"contact_ids": problem})
    the_tag = _tag_for(business.pk, _tag_name(tag))
    found = list(
        Contact.objects.filter(business=business, pk__in=ids, merged_into__isnull=True).values_list("pk", flat=True)
    )
    ContactTag.objects.bulk_create(
        [ContactTag(business_id=business.pk, contact_id=pk, tag=the_tag) for pk in found], ignore_conflicts=True
    )
    return len(found)
