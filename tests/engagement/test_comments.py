"""Comments and questions on a product: posting, escaping, answers and hiding by permission."""

import pytest
from django.urls import reverse

from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.directory.enums import Role
from etalase.engagement.enums import CommentKind
from etalase.engagement.models import Comment
from etalase.engagement.selectors import comment_list_public
from tests.factories import PASSWORD, UserFactory
from tests.support.engagement import product_hidden, product_made

HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPT = '<script>alert("hi")</script> & "quotes"'


def comments_url(product: Product) -> str:
    return reverse("engagement:comments", args=[product.pk])


def answer_url(comment: Comment) -> str:
    return reverse("engagement:comment_answer", args=[comment.pk])


def hide_url(comment: Comment) -> str:
    return reverse("engagement:comment_hide", args=[comment.pk])


def comment_count(product: Product) -> int:
    return Product.objects.get(pk=product.pk).comment_count


def a_question(product: Product, body: str = "Ada ukuran XL?", author=None) -> Comment:
    return Comment.objects.create(
        business_id=product.business_id,
        product=product,
        author=author or UserFactory(name="Rina"),
        kind=CommentKind.QUESTION,
        body=body,
    )


@pytest.fixture
def question(client_for, product) -> Comment:
    """Rina asked through the page, so counters and activities are as the app makes them."""
    rina = UserFactory(name="Rina")
    client_for(rina).post(comments_url(product), {"kind": "question", "body": "Ada ukuran XL?"}, **HTMX)
    return Comment.objects.get(author=rina)


def test_posting_a_comment_shows_it_and_counts_it(client_for, customer, product):
    response = client_for(customer).post(
        comments_url(product), {"kind": "comment", "body": "  Motifnya cantik sekali!  "}, **HTMX
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Motifnya cantik sekali!" in page
    assert "Your comment is posted." in page
    assert "Budi Pelanggan" in page
    assert "(1)" in page
    comment = Comment.objects.get()
    assert (comment.body, comment.kind, comment.author, comment.business_id) == (
        "Motifnya cantik sekali!",
        "comment",
        customer,
        product.business_id,
    )
    assert comment_count(product) == 1
    activity = Activity.objects.get(verb="commented")
    assert (activity.actor, activity.business_id, activity.data["product_id"]) == (
        customer,
        product.business_id,
        product.pk,
    )


def test_asking_a_question_records_asked(client_for, customer, product):
    response = client_for(customer).post(
        comments_url(product), {"kind": "question", "body": "Bisa kirim ke Makassar?"}, **HTMX
    )

    assert "Your question is sent to the shop." in response.content.decode()
    assert '<span class="badge">Question</span>' in response.content.decode()
    assert Activity.objects.filter(verb="asked").count() == 1
    assert not Activity.objects.filter(verb="commented").exists()


def test_a_comment_with_a_script_is_stored_as_typed_and_shown_escaped(client_for, customer, api_client_for, product):
    client_for(customer).post(comments_url(product), {"kind": "comment", "body": SCRIPT}, **HTMX)

    page = client_for(None).get(comments_url(product), **HTMX).content.decode()
    listed = api_client_for(None).get(f"/api/v1/products/{product.pk}/comments").json()

    assert Comment.objects.get().body == SCRIPT
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert listed["items"][0]["body"] == SCRIPT


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Write something first."), ("x" * 2001, "A comment can have at most 2000 characters.")],
)
def test_an_empty_or_too_long_comment_is_refused_with_a_clear_message(client_for, customer, product, body, message):
    htmx = client_for(customer).post(comments_url(product), {"kind": "comment", "body": body}, **HTMX)
    plain = client_for(customer).post(comments_url(product), {"kind": "comment", "body": body})

    assert htmx.status_code == 200  # htmx swaps only successful answers
    assert message in htmx.content.decode()
    assert plain.status_code == 400
    assert message in plain.content.decode()
    assert not Comment.objects.exists()
    assert comment_count(product) == 0


def test_an_unknown_kind_is_refused(client_for, customer, product):
    response = client_for(customer).post(comments_url(product), {"kind": "answer", "body": "Saya jawab"}, **HTMX)

    assert "Choose a comment or a question." in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("state", ["draft", "hidden"])
