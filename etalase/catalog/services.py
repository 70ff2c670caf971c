"""Catalog writes: products, their photos, showcase posts, counters kept for engagement, and views.

Every write takes the member's :class:`BusinessContext` (the business, and who acts), runs in one
transaction and records an Activity. Who may write is checked at the boundary (``catalog.manage``
on the pages and API operations), never here. A product, photo or post of another business is reported as
missing (:class:`NotFound`), exactly like one that does not exist.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.catalog.enums import ProductStatus, Verb
from etalase.catalog.models import MAX_PRODUCT_IMAGES, Post, Product, ProductImage
from etalase.catalog.visits import visit_entry, visit_note
from etalase.core.errors import Conflict, NotFound, ValidationError
from etalase.core.images import InvalidImage, image_normalize
from etalase.core.numbers import WholeNumberRule, is_whole_number
from etalase.core.text import text_normalize
from etalase.directory.models import Business
from etalase.directory.tenancy import BusinessContext

TITLE_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 5000
SKU_MAX_LENGTH = 64
CAPTION_MAX_LENGTH = 2200
ALT_TEXT_MAX_LENGTH = 200
MAX_PRICE_MINOR = 10**12  # Rp 1 trillion: far above any shop's price, far below the column's limit
MAX_STOCK = 1_000_000_000
MAX_POST_PRODUCTS = 10
MAX_REORDER = 2000

PHOTO_MAX_BYTES = getattr(settings, "CATALOG_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
PHOTO_MAX_PIXELS = getattr(settings, "CATALOG_PHOTO_MAX_PIXELS", 40_000_000)
PHOTO_DETAIL_SIDE = 1080
PHOTO_THUMBNAIL_SIDE = 480


class _Unset:
    """Marks an argument of ``product_update`` that the caller did not give: the value stays."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


# --- validation ----------------------------------------------------------------------------------


def _raise_fields(errors: dict[str, str | Promise]) -> None:
    if not errors:
        return
    message = next(iter(errors.values())) if len(errors) == 1 else _("Some fields are not valid.")
    raise ValidationError(message, fields=errors)


# The whole-number fields of a product: the rule each value must meet, and whether it may be None
# (no discount price, unlimited stock).
_NUMBER_FIELDS: dict[str, tuple[WholeNumberRule, bool]] = {
    "price_minor": (
        WholeNumberRule(
            maximum=MAX_PRICE_MINOR,
            not_whole=_("Enter the price as a whole number, for example 15000."),
            negative=_("The price cannot be negative."),
            too_high=_("The price is too high."),
        ),
        False,
    ),
    "compare_at_minor": (
        WholeNumberRule(
            maximum=MAX_PRICE_MINOR,
            not_whole=_("Enter the price before discount as a whole number."),
            negative=_("The price before discount cannot be negative."),
            too_high=_("The price before discount is too high."),
        ),
        True,
    ),
    "stock": (
        WholeNumberRule(
            maximum=MAX_STOCK,
            not_whole=_("Enter the stock as a whole number, or leave it empty for unlimited."),
            negative=_("The stock cannot be negative. Leave it empty for unlimited stock."),
            too_high=_("The stock is too high."),
        ),
        True,
    ),
}


