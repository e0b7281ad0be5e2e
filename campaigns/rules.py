"""A campaign's activity rules: stored as JSON on the campaign, read through
these defaults so a campaign only stores what it changes. The activities
pipeline enforces them; docs/rules.md explains each one."""

import copy
from typing import Any

DEFAULT_RULES: dict[str, Any] = {
    "min_distance_m": 1000,
    "max_distance_m": None,  # per activity; None = no limit
    "daily_cap_m": None,  # per person per campaign day; None = no cap
    "sync_window_hours": 72,  # an activity must reach us within this long of its end…
    "close_grace_hours": 72,  # …and no later than this after the campaign closes
    "allow_manual": False,
    "allow_no_gps": False,
    "sports": {
        # paces in seconds per km
        "run": {"min_pace_s": 240, "max_pace_s": 900, "fastest_split_s": 210},
        "walk": {"min_pace_s": 360, "max_pace_s": 1200, "fastest_split_s": 300},
    },
}


def merged_rules(stored: dict | None) -> dict[str, Any]:
    """The defaults overlaid with what a campaign stores (one level deep for sports)."""
    rules = copy.deepcopy(DEFAULT_RULES)
    for key, value in (stored or {}).items():
        if key == "sports" and isinstance(value, dict):
            for sport, limits in value.items():
                rules["sports"].setdefault(sport, {}).update(limits or {})
        else:
            rules[key] = value
    return rules