def test_a_comment_on_a_draft_or_hidden_product_is_refused(client_for, customer, api_client_for, business, state):
    product = product_made(business, "Batik Rahasia", publish=state != "draft")
    if state == "hidden":
        product_hidden(product)

    page = client_for(customer).post(comments_url(product), {"kind": "comment", "body": "Halo"}, **HTMX)
    api = api_client_for(customer).post(
        f"/api/v1/products/{product.pk}/comments", {"body": "Halo"}, content_type="application/json"
    )

    assert page.status_code == 404
    assert api.status_code == 404
    assert api.json()["error"]["message"] == "This product is not available: it may have been hidden or removed."
    assert not Comment.objects.exists()
    assert client_for(None).get(comments_url(product), **HTMX).status_code == 404


def test_the_comment_list_is_newest_first_with_answers_in_two_queries(product, django_assert_num_queries):
    older = a_question(product, "Pertama")
    newer = a_question(product, "Kedua")
    for number in range(3):
        Comment.objects.create(
            business_id=product.business_id,
            product=product,
            author=UserFactory(),
            parent=older,
            kind=CommentKind.ANSWER,
            body=f"Jawaban {number}",
        )
    Comment.objects.create(
        business_id=product.business_id,
        product=product,
        author=UserFactory(),
        parent=newer,
        kind=CommentKind.ANSWER,
        body="Disembunyikan",
        is_hidden=True,
    )

    with django_assert_num_queries(2):
        comments = list(comment_list_public(product))
        answers = [[answer.body for answer in vars(comment)["visible_answers"]] for comment in comments]

    assert [comment.body for comment in comments] == ["Kedua", "Pertama"]
    assert answers == [[], ["Jawaban 0", "Jawaban 1", "Jawaban 2"]]


def test_the_fragment_costs_the_same_queries_for_any_number_of_comments(
    client_for, customer, product, django_assert_num_queries
):
    browser = client_for(customer)
    a_question(product)
    browser.get(comments_url(product), **HTMX)
    with django_assert_num_queries(7) as few:
        browser.get(comments_url(product), **HTMX)
    for number in range(8):
        a_question(product, f"Pertanyaan {number}")

    with django_assert_num_queries(len(few.captured_queries)):
        browser.get(comments_url(product), **HTMX)


def test_comments_are_paginated(client_for, product):
    for number in range(21):
        a_question(product, f"Pertanyaan {number}")

    first = client_for(None).get(comments_url(product), **HTMX).content.decode()
    second = client_for(None).get(comments_url(product), {"page": 2}, **HTMX).content.decode()

    assert "Pertanyaan 20" in first
    assert "Pertanyaan 0<" not in first
    assert "Older" in first
    assert "Pertanyaan 0<" in second


def test_without_javascript_the_comments_are_a_whole_page(client_for, product, question):
    response = client_for(None).get(comments_url(product))

    page = response.content.decode()
    assert "<html" in page
    assert "Ada ukuran XL?" in page
    assert f"/b/{product.business.slug}/p/{product.pk}/" in page


def test_logged_out_comment_is_posted_after_logging_in(anonymous_client, customer, product):
    tap = anonymous_client.post(comments_url(product), {"kind": "question", "body": "Masih ada stok?"}, **HTMX)
    assert not Comment.objects.exists()
    anonymous_client.post(tap["HX-Redirect"], {"identifier": customer.email, "password": PASSWORD})

    resumed = anonymous_client.get(reverse("engagement:resume"))

    comment = Comment.objects.get()
    assert (comment.author, comment.kind, comment.body) == (customer, "question", "Masih ada stok?")
    assert resumed["Location"] == f"/b/{product.business.slug}/p/{product.pk}/"
    assert comment_count(product) == 1


def test_logged_out_empty_comment_is_refused_before_asking_to_log_in(anonymous_client, product):
    response = anonymous_client.post(comments_url(product), {"kind": "comment", "body": " "}, **HTMX)

    assert "HX-Redirect" not in response
    assert "Write something first." in response.content.decode()