def _product_fields_clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise the product fields present in ``values``; raise one error naming each field."""
    errors: dict[str, str | Promise] = {}
    cleaned: dict[str, Any] = {}
    if "title" in values:
        title = " ".join(str(values["title"] or "").split())
        if not title:
            errors["title"] = _("Enter the product's name.")
        elif len(title) > TITLE_MAX_LENGTH:
            errors["title"] = _("The name can have at most %(count)d characters.") % {"count": TITLE_MAX_LENGTH}
        cleaned["title"] = title
    if "description" in values:
        description = str(values["description"] or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(description) > DESCRIPTION_MAX_LENGTH:
            errors["description"] = _("The description can have at most %(count)d characters.") % {
                "count": DESCRIPTION_MAX_LENGTH
            }
        cleaned["description"] = description
    for name, (rule, may_be_none) in _NUMBER_FIELDS.items():
        if name in values:
            value = values[name]
            problem = None if may_be_none and value is None else rule.problem(value)
            if problem is not None:
                errors[name] = problem
            cleaned[name] = value
    if "sku" in values:
        sku = str(values["sku"] or "").strip()
        if len(sku) > SKU_MAX_LENGTH:
            errors["sku"] = _("The SKU can have at most %(count)d characters.") % {"count": SKU_MAX_LENGTH}
        cleaned["sku"] = sku
    _raise_fields(errors)
    return cleaned


def _compare_at_check(product: Product) -> None:
    if product.compare_at_minor is not None and product.compare_at_minor < product.price_minor:
        message = _("The price before discount must be at least the price.")
        raise ValidationError(message, fields={"compare_at_minor": message})


def _sku_check(product: Product) -> None:
    if not product.sku:
        return
    other = (
        Product.objects.filter(business_id=product.business_id, sku=product.sku)
        .exclude(pk=product.pk)
        .only("title")
        .first()
    )
    if other is not None:
        _sku_conflict(product.sku, other.title)


def _sku_conflict(sku: str, other_title: str | None = None) -> None:
    if other_title:
        message = _("“%(title)s” already has the SKU %(sku)s. Each product needs its own SKU.") % {
            "title": other_title,
            "sku": sku,
        }
    else:
        message = _("Another product already has the SKU %(sku)s. Each product needs its own SKU.") % {"sku": sku}
    raise Conflict(message, code="duplicate_sku", fields={"sku": message})


def _search_text(product: Product) -> str:
    return text_normalize(product.title, product.description, product.sku)


def _save_product(product: Product) -> None:
    """Save, turning a lost race for a SKU into the same clear error as the check before it."""
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:
        if product.sku and Product.objects.filter(business_id=product.business_id, sku=product.sku).exists():
            _sku_conflict(product.sku)
        raise ValidationError() from exc


def _record(
    context: BusinessContext,
    verb: str,
    target: Model,
    *,
    channel: str,
    data: dict[str, Any] | None = None,
) -> None:
    activity_record(verb=verb, business=context.business, actor=context.user, target=target, data=data, channel=channel)


def _product_for_update(context: BusinessContext, product_id: int) -> Product:
    product = Product.objects.select_for_update().filter(business=context.business, pk=product_id).first()
    if product is None:
        raise NotFound()
    return product


# --- products ------------------------------------------------------------------------------------


@transaction.atomic
def product_create(
    *,
    context: BusinessContext,
    title: str,
    price_minor: int,
    description: str = "",
    compare_at_minor: int | None = None,
    stock: int | None = None,
    sku: str = "",
    images: Sequence[Any] = (),
    publish: bool = False,
    channel: str = Channel.WEB,
) -> Product:
    """Add a product as a draft (or published at once with ``publish``), at the top of the shop,
    with its first photos if given: all of it, or nothing when anything is wrong."""
    fields = _product_fields_clean(
        {
            "title": title,
            "description": description,
            "price_minor": price_minor,
            "compare_at_minor": compare_at_minor,
            "stock": stock,
            "sku": sku,
        }
    )
    business = context.business
    lowest = Product.objects.filter(business=business).order_by("position").values_list("position", flat=True)
    first_position = lowest.first()
    product = Product(
        business=business,
        currency=business.currency,
        position=(first_position - 1) if first_position is not None else 0,
        **fields,
    )
    _compare_at_check(product)
    _sku_check(product)
    product.search_text = _search_text(product)
    _save_product(product)
    _record(context, Verb.PRODUCT_CREATED, product, channel=channel, data={"title": product.title})
    if images:
        product_images_add(context=context, product_id=product.pk, uploads=images, channel=channel)
    if publish:
        return product_publish(context=context, product_id=product.pk, channel=channel)
    return product


@transaction.atomic
def product_update(
    *,
    context: BusinessContext,
    product_id: int,
    title: str = UNSET,
    description: str = UNSET,
    price_minor: int = UNSET,
    compare_at_minor: int | None = UNSET,
    stock: int | None = UNSET,
    sku: str = UNSET,
    channel: str = Channel.WEB,
) -> Product:
    """Change the given fields (an argument left out keeps its value)."""
    given = {
        "title": title,
        "description": description,
        "price_minor": price_minor,
        "compare_at_minor": compare_at_minor,
        "stock": stock,
        "sku": sku,
    }
    fields = _product_fields_clean({name: value for name, value in given.items() if value is not UNSET})
    product = _product_for_update(context, product_id)
    changed = [name for name, value in fields.items() if getattr(product, name) != value]
    if not changed:
        return product
    for name in changed:
        setattr(product, name, fields[name])
    _compare_at_check(product)
    _sku_check(product)
    product.search_text = _search_text(product)
    _save_product(product)
    _record(context, Verb.PRODUCT_UPDATED, product, channel=channel, data={"fields": changed})
    return product


@transaction.atomic
def product_publish(*, context: BusinessContext, product_id: int, channel: str = Channel.WEB) -> Product:
    """Show the product to customers (an archived one comes back too); needs a name and a price."""
    product = _product_for_update(context, product_id)
    if product.status == ProductStatus.PUBLISHED:
        return product
    errors: dict[str, str | Promise] = {}
    if not product.title.strip():
        errors["title"] = _("Give the product a name before publishing it.")
    if product.price_minor is None or product.price_minor < 0:
        errors["price_minor"] = _("Give the product a price before publishing it.")
    _raise_fields(errors)
    product.status = ProductStatus.PUBLISHED
    product.published_at = timezone.now()
    product.save(update_fields=["status", "published_at", "updated_at"])
    _record(context, Verb.PRODUCT_PUBLISHED, product, channel=channel)
    return product


def _visibility_set(context: BusinessContext, product_id: int, *, hidden: bool, channel: str) -> Product:
    product = _product_for_update(context, product_id)
    if product.status == ProductStatus.ARCHIVED:
        raise Conflict(
            _("This product is archived. Publish it again before hiding or showing it."), code="product_archived"
        )
    if product.is_hidden == hidden:
        return product
    product.is_hidden = hidden
    product.save(update_fields=["is_hidden", "updated_at"])
    _record(context, Verb.PRODUCT_HIDDEN if hidden else Verb.PRODUCT_SHOWN, product, channel=channel)
    return product


@transaction.atomic
def product_hide(*, context: BusinessContext, product_id: int, channel: str = Channel.WEB) -> Product:
    """Take the product off the storefront for now (sold out for the season, being re-shot...)."""
    return _visibility_set(context, product_id, hidden=True, channel=channel)


@transaction.atomic
def product_show(*, context: BusinessContext, product_id: int, channel: str = Channel.WEB) -> Product:
    return _visibility_set(context, product_id, hidden=False, channel=channel)


@transaction.atomic
def product_archive(*, context: BusinessContext, product_id: int, channel: str = Channel.WEB) -> Product:
    """Retire the product: gone from the storefront and the owner's usual list; orders keep pointing at it."""
    product = _product_for_update(context, product_id)
    if product.status == ProductStatus.ARCHIVED:
        return product
    product.status = ProductStatus.ARCHIVED
    product.save(update_fields=["status", "updated_at"])
    _record(context, Verb.PRODUCT_ARCHIVED, product, channel=channel)
    return product


