import pytest

from etalase.accounts.models import User
from etalase.core.pagination import MAX_PAGE_SIZE, paginate
from tests.factories import UserFactory


@pytest.fixture
def five_users(db):
    return UserFactory.create_batch(5)


def test_a_page_is_one_query_and_knows_a_next_page_exists(five_users, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = paginate(User.objects.order_by("id"), page=1, size=2)

    assert [user.pk for user in page.items] == [user.pk for user in five_users[:2]]
    assert page.has_next is True
    assert page.next_number == 2
    assert page.previous_number is None


def test_the_last_page_knows_it_is_the_last(five_users, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = paginate(User.objects.order_by("id"), page=3, size=2)

    assert [user.pk for user in page.items] == [five_users[4].pk]
    assert page.has_next is False
    assert page.next_number is None
    assert page.previous_number == 2


def test_a_full_last_page_does_not_promise_another(five_users):
    page = paginate(User.objects.order_by("id"), page=1, size=5)

    assert len(page.items) == 5
    assert page.has_next is False


def test_a_page_past_the_end_is_empty(five_users):
    page = paginate(User.objects.order_by("id"), page=9, size=2)

    assert page.items == []
    assert page.has_next is False


@pytest.mark.parametrize(
    ("page_number", "size", "expected"),
    [(0, 2, (1, 2)), (-4, 2, (1, 2)), (1, 0, (1, 1)), (1, 10_000, (1, MAX_PAGE_SIZE))],
)
def test_out_of_range_numbers_are_bounded(five_users, page_number, size, expected):
    page = paginate(User.objects.order_by("id"), page=page_number, size=size)

    assert (page.number, page.size) == expected