# --- answers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.SUPPORT, Role.SALES])
def test_a_member_who_reads_the_inbox_or_manages_the_catalog_answers(
    client_for, member_of, business, product, question, role
):
    member = member_of(business, role).user if role != Role.OWNER else business.memberships.get().user

    response = client_for(member).post(answer_url(question), {"body": "Ada, kak!"}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ada, kak!" in page
    assert "Your answer is posted." in page
    answer = Comment.objects.get(kind="answer")
    assert (answer.parent, answer.author, answer.product_id) == (question, member, product.pk)
    activity = Activity.objects.get(verb="answered")
    assert (activity.actor, activity.business, activity.data["question_id"]) == (member, business, question.pk)
    assert comment_count(product) == 1  # answers are not counted


def test_the_answer_is_shown_under_the_question_with_the_shops_name(client_for, business, product, question, owner):
    client_for(owner).post(answer_url(question), {"body": "Ada, kak!"}, **HTMX)

    page = client_for(None).get(comments_url(product), **HTMX).content.decode()

    answers = page.split('class="engage-answers"')[1]
    assert "Ada, kak!" in answers
    assert "Batik Sari" in answers
    assert "Sari Pemilik" not in page  # the staff member's own name is not shown


def test_a_member_sees_the_answer_form_and_the_hide_button_a_customer_does_not(
    client_for, customer, owner, member_of, business, product, question
):
    as_owner = client_for(owner).get(comments_url(product), **HTMX).content.decode()
    as_support = client_for(member_of(business, Role.SUPPORT).user).get(comments_url(product), **HTMX).content.decode()
    as_customer = client_for(customer).get(comments_url(product), **HTMX).content.decode()

    assert answer_url(question) in as_owner
    assert hide_url(question) in as_owner
    assert answer_url(question) in as_support
    assert hide_url(question) not in as_support
    assert answer_url(question) not in as_customer
    assert hide_url(question) not in as_customer


def test_a_cashier_may_not_answer(client_for, member_of, business, question):
    response = client_for(member_of(business, Role.CASHIER).user).post(answer_url(question), {"body": "Ada"}, **HTMX)

    assert response.status_code == 403
    assert not Comment.objects.filter(kind="answer").exists()


@pytest.mark.parametrize("who", ["customer", "member of another business"])
def test_outsiders_answering_get_not_found(client_for, customer, other_shop, question, who):
    user = customer if who == "customer" else other_shop.memberships.get().user

    response = client_for(user).post(answer_url(question), {"body": "Ada"}, **HTMX)
    missing = client_for(user).post(reverse("engagement:comment_answer", args=[999_999]), {"body": "Ada"}, **HTMX)

    assert response.status_code == missing.status_code == 404
    assert not Comment.objects.filter(kind="answer").exists()


def test_an_empty_answer_is_refused_with_a_message(client_for, owner, question):
    response = client_for(owner).post(answer_url(question), {"body": "  "}, **HTMX)

    assert "Write your comment first." in response.content.decode()
    assert not Comment.objects.filter(kind="answer").exists()


def test_logged_out_answer_goes_to_log_in(anonymous_client, question):
    response = anonymous_client.post(answer_url(question), {"body": "Ada"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- hiding ----------------------------------------------------------------------------------------


def test_the_owner_hides_a_comment_it_disappears_and_counts_down_once(client_for, owner, product, question):
    browser = client_for(owner)

    response = browser.post(hide_url(question), **HTMX)
    browser.post(hide_url(question), **HTMX)

    assert "The comment is hidden." in response.content.decode()
    assert "Ada ukuran XL?" not in client_for(None).get(comments_url(product), **HTMX).content.decode()
    question.refresh_from_db()
    assert question.is_hidden
    assert question.hidden_by == owner
    assert comment_count(product) == 0
    assert Activity.objects.filter(verb="comment_hidden").count() == 1


def test_hiding_an_answer_keeps_the_question_and_its_count(client_for, owner, product, question):
    client_for(owner).post(answer_url(question), {"body": "Kata kasar"}, **HTMX)
    answer = Comment.objects.get(kind="answer")

    client_for(owner).post(hide_url(answer), **HTMX)

    page = client_for(None).get(comments_url(product), **HTMX).content.decode()
    assert "Ada ukuran XL?" in page
    assert "Kata kasar" not in page
    assert comment_count(product) == 1


def test_a_hidden_question_cannot_be_answered(client_for, owner, question):
    client_for(owner).post(hide_url(question), **HTMX)

    response = client_for(owner).post(answer_url(question), {"body": "Ada"}, **HTMX)

    assert "This comment is hidden; it cannot be answered." in response.content.decode()
    assert not Comment.objects.filter(kind="answer").exists()


def test_support_may_answer_but_not_hide(client_for, member_of, business, question):
    response = client_for(member_of(business, Role.SUPPORT).user).post(hide_url(question), **HTMX)

    assert response.status_code == 403
    question.refresh_from_db()
    assert not question.is_hidden


@pytest.mark.parametrize("who", ["customer", "author", "member of another business"])
def test_outsiders_cannot_hide_and_learn_nothing(client_for, customer, other_shop, product, question, who):
    user = {
        "customer": customer,
        "author": question.author,
        "member of another business": other_shop.memberships.get().user,
    }[who]

    response = client_for(user).post(hide_url(question), **HTMX)

    assert response.status_code == 404
    question.refresh_from_db()
    assert not question.is_hidden
    assert comment_count(product) == 1


def test_without_javascript_hiding_comes_back_to_the_product_page(client_for, owner, product, question):
    response = client_for(owner).post(hide_url(question), {"next": f"/b/{product.business.slug}/p/{product.pk}/"})

    assert response.status_code == 302
    assert response["Location"] == f"/b/{product.business.slug}/p/{product.pk}/"


# --- API -------------------------------------------------------------------------------------------


def test_api_comment_question_answer_and_hide(api_client_for, customer, owner, product):
    asked = api_client_for(customer).post(
        f"/api/v1/products/{product.pk}/comments",
        {"kind": "question", "body": "Bahannya apa?"},
        content_type="application/json",
    )
    question_id = asked.json()["id"]
    answered = api_client_for(owner).post(
        f"/api/v1/comments/{question_id}/answers", {"body": "Katun primisima"}, content_type="application/json"
    )
    listed = api_client_for(None).get(f"/api/v1/products/{product.pk}/comments").json()
    hidden = api_client_for(owner).post(f"/api/v1/comments/{question_id}/hide")

    assert asked.status_code == 201
    assert asked.json()["kind"] == "question"
    assert asked.json()["author_name"] == "Budi Pelanggan"
    assert answered.status_code == 201
    assert answered.json()["author_name"] == "Batik Sari"
    assert listed["items"][0]["answers"][0]["body"] == "Katun primisima"
    assert hidden.json() == {"id": question_id, "hidden": True}
    assert api_client_for(None).get(f"/api/v1/products/{product.pk}/comments").json()["items"] == []
    channels = Activity.objects.filter(verb__in=["asked", "answered", "comment_hidden"]).values_list(
        "channel", flat=True
    )
    assert sorted(channels) == ["api", "api", "api"]


def test_api_bad_comment_input_is_a_clear_400(api_client_for, customer, product):
    api = api_client_for(customer)

    empty = api.post(f"/api/v1/products/{product.pk}/comments", {"body": " "}, content_type="application/json")
    kind = api.post(
        f"/api/v1/products/{product.pk}/comments", {"kind": "answer", "body": "Hai"}, content_type="application/json"
    )

    assert empty.status_code == 400
    assert empty.json()["error"]["fields"] == {"body": "Write something first."}
    assert kind.status_code == 400
    assert "kind" in kind.json()["error"]["fields"]
    assert not Comment.objects.exists()


def test_api_outsiders_cannot_answer_or_hide(api_client_for, customer, other_shop, member_of, business, question):
    stranger = api_client_for(other_shop.memberships.get().user)
    cashier = api_client_for(member_of(business, Role.CASHIER).user)

    answers = [
        stranger.post(f"/api/v1/comments/{question.pk}/answers", {"body": "x"}, content_type="application/json"),
        stranger.post(f"/api/v1/comments/{question.pk}/hide"),
        api_client_for(customer).post(f"/api/v1/comments/{question.pk}/hide"),
        cashier.post(f"/api/v1/comments/{question.pk}/hide"),
        cashier.post(f"/api/v1/comments/{question.pk}/answers", {"body": "x"}, content_type="application/json"),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404, 403, 403]
    question.refresh_from_db()
    assert not question.is_hidden
    assert not Comment.objects.filter(kind="answer").exists()
