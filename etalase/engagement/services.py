"""Engagement writes: follow, favourite, comment and ask, answer, hide, share.

Every service is atomic and writes its Activity row in the same transaction. Repeated taps are
harmless: following a shop already followed (or removing a favourite already removed) changes
nothing and records nothing, so one act is recorded once.

``Product.comment_count`` counts the *visible top-level* comments and questions of a product
(answers are not counted); ``Product.favourite_count`` counts favourites. Both are kept by these
services through the catalog's ``product_counters_adjust``.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.models import Activity
from etalase.activity.services import activity_record
from etalase.catalog.models import Product
from etalase.catalog.services import product_counters_adjust
from etalase.core.errors import NotFound, PermissionDenied, ValidationError
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.selectors import business_public_get
from etalase.directory.tenancy import BusinessContext, business_context_resolve
from etalase.engagement.enums import CommentKind, ShareChannel, ShareTarget, Verb
from etalase.engagement.models import Comment, Favourite, Follow
from etalase.engagement.selectors import product_public_by_id

COMMENT_MAX_LENGTH = 2000
EXCERPT_LENGTH = 140
ANSWER_PERMISSIONS = (Permission.CATALOG_MANAGE, Permission.INBOX_VIEW)
HIDE_PERMISSION = Permission.CATALOG_MANAGE

PRODUCT_UNAVAILABLE = _("This product is not available: it may have been hidden or removed.")
BUSINESS_UNAVAILABLE = _("This shop is not available.")


def _public_product(product_id: int) -> Product:
    """A product anyone may see, or NotFound: a draft or hidden one looks exactly like a missing one."""
    product = product_public_by_id(product_id, with_cover=False)
    if product is None:
        raise NotFound(PRODUCT_UNAVAILABLE)
    return product


def _active_business(business: Business) -> Business:
    if not business.is_active:
        raise NotFound(BUSINESS_UNAVAILABLE)
    return business


def _clean_body(body: str) -> str:
    # NUL cannot be stored by PostgreSQL; everything else is kept as typed and escaped on output.
    text = (body or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError(_("Write your comment first."), fields={"body": _("Write something first.")})
    if len(text) > COMMENT_MAX_LENGTH:
        message = _("A comment can have at most 2000 characters.")
        raise ValidationError(message, fields={"body": message})
    return text


# --- follow ---------------------------------------------------------------------------------------


@transaction.atomic
def follow_add(*, user: User, business: Business, channel: str = Channel.WEB) -> Follow:
    """Follow an active shop; following it again changes nothing and records nothing."""
    _active_business(business)
    # get_or_create survives a concurrent tap: the loser's insert fails and it reads the winner's row.
    follow, created = Follow.objects.get_or_create(user=user, business=business)
    if created:
        activity_record(verb=Verb.FOLLOWED, business=business, actor=user, target=business, channel=channel)
    return follow


@transaction.atomic
def follow_remove(*, user: User, business: Business, channel: str = Channel.WEB) -> bool:
    """Stop following; True when a follow was removed (repeats remove nothing and record nothing)."""
    removed, _details = Follow.objects.filter(user=user, business=business).delete()
    if removed:
        activity_record(verb=Verb.UNFOLLOWED, business=business, actor=user, target=business, channel=channel)
    return bool(removed)


# --- favourite ------------------------------------------------------------------------------------


@transaction.atomic
def favourite_add(*, user: User, product_id: int, channel: str = Channel.WEB) -> Favourite:
    """Favourite a public product (NotFound for a draft, hidden or missing one)."""
    product = _public_product(product_id)
    favourite, created = Favourite.objects.get_or_create(
        user=user, product=product, defaults={"business_id": product.business_id}
    )
    if created:
        product_counters_adjust(product_id=product.pk, favourites=1)
        activity_record(
            verb=Verb.FAVOURITED,
            business=product.business,
            actor=user,
            target=product,
            channel=channel,
            data={"product_id": product.pk, "title": product.title},
        )
    return favourite


@transaction.atomic
def favourite_remove(*, user: User, product_id: int, channel: str = Channel.WEB) -> bool:
    """Remove a favourite, even of a product hidden since; True when one was removed."""
    row = Favourite.objects.select_related("product", "business").filter(user=user, product_id=product_id).first()
    if row is None:
        return False
    removed, _details = Favourite.objects.filter(pk=row.pk).delete()
    if not removed:  # a concurrent tap removed it first
        return False
    product_counters_adjust(product_id=row.product_id, favourites=-1)
    activity_record(
        verb=Verb.UNFAVOURITED,
        business=row.business,
        actor=user,
        target=row.product,
        channel=channel,
        data={"product_id": row.product_id, "title": row.product.title},
    )
    return True


# --- comments and questions -----------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *,
    user: User,
    product_id: int,
    body: str,
    kind: str = CommentKind.COMMENT,
    channel: str = Channel.WEB,
) -> Comment:
    """A customer's comment or question on a public product."""
    if kind not in (CommentKind.COMMENT, CommentKind.QUESTION):
        message = _("Choose a comment or a question.")
        raise ValidationError(message, fields={"kind": message})
    text = _clean_body(body)
    product = _public_product(product_id)
    comment = Comment.objects.create(
        business_id=product.business_id, product=product, author=user, kind=kind, body=text
    )
    product_counters_adjust(product_id=product.pk, comments=1)
    activity_record(
        verb=Verb.ASKED if kind == CommentKind.QUESTION else Verb.COMMENTED,
        business=product.business,
        actor=user,
        target=comment,
        channel=channel,
        data={"product_id": product.pk, "title": product.title, "excerpt": text[:EXCERPT_LENGTH]},
    )
    return comment


