"""How results and certificates name a person: the one place to change when people
choose the name shown publicly."""

from __future__ import annotations


def display_name(user, bib: int | None) -> str:
    """The name a person is shown by on results, awards and certificates."""
    return user.full_name or (f"#{bib}" if bib else "")
