"""Where an activity came from, and which copy of one walk counts.

The same walk often reaches KindSteps more than once: the watch's file uploaded by
hand, the same watch synced through Garmin or Strava, the phone's browser recorder
running beside it. Those are one effort: exactly one copy counts (`activities.copies`
settles it), the others are kept and shown as "also received from …".

Which copy counts is decided by the source, then by arrival: the device's own file
before a re-export (docs/decisions/0049-one-walk-many-sources.md). Each source has a
stable code, the one `Activity.source` stores (a file upload's kind is read from its
format). A tracker that brings activities (trackers: "strava", "garmin") passes its
code to `activities.pipeline.receive(source=…)`; a new one gets a row in `SOURCES`.

Pure: nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Kinds of copy, best first. A file upload ("web", "api") is FIT or FILE by its format.
FIT = "fit"
GARMIN = "garmin"
FILE = "file"
STRAVA = "strava"
BROWSER = "browser"
MANUAL = "manual"

# Two copies are one walk when they overlap for at least this share of the shorter one
# and started at most this far apart (a phone started a few minutes after the watch).
SAME_WALK_OVERLAP = 0.5
SAME_WALK_START_WITHIN = timedelta(minutes=15)


@dataclass(frozen=True)
class SourceKind:
    code: str
    rank: int  # lower counts first; equal ranks: the first to arrive
    label: Promise  # "received from …": a few words the participant knows


SOURCES: dict[str, SourceKind] = {
    kind.code: kind
    for kind in (
        SourceKind(FIT, 0, _("the device's own file (FIT)")),
        SourceKind(GARMIN, 0, _("Garmin Connect (the watch's own file)")),
        SourceKind(FILE, 1, _("an uploaded GPX, TCX or KML file")),
        SourceKind(STRAVA, 2, _("Strava (a copy the app made)")),
        SourceKind(BROWSER, 3, _("the browser recorder")),
        SourceKind(MANUAL, 4, _("an entry typed in by hand")),
    )
}
# Upload sources whose kind is read from the file's format.
FILE_UPLOADS = ("web", "api")


def kind_of(source: str, file_format: str = "") -> str:
    """The kind of copy an activity of this `Activity.source` and file format is."""
    if source in FILE_UPLOADS or source not in SOURCES:
        return FIT if file_format == "fit" else FILE
    return source


def rank(kind: str) -> int:
    return SOURCES[kind].rank if kind in SOURCES else SOURCES[FILE].rank


def source_label(kind: str) -> str:
    found = SOURCES.get(kind)
    return str(found.label) if found else kind


def same_walk(start_a: datetime, end_a: datetime, start_b: datetime, end_b: datetime) -> bool:
    """Whether two activities of one person are copies of one walk: they started at most
    SAME_WALK_START_WITHIN apart and overlap for at least half of the shorter one."""
    if abs(start_a - start_b) > SAME_WALK_START_WITHIN:
        return False
    overlap = (min(end_a, end_b) - max(start_a, start_b)).total_seconds()
    shorter = max(min((end_a - start_a).total_seconds(), (end_b - start_b).total_seconds()), 1.0)
    return overlap >= SAME_WALK_OVERLAP * shorter


def why_not_counted(counted_kind: str, this_kind: str) -> str:
    """The stable code of why a copy does not count: "priority" (the counted copy's
    source comes first) or "first" (the same rank, and the other arrived first)."""
    return "priority" if rank(counted_kind) < rank(this_kind) else "first"


def why_text(why: str, counted_kind: str, this_kind: str) -> str:
    """Why a copy does not count, in the participant's words (active language)."""
    if why == "priority":
        return _("%(counted)s counts before %(this)s") % {
            "counted": source_label(counted_kind),
            "this": source_label(this_kind),
        }
    return _("both came from %(source)s, and the first to arrive counts") % {
        "source": source_label(counted_kind)
    }


# Templates that a source's app (trackers) registers to show its marks beside an
# activity of that source on its owner's page ("Powered by …", "View on …").
ATTRIBUTIONS: dict[str, str] = {}


def register_attribution(source: str, template_name: str) -> None:
    """Called by the app that brings activities of `source`, in its AppConfig.ready."""
    ATTRIBUTIONS[source] = template_name