def _id_list(values: Sequence[Any], *, field: str) -> list[int]:
    ids: list[int] = []
    for value in values:
        if not is_whole_number(value) or value < 1:
            message = _("Give product numbers only.")
            raise ValidationError(message, fields={field: message})
        if value not in ids:
            ids.append(value)
    return ids


@transaction.atomic
def product_reorder(*, context: BusinessContext, ordered_ids: Sequence[int], channel: str = Channel.WEB) -> list[int]:
    """Put the given products first, in that order; the others follow in their current order.

    Returns every non-archived product id in the new order.
    """
    if len(ordered_ids) > MAX_REORDER:
        raise ValidationError(
            _("Reorder at most %(count)d products at once.") % {"count": MAX_REORDER}, fields={"ids": ""}
        )
    wanted = _id_list(ordered_ids, field="ids")
    business = context.business
    # Lock the business's row: two members reordering at once apply one after the other.
    Business.objects.select_for_update().filter(pk=business.pk).first()
    rows = list(
        Product.objects.filter(business=business)
        .exclude(status=ProductStatus.ARCHIVED)
        .order_by("position", "-id")
        .values_list("id", "position")
    )
    current = [product_id for product_id, _position in rows]
    known = set(current)
    if any(product_id not in known for product_id in wanted):
        raise NotFound()
    wanted_set = set(wanted)
    order = wanted + [product_id for product_id in current if product_id not in wanted_set]
    positions = dict(rows)
    now = timezone.now()
    changed = [
        Product(pk=product_id, position=index, updated_at=now)
        for index, product_id in enumerate(order)
        if positions[product_id] != index
    ]
    if changed:
        Product.objects.bulk_update(changed, ["position", "updated_at"], batch_size=500)
        _record(context, Verb.PRODUCTS_REORDERED, business, channel=channel, data={"count": len(order)})
    return order


