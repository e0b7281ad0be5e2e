"""How results and certificates name a person: as they chose to appear on public pages
(accounts.names, docs/privacy.md)."""

from __future__ import annotations

from accounts.names import public_name, shows_bib

__all__ = ["display_name", "shows_bib"]


def display_name(user, bib: int | None, campaign=None) -> str:
    """The name a person is shown by on results, awards and certificates."""
    return public_name(user, campaign)
