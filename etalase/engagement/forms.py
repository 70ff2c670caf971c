"""Forms of the engagement pages: the first check of what a person typed (the service checks again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from etalase.engagement.enums import CommentKind
from etalase.engagement.services import COMMENT_MAX_LENGTH


class CommentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type of message"),
        choices=[(CommentKind.COMMENT, _("Comment")), (CommentKind.QUESTION, _("Question"))],
        initial=CommentKind.COMMENT,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a comment or a question."),
            "invalid_choice": _("Choose a comment or a question."),
        },
    )
    body = forms.CharField(
        label=_("Your comment or question"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write something first."),
            "max_length": _("A comment can have at most 2000 characters."),
        },
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Write something first."),
            "max_length": _("A comment can have at most 2000 characters."),
        },
    )