@transaction.atomic
def product_move(*, context: BusinessContext, product_id: int, offset: int, channel: str = Channel.WEB) -> list[int]:
    """Move one product up (``offset`` -1) or down (+1) in the shop's order."""
    order = list(
        Product.objects.filter(business=context.business)
        .exclude(status=ProductStatus.ARCHIVED)
        .order_by("position", "-id")
        .values_list("id", flat=True)
    )
    if product_id not in order:
        raise NotFound()
    index = order.index(product_id)
    target = max(0, min(len(order) - 1, index + offset))
    if target == index:
        return order
    order.insert(target, order.pop(index))
    return product_reorder(context=context, ordered_ids=order, channel=channel)


# --- photos --------------------------------------------------------------------------------------


def _picture_pair(upload: Any, *, name: str, field: str) -> tuple[ContentFile[bytes], ContentFile[bytes]]:
    """A detail WebP (≤1080 px) and a thumbnail (≤480 px) made from it, without EXIF; or a clear error."""
    label = str(getattr(upload, "name", "") or "")[:60]
    try:
        detail = image_normalize(
            upload,
            max_bytes=PHOTO_MAX_BYTES,
            max_pixels=PHOTO_MAX_PIXELS,
            max_side=PHOTO_DETAIL_SIDE,
            name=name,
        )
        thumbnail = image_normalize(
            detail,
            max_bytes=PHOTO_MAX_BYTES,
            max_pixels=PHOTO_MAX_PIXELS,
            max_side=PHOTO_THUMBNAIL_SIDE,
            name=f"{name}-thumb",
        )
    except InvalidImage as exc:
        reason, code = exc.message, exc.code
        if isinstance(exc.__cause__, Image.DecompressionBombError):
            # Pillow refuses a decompression bomb while opening it, before core.images counts its pixels.
            reason, code = _("The picture has too many pixels; use a smaller picture."), "image_too_many_pixels"
        message = f"{label}: {reason}" if label else reason
        raise ValidationError(message, code=code, fields={field: message}) from exc
    return detail, thumbnail


def _positions_renumber(images: list[ProductImage]) -> None:
    changed = []
    for index, image in enumerate(images):
        if image.position != index:
            image.position = index
            changed.append(image)
    if changed:
        ProductImage.objects.bulk_update(changed, ["position"])


def _files_delete_on_commit(*files: Any) -> None:
    names = [(file.storage, file.name) for file in files if file]

    def delete() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete, robust=True)


@transaction.atomic
def product_images_add(
    *,
    context: BusinessContext,
    product_id: int,
    uploads: Sequence[Any],
    alt_text: str = "",
    channel: str = Channel.WEB,
) -> list[ProductImage]:
    """Add photos after the existing ones, all or none; a product has at most 8 photos."""
    product = _product_for_update(context, product_id)
    uploads = [upload for upload in uploads if upload]
    message: str | Promise
    if not uploads:
        message = _("Choose at least one photo.")
        raise ValidationError(message, fields={"images": message})
    alt_text = " ".join(str(alt_text or "").split())[:ALT_TEXT_MAX_LENGTH]
    existing = list(product.images.order_by("position", "id"))
    room = MAX_PRODUCT_IMAGES - len(existing)
    if len(uploads) > room:
        if room <= 0:
            message = _("A product can have at most %(count)d photos. Remove one to add another.") % {
                "count": MAX_PRODUCT_IMAGES
            }
        else:
            message = _("A product can have at most %(count)d photos; you can add %(room)d more.") % {
                "count": MAX_PRODUCT_IMAGES,
                "room": room,
            }
        raise ValidationError(message, code="too_many_photos", fields={"images": message})
    # Every picture is checked before any file is written, so a bad one leaves nothing behind.
    pairs = [_picture_pair(upload, name=f"product-{product.pk}", field="images") for upload in uploads]
    _positions_renumber(existing)
    added = []
    for offset, (detail, thumbnail) in enumerate(pairs):
        image = ProductImage(
            business_id=product.business_id, product=product, alt_text=alt_text, position=len(existing) + offset
        )
        image.detail.save(detail.name or "photo.webp", detail, save=False)
        image.thumbnail.save(thumbnail.name or "photo-thumb.webp", thumbnail, save=False)
        image.save()
        added.append(image)
    product.save(update_fields=["updated_at"])
    _record(
        context,
        Verb.PRODUCT_UPDATED,
        product,
        channel=channel,
        data={"fields": ["images"], "photos_added": len(added)},
    )
    return added


