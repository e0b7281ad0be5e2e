"""The one rule for names on public pages (accounts/names.py): the short name in
Vietnamese order, who counts as a minor by birth year, the choice in effect and
the stable anonymous label. The suite's clock is 11/03/2026."""

import unicodedata
from datetime import UTC, datetime

import pytest
from django.utils import translation

from accounts import names
from accounts.models import PublicName


class Person:
    def __init__(self, full_name="Nguyễn Văn An", birth_year=1990, choice="auto", pk=7):
        self.pk = pk
        self.full_name = full_name
        self.birth_year = birth_year
        self.public_name_choice = choice


class Campaign:
    def __init__(self, year: int):
        self.starts_at = datetime(year, 2, 25, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("Nguyễn Văn An", "Nguyễn V. A."),
        ("Trần Thị Ngọc Ánh", "Trần T. N. Á."),
        ("Lê Minh", "Lê M."),  # two words: family name and given name
        ("Lan", "L."),  # one word: only an initial
        ("  đặng   đức  ", "đặng Đ."),  # spaces squeezed, the initial capitalised
        ("Phạm Ơn", "Phạm Ơ."),
        ("", ""),
    ],
)
def test_short_name_keeps_the_family_name_and_initials_the_rest(full, short):
    assert names.short_name(full) == short


def test_short_name_reads_names_typed_with_decomposed_diacritics():
    decomposed = unicodedata.normalize("NFD", "Võ Ánh Đào")
    assert names.short_name(decomposed) == "Võ Á. Đ."


@pytest.mark.parametrize(
    ("birth_year", "minor"),
    [
        (2010, True),  # 16 in 2026
        (2008, True),  # 18 only on their 2026 birthday: maybe still 17 today
        (2007, False),  # 18 or 19 today
        (1970, False),
        (None, False),  # unknown: not taken as a minor
    ],
)
def test_minor_by_birth_year_today(birth_year, minor):
    assert names.is_minor(Person(birth_year=birth_year)) is minor


def test_someone_who_was_a_minor_when_the_campaign_started_stays_short_on_its_pages():
    # Born 2006: an adult today (2026), but maybe 17 when the 2024 campaign started.
    person = Person(birth_year=2006)
    assert not names.is_minor(person)
    assert names.is_minor(person, Campaign(2024))
    assert names.public_name(person) == "Nguyễn Văn An"
    assert names.public_name(person, Campaign(2024)) == "Nguyễn V. A."


def test_a_later_campaign_does_not_make_today_s_minor_an_adult():
    assert names.is_minor(Person(birth_year=2010), Campaign(2030))


@pytest.mark.parametrize(
    ("choice", "birth_year", "shown"),
    [
        (PublicName.AUTO, 1990, "Nguyễn Văn An"),
        (PublicName.FULL, 1990, "Nguyễn Văn An"),
        (PublicName.SHORT, 1990, "Nguyễn V. A."),
        (PublicName.AUTO, 2011, "Nguyễn V. A."),  # minors default to short
        (PublicName.FULL, 2011, "Nguyễn V. A."),  # and are never shown by full name
        (PublicName.SHORT, 2011, "Nguyễn V. A."),
    ],
)
def test_public_name_follows_the_choice_and_the_age(choice, birth_year, shown):
    assert names.public_name(Person(birth_year=birth_year, choice=choice)) == shown


def test_anonymous_shows_a_label_that_stays_the_same_and_names_nobody():
    person = Person(choice=PublicName.ANONYMOUS, pk=42)
    with translation.override("en"):
        label = names.public_name(person)
        assert label.startswith("Participant #")
        assert "Nguyễn" not in label and label.removeprefix("Participant #") != "42"
        assert names.public_name(Person(choice=PublicName.ANONYMOUS, pk=42)) == label
        assert names.public_name(Person(choice=PublicName.ANONYMOUS, pk=43)) != label
    with translation.override("vi"):
        assert names.public_name(person).startswith("Người tham gia #")


def test_a_person_without_a_name_is_shown_by_the_anonymous_label():
    person = Person(full_name="", pk=5)
    assert names.public_name(person) == names.anonymous_label(5)
    assert not names.shows_bib(person)


@pytest.mark.parametrize(
    ("choice", "birth_year", "bib"),
    [
        (PublicName.AUTO, 1990, True),
        (PublicName.SHORT, 1990, False),
        (PublicName.ANONYMOUS, 1990, False),
        (PublicName.AUTO, 2011, False),
    ],
)
def test_bib_is_public_only_beside_a_full_name(choice, birth_year, bib):
    assert names.shows_bib(Person(birth_year=birth_year, choice=choice)) is bib


@pytest.mark.parametrize(
    ("choice", "typed", "shown"),
    [
        (PublicName.AUTO, "Gia đình Nguyễn Văn An", "Gia đình Nguyễn Văn An"),
        (PublicName.SHORT, "Nguyễn Văn An", "Nguyễn V. A."),
        (PublicName.ANONYMOUS, "Nguyễn Văn An", ""),
    ],
)
def test_another_name_the_person_typed_follows_their_choice(choice, typed, shown):
    assert names.public_form_of(typed, Person(choice=choice)) == shown
