"""How a person's name appears on public pages: the one home of that rule.

Every public page, list, export and API answer that names a participant or a
donor goes through ``public_name`` (and ``shows_bib`` for the bib number).
Organiser screens show real names to the staff whose role allows it; they do
not call this module.

A person picks ``PublicName``: their full name, a short name ("Nguyễn V. A.":
the family name kept, every other word initialled) or an anonymous label that
stays the same on every page ("Người tham gia #123456"). ``auto`` is the full
name for adults and the short name for minors. A minor is never shown by full
name, whatever they picked (decision 0016): a person counts as a minor while
they may still be under 18 — we only know their birth year — on the campaign's
first day or today.

``person`` is anything with ``pk``, ``full_name``, ``birth_year`` and
``public_name_choice`` (a User, or a board line's few columns), so that boards
read just those columns in their one query.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Protocol

from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import PublicName

ADULT_AGE = 18

# The columns of the user a page must load to call public_name and shows_bib.
NAME_FIELDS = ("full_name", "birth_year", "public_name_choice")


class Named(Protocol):
    pk: int
    full_name: str
    birth_year: int | None
    public_name_choice: str


class HasStart(Protocol):
    @property
    def starts_at(self) -> datetime: ...


def may_be_minor(birth_year: int | None, year: int) -> bool:
    """Whether someone born in ``birth_year`` may be under 18 at some day of ``year``:
    without the birth date, a person is taken as a minor until the year after they
    turn 18. Unknown birth year: not a minor."""
    return birth_year is not None and year - birth_year <= ADULT_AGE


def is_minor(person: Named, campaign: HasStart | None = None) -> bool:
    """Under 18 (as far as the birth year tells) today or on the campaign's first day."""
    years = [timezone.localdate().year]
    if campaign is not None:
        years.append(campaign.starts_at.year)
    return may_be_minor(person.birth_year, min(years))


def choice_for(person: Named, campaign: HasStart | None = None) -> str:
    """The choice in effect: FULL, SHORT or ANONYMOUS."""
    choice = person.public_name_choice or PublicName.AUTO
    if choice == PublicName.ANONYMOUS:
        return PublicName.ANONYMOUS
    if is_minor(person, campaign):
        return PublicName.SHORT
    return PublicName.FULL if choice == PublicName.AUTO else choice


def _initial(word: str) -> str:
    """The first letter of ``word`` with its diacritics ("ánh" → "Á", "đức" → "Đ")."""
    word = unicodedata.normalize("NFC", word)
    letter = next((char for char in word if char.isalnum()), word[:1])
    return letter.upper()


def short_name(full_name: str) -> str:
    """ "Nguyễn Văn An" → "Nguyễn V. A."; "Trần Lan" → "Trần L."; "Lan" → "L.".
    Vietnamese order: the family name first, kept whole; every later word (middle
    names and the given name) becomes its initial."""
    words = unicodedata.normalize("NFC", full_name).split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{_initial(words[0])}."
    return " ".join([words[0], *(f"{_initial(word)}." for word in words[1:])])


def anonymous_label(person_pk: int) -> str:
    """A label that names nobody but stays the same for one person on every page.
    The number comes from a keyed hash: it is not the bib and not the account id."""
    digest = salted_hmac("accounts.names.anonymous", str(person_pk)).hexdigest()
    number = int(digest[:12], 16) % 900000 + 100000
    return _("Participant #%(number)s") % {"number": number}


def public_name(person: Named, campaign: HasStart | None = None) -> str:
    """The person's name as anyone may see it on a public page."""
    choice = choice_for(person, campaign)
    if choice == PublicName.FULL and person.full_name:
        return person.full_name
    if choice == PublicName.SHORT and person.full_name.strip():
        return short_name(person.full_name)
    return anonymous_label(person.pk)


def public_form_of(name: str, person: Named, campaign: HasStart | None = None) -> str:
    """Another name the person typed (a donor's name on a donation) as the person's
    choice allows it in public: whole, shortened, or "" for anonymous."""
    choice = choice_for(person, campaign)
    if choice == PublicName.FULL:
        return name
    if choice == PublicName.SHORT:
        return short_name(name)
    return ""


def shows_bib(person: Named, campaign: HasStart | None = None) -> bool:
    """Bib numbers appear on public pages only beside a full name: a bib with a short
    or anonymous name would let anyone match it with the race-day list."""
    return bool(person.full_name) and choice_for(person, campaign) == PublicName.FULL