def product_image_add(
    *,
    context: BusinessContext,
    product_id: int,
    upload: Any,
    alt_text: str = "",
    channel: str = Channel.WEB,
) -> ProductImage:
    """Add one photo (see :func:`product_images_add`)."""
    return product_images_add(
        context=context, product_id=product_id, uploads=[upload], alt_text=alt_text, channel=channel
    )[0]


def _image_for_update(context: BusinessContext, product_id: int, image_id: int) -> tuple[Product, ProductImage]:
    product = _product_for_update(context, product_id)
    image = ProductImage.objects.filter(business=context.business, product=product, pk=image_id).first()
    if image is None:
        raise NotFound()
    return product, image


@transaction.atomic
def product_image_remove(
    *, context: BusinessContext, product_id: int, image_id: int, channel: str = Channel.WEB
) -> Product:
    product, image = _image_for_update(context, product_id, image_id)
    _files_delete_on_commit(image.detail, image.thumbnail)
    image.delete()
    _positions_renumber(list(product.images.order_by("position", "id")))
    product.save(update_fields=["updated_at"])
    _record(context, Verb.PRODUCT_UPDATED, product, channel=channel, data={"fields": ["images"], "photos_removed": 1})
    return product


@transaction.atomic
def product_image_set_cover(
    *, context: BusinessContext, product_id: int, image_id: int, channel: str = Channel.WEB
) -> Product:
    """Make this photo the cover: it moves to the first place, the others keep their order after it."""
    product, image = _image_for_update(context, product_id, image_id)
    others = [other for other in product.images.order_by("position", "id") if other.pk != image.pk]
    if image.position == 0 and all(other.position > 0 for other in others):
        return product
    _positions_renumber([image, *others])
    product.save(update_fields=["updated_at"])
    _record(context, Verb.PRODUCT_UPDATED, product, channel=channel, data={"fields": ["cover"]})
    return product