def _comment_for_member(*, user: User, comment_id: int) -> tuple[Comment, BusinessContext]:
    """The comment and the user's membership of its business; NotFound for everyone else."""
    comment = Comment.objects.select_related("business", "product", "parent").filter(pk=comment_id).first()
    if comment is None:
        raise NotFound()
    context = business_context_resolve(user=user, slug=comment.business.slug)
    return comment, context


def comment_permissions(context: BusinessContext | None) -> dict[str, bool]:
    """What a member may do with the comments of their business's products."""
    if context is None:
        return {"can_answer": False, "can_hide": False}
    return {
        "can_answer": any(context.has(permission) for permission in ANSWER_PERMISSIONS),
        "can_hide": context.has(HIDE_PERMISSION),
    }


@transaction.atomic
def comment_answer(*, user: User, comment_id: int, body: str, channel: str = Channel.WEB) -> Comment:
    """A member (catalog manager or inbox reader) answers a comment or question of their shop.

    An answer to an answer is filed under the question it belongs to.
    """
    comment, context = _comment_for_member(user=user, comment_id=comment_id)
    if not comment_permissions(context)["can_answer"]:
        raise PermissionDenied()
    question = comment.parent or comment
    if question.is_hidden:
        raise ValidationError(_("This comment is hidden; it cannot be answered."))
    text = _clean_body(body)
    answer = Comment.objects.create(
        business_id=question.business_id,
        product_id=question.product_id,
        author=user,
        parent=question,
        kind=CommentKind.ANSWER,
        body=text,
    )
    activity_record(
        verb=Verb.ANSWERED,
        business=context.business,
        actor=user,
        target=answer,
        channel=channel,
        data={
            "product_id": question.product_id,
            "question_id": question.pk,
            "asked_by": question.author_id,
            "excerpt": text[:EXCERPT_LENGTH],
        },
    )
    return answer


def _set_hidden(*, comment: Comment, hidden: bool, by: User) -> bool:
    """Flip visibility with one conditional UPDATE, so concurrent taps adjust counters once."""
    changes: dict[str, Any] = {"is_hidden": hidden, "hidden_by": by if hidden else None}
    changed = Comment.objects.filter(pk=comment.pk, is_hidden=not hidden).update(**changes)
    if not changed:
        return False
    if comment.parent_id is None:
        product_counters_adjust(product_id=comment.product_id, comments=-1 if hidden else 1)
    comment.is_hidden = hidden
    comment.hidden_by = changes["hidden_by"]
    return True


@transaction.atomic
def comment_hide(*, user: User, comment_id: int, channel: str = Channel.WEB) -> Comment:
    """A catalog manager hides an abusive comment, question or answer of their shop (repeats are no-ops)."""
    comment, context = _comment_for_member(user=user, comment_id=comment_id)
    if not comment_permissions(context)["can_hide"]:
        raise PermissionDenied()
    if _set_hidden(comment=comment, hidden=True, by=user):
        activity_record(
            verb=Verb.COMMENT_HIDDEN,
            business=context.business,
            actor=user,
            target=comment,
            channel=channel,
            data={"product_id": comment.product_id, "kind": comment.kind, "author": comment.author_id},
        )
    return comment


@transaction.atomic
def comment_moderate(*, operator: User, comment_id: int, hidden: bool) -> Comment:
    """The platform operator hides a comment or shows it again (from the admin)."""
    comment = Comment.objects.select_related("business").filter(pk=comment_id).first()
    if comment is None:
        raise NotFound()
    if _set_hidden(comment=comment, hidden=hidden, by=operator):
        activity_record(
            verb=Verb.COMMENT_HIDDEN if hidden else Verb.COMMENT_SHOWN,
            business=comment.business,
            actor=operator,
            target=comment,
            channel=Channel.ADMIN,
            data={"product_id": comment.product_id, "kind": comment.kind, "author": comment.author_id},
        )
    return comment


# --- share ----------------------------------------------------------------------------------------


@transaction.atomic
def share_record(
    *,
    user: User | None,
    what: str,
    product_id: int | None = None,
    business_slug: str | None = None,
    share_channel: str = ShareChannel.OTHER,
    channel: str = Channel.WEB,
) -> Activity:
    """Someone (signed in or not) passed on a link to a public product or shop."""
    if share_channel not in ShareChannel.values:
        message = _("Choose how the link was shared.")
        raise ValidationError(message, fields={"channel": message})
    target: Product | Business
    data: dict[str, Any]
    if what == ShareTarget.PRODUCT:
        if product_id is None:
            message = _("Say which product was shared.")
            raise ValidationError(message, fields={"product_id": message})
        product = _public_product(product_id)
        business, target, data = product.business, product, {"what": "product", "id": product.pk}
    elif what == ShareTarget.BUSINESS:
        found = business_public_get(slug=business_slug or "")
        if found is None:
            raise NotFound(BUSINESS_UNAVAILABLE)
        business, target = found, found
        data = {"what": "business", "id": found.pk, "slug": found.slug}
    else:
        message = _("Share a product or a shop.")
        raise ValidationError(message, fields={"what": message})
    data["channel"] = share_channel
    actor = user if user is not None and user.is_authenticated else None
    return activity_record(verb=Verb.SHARED, business=business, actor=actor, target=target, channel=channel, data=data)