# --- posts ---------------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    context: BusinessContext,
    image: Any,
    caption: str = "",
    product_ids: Sequence[int] = (),
    channel: str = Channel.WEB,
) -> Post:
    """Publish a showcase post: a picture, a caption, and optionally some of this shop's products."""
    errors: dict[str, str | Promise] = {}
    caption = str(caption or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(caption) > CAPTION_MAX_LENGTH:
        errors["caption"] = _("The caption can have at most %(count)d characters.") % {"count": CAPTION_MAX_LENGTH}
    if not image:
        errors["image"] = _("Choose a picture for the post.")
    ids = _id_list(list(product_ids), field="products")
    if len(ids) > MAX_POST_PRODUCTS:
        errors["products"] = _("Tag at most %(count)d products.") % {"count": MAX_POST_PRODUCTS}
    _raise_fields(errors)
    products = list(
        Product.objects.filter(business=context.business, pk__in=ids).exclude(status=ProductStatus.ARCHIVED)
    )
    if len(products) != len(ids):
        message = _("Tag only products of your own shop that are not archived.")
        raise ValidationError(message, code="invalid_product", fields={"products": message})
    picture, thumbnail = _picture_pair(image, name=f"post-{context.business.pk}", field="image")
    post = Post(
        business=context.business,
        author=context.user,
        caption=caption,
        published_at=timezone.now(),
        search_text=text_normalize(caption),
    )
    post.image.save(picture.name or "post.webp", picture, save=False)
    post.thumbnail.save(thumbnail.name or "post-thumb.webp", thumbnail, save=False)
    post.save()
    if products:
        post.products.set(products)
    _record(context, Verb.POST_PUBLISHED, post, channel=channel, data={"products": ids})
    return post


@transaction.atomic
def post_hide(*, context: BusinessContext, post_id: int, channel: str = Channel.WEB) -> Post:
    post = Post.objects.select_for_update().filter(business=context.business, pk=post_id).first()
    if post is None:
        raise NotFound()
    if not post.is_hidden:
        post.is_hidden = True
        post.save(update_fields=["is_hidden", "updated_at"])
        _record(context, Verb.POST_HIDDEN, post, channel=channel)
    return post


# --- operators (admin moderation) ----------------------------------------------------------------


@transaction.atomic
def product_moderate(*, product: Product, operator: Any, hidden: bool) -> Product:
    """An operator hides a product from the public (or shows it again), whatever the shop's role."""
    if product.is_hidden != hidden:
        product.is_hidden = hidden
        product.save(update_fields=["is_hidden", "updated_at"])
        activity_record(
            verb=Verb.PRODUCT_HIDDEN if hidden else Verb.PRODUCT_SHOWN,
            business=product.business,
            actor=operator,
            target=product,
            data={"moderation": True},
            channel=Channel.ADMIN,
        )
    return product


@transaction.atomic
def post_moderate(*, post: Post, operator: Any) -> Post:
    """An operator hides a post from the public."""
    if not post.is_hidden:
        post.is_hidden = True
        post.save(update_fields=["is_hidden", "updated_at"])
        activity_record(
            verb=Verb.POST_HIDDEN,
            business=post.business,
            actor=operator,
            target=post,
            data={"moderation": True},
            channel=Channel.ADMIN,
        )
    return post


# --- for other apps ------------------------------------------------------------------------------


def product_counters_adjust(*, product_id: int, favourites: int = 0, comments: int = 0) -> None:
    """Add to a product's favourite and comment counts (negative to take away), never below zero.

    Called by the engagement services inside their own transaction; one UPDATE, no lost updates.
    """
    changes: dict[str, Any] = {}
    if favourites:
        changes["favourite_count"] = Greatest(F("favourite_count") + favourites, 0)
    if comments:
        changes["comment_count"] = Greatest(F("comment_count") + comments, 0)
    if changes:
        Product.objects.filter(pk=product_id).update(**changes)


VIEW_WINDOW = dt.timedelta(hours=1)


def view_record(
    *,
    request_visitor_key: str,
    business: Business,
    product: Product | None = None,
    user: User | None = None,
) -> bool:
    """Note that a visitor saw the storefront or a product; ``visits_flush`` writes it to the spine.

    The activity row it becomes is what a direct ``activity_record`` would write: ``viewed_business``
    or ``viewed_product`` with the shop, the signed-in customer as actor, the shop or product as
    target, ``data={"visitor": key}``, ``occurred_at`` = now (the request's time, not the flush's) and
    the idempotency key ``view:<verb>:<target>:<visitor>:<hour>``: a reload in the same hour is the
    same view, so counts mean people, not refreshes. The visitor is known only by its key (see
    ``core.visitors``); no address is stored. Nothing touches the database here (see
    ``catalog.visits``); returns whether the buffer took the view.
    """
    verb = Verb.VIEWED_PRODUCT if product is not None else Verb.VIEWED_BUSINESS
    target: Model = product if product is not None else business
    now = timezone.now()
    window = int(now.timestamp() // VIEW_WINDOW.total_seconds())
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    line = visit_entry(
        verb=verb,
        business_id=business.pk,
        product_id=product.pk if product is not None else None,
        actor_id=actor.pk if actor is not None and actor.pk else None,
        visitor=request_visitor_key,
        occurred_at=now,
        idempotency_key=f"view:{verb}:{target.pk}:{request_visitor_key}:{window}",
    )
    return visit_note(line)


# --- stock, for the orders app -------------------------------------------------------------------


def stock_take(*, business: Business, product_id: int, quantity: int, visible_only: bool = False) -> bool:
    """Take ``quantity`` from the stock of a published product of ``business``; whether it could.

    One conditional ``UPDATE … WHERE stock >= quantity``, so the stock never goes below zero
    whatever runs at the same time; call it inside the caller's transaction (the statement is
    atomic by itself). Unlimited stock (``None``) is left as it is and counts as taken. False when
    the product is missing, of another business, not published, hidden (with ``visible_only``) or
    has fewer than ``quantity`` left *now*: nothing changed, the caller explains.
    """
    on_sale = Product.objects.filter(pk=product_id, business=business, status=ProductStatus.PUBLISHED)
    if visible_only:
        on_sale = on_sale.filter(is_hidden=False)
    # ``updated_at`` moves with the stock: the public pages' cache is keyed by it (``catalog.pages``).
    if on_sale.filter(stock__gte=quantity).update(stock=F("stock") - quantity, updated_at=timezone.now()):
        return True
    return on_sale.filter(stock__isnull=True).exists()


def stock_return(*, product_id: int, quantity: int) -> None:
    """Give ``quantity`` back to the product's stock (a cancelled order); unlimited stock stays as it is.

    One ``UPDATE … SET stock = stock + quantity``: right whatever else changes the stock meanwhile.
    """
    Product.objects.filter(pk=product_id, stock__isnull=False).update(
        stock=F("stock") + quantity, updated_at=timezone.now()
    )
