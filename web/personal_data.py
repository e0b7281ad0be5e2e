"""Everything KindSteps keeps about one person, as one ZIP archive
(docs/decisions/0019-data-rights.md): their profile and consents, activities with
their routes and verdicts, registrations, team memberships, donations and
complaints, each as JSON and (tables) CSV, and the original files they uploaded.

It gathers several domains, so it lives in web, the app above them all. The
archive is streamed as it is written: original files are read and sent in
pieces, so a person with thousands of uploads costs the server a few kilobytes
of memory, not the size of their archive.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from activities.models import Activity, Complaint, RoutePreference, Upload
from campaigns.models import Registration
from core.audit import log_action
from core.spreadsheets import BOM, csv_lines
from donations.models import Donation
from notifications import services as notification_services
from notifications.models import Email, Notification, Preference

CHUNK = 64 * 1024
README = """KindSteps: everything we keep about you ({email}), as of {now} UTC.

profile.json         your profile, consents and the default visibility of your maps
activities.json/.csv your activities: figures, route, who sees the map, each campaign's verdict
registrations.json/.csv  the campaigns you joined (bib, unit, category, team)
teams.json/.csv      your team memberships, and the teams you captain
donations.json/.csv  the donations you gave (logged in, or with this e-mail address)
complaints.json      what you told the organisers about rejected activities
notifications.json   what we told you (on the site and by e-mail) and your notification settings
originals/           the files you uploaded, byte for byte as you sent them
"""


class _Pipe:
    """A write-only file whose bytes are taken out as they come (zipfile writes to it)."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def write(self, data: bytes) -> int:
        return self.buffer.write(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return data


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    return (BOM + "".join(csv_lines([header, *rows]))).encode()


def profile(user: User) -> dict:
    preference = RoutePreference.objects.filter(user=user).first()
    return {
        "email": user.email,
        "full_name": user.full_name,
        "gender": user.gender,
        "birth_year": user.birth_year,
        "phone": user.phone,
        "province": user.province,
        "district": user.district,
        "home_unit": user.home_unit.code if user.home_unit else None,
        "preferred_language": user.preferred_language,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "default_route_visibility": preference.route_visibility if preference else None,
        "consents": [
            {"version": c.version, "language": c.language, "accepted_at": _iso(c.accepted_at)}
            for c in user.consents.all()
        ],
        "api_tokens": [
            {"name": t.name, "created_at": _iso(t.created_at), "revoked_at": _iso(t.revoked_at)}
            for t in user.api_tokens.all()
        ],
    }


ACTIVITY_COLUMNS = (
    "id",
    "sport",
    "start",
    "end",
    "distance_m",
    "elapsed_s",
    "moving_s",
    "steps",
    "avg_hr",
    "device",
    "source",
    "route_visibility",
    "note",
)


def activities(user: User) -> list[dict]:
    rows = []
    for activity in Activity.objects.filter(user=user).prefetch_related("verdicts__campaign"):
        rows.append(
            {
                "id": activity.pk,
                "sport": activity.sport,
                "start": _iso(activity.started_at),
                "end": _iso(activity.ended_at),
                "distance_m": activity.distance_m,
                "elapsed_s": activity.elapsed_s,
                "moving_s": activity.moving_s,
                "steps": activity.steps,
                "avg_hr": activity.avg_hr,
                "device": activity.device,
                "source": activity.source,
                "route_visibility": activity.route_visibility,
                "note": activity.note,
                "route": activity.track,
                "verdicts": [
                    {
                        "campaign": verdict.campaign.slug,
                        "status": verdict.status,
                        "credited_m": verdict.credited_m,
                        "reasons": verdict.codes,
                    }
                    for verdict in activity.verdicts.all()
                ],
            }
        )
    return rows


REGISTRATION_COLUMNS = ("campaign", "bib", "status", "unit", "category", "team", "registered_at")


def registrations(user: User) -> list[dict]:
    return [
        {
            "campaign": r.campaign.slug,
            "bib": r.bib,
            "status": r.status,
            "unit": r.unit.code if r.unit else None,
            "category": r.category.name if r.category else None,
            "team": r.team.name if r.team else None,
            "registered_at": _iso(r.registered_at),
        }
        for r in Registration.objects.filter(user=user).select_related(
            "campaign", "unit", "category", "team"
        )
    ]


TEAM_COLUMNS = ("campaign", "team", "captain", "joined_at")


def teams(user: User) -> list[dict]:
    return [
        {
            "campaign": r.campaign.slug,
            "team": r.team.name,
            "captain": r.team.captain_id == user.pk,
            "joined_at": _iso(r.team_joined_at),
        }
        for r in Registration.objects.filter(user=user, team__isnull=False).select_related(
            "campaign", "team"
        )
    ]


DONATION_COLUMNS = (
    "reference",
    "campaign",
    "amount",
    "method",
    "status",
    "donor_name",
    "is_anonymous",
    "message",
    "email",
    "paid_at",
)


def donations_of(user: User) -> Q:
    """The person's donations: given logged in, or with their address."""
    return Q(user=user) | Q(email__iexact=user.email)


def donations(user: User) -> list[dict]:
    return [
        {
            "reference": d.reference,
            "campaign": d.campaign.slug,
            "amount": d.amount,
            "method": d.method,
            "status": d.status,
            "donor_name": d.donor_name,
            "is_anonymous": d.is_anonymous,
            "message": d.message,
            "email": d.email,
            "paid_at": _iso(d.paid_at),
        }
        for d in Donation.objects.filter(donations_of(user)).select_related("campaign")
    ]


def complaints(user: User) -> list[dict]:
    return [
        {
            "activity": c.verdict.activity_id,
            "campaign": c.verdict.campaign.slug,
            "text": c.text,
            "status": c.status,
            "answer": c.answer,
            "created_at": _iso(c.created_at),
        }
        for c in Complaint.objects.filter(user=user).select_related("verdict__campaign")
    ]


def notifications(user: User) -> dict:
    """What the person was told, in their language as it reads today, and their choices."""
    language = user.preferred_language or None
    told = []
    for row in Notification.objects.filter(user=user).select_related("campaign").order_by("id"):
        message = notification_services.message_of(row, language)
        told.append(
            {
                "kind": row.kind,
                "campaign": row.campaign.slug if row.campaign else None,
                "title": message.title,
                "lines": message.lines,
                "facts": dict(message.facts),
                "created_at": _iso(row.created_at),
                "read_at": _iso(row.read_at),
            }
        )
    emails = [
        {
            "kind": e.kind,
            "campaign": e.campaign.slug if e.campaign else None,
            "created_at": _iso(e.created_at),
            "sent_at": _iso(e.sent_at),
            "not_sent": e.dropped or None,
        }
        for e in Email.objects.filter(user=user).select_related("campaign").order_by("id")
    ]
    settings = [
        {"kind": p.kind, "email": p.email, "on_the_site": p.in_app}
        for p in Preference.objects.filter(user=user).order_by("kind")
    ]
    return {"on_the_site": told, "emails": emails, "settings": settings}


def _table(name: str, columns: Sequence[str], rows: list[dict]) -> list[tuple[str, bytes]]:
    return [
        (f"{name}.json", _json(rows)),
        (f"{name}.csv", _csv(columns, ([row[c] for c in columns] for row in rows))),
    ]


def _documents(user: User) -> list[tuple[str, bytes]]:
    now = timezone.now()
    return [
        ("README.txt", README.format(email=user.email, now=f"{now:%Y-%m-%d %H:%M}").encode()),
        ("profile.json", _json(profile(user))),
        *_table("activities", ACTIVITY_COLUMNS, activities(user)),
        *_table("registrations", REGISTRATION_COLUMNS, registrations(user)),
        *_table("teams", TEAM_COLUMNS, teams(user)),
        *_table("donations", DONATION_COLUMNS, donations(user)),
        ("complaints.json", _json(complaints(user))),
        ("notifications.json", _json(notifications(user))),
    ]


def _original_name(upload: Upload, taken: set[str]) -> str:
    base = (upload.filename or str(upload.stored_file)).replace("/", "_").replace("\\", "_")
    name = f"originals/{upload.pk}-{base}"
    while name in taken:  # the same name twice cannot happen with the id, but be sure
        name += "_"
    taken.add(name)
    return name


def archive(user: User) -> Iterator[bytes]:
    """The person's archive, in pieces, for a StreamingHttpResponse. The tables are
    read first, in one go; the original files follow one piece at a time."""
    documents = _documents(user)
    uploads = list(Upload.objects.filter(user=user).select_related("stored_file"))
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in documents:
            zf.writestr(name, data)
            yield pipe.take()
        taken: set[str] = set()
        for upload in uploads:
            name = _original_name(upload, taken)
            # Originals are often already compressed (FIT, gzip, ZIP): stored as they are.
            with (
                upload.stored_file.content.open("rb") as source,
                zf.open(
                    zipfile.ZipInfo(name, date_time=_zip_time(upload.received_at)),
                    mode="w",
                    force_zip64=True,
                ) as target,
            ):
                while piece := source.read(CHUNK):
                    target.write(piece)
                    yield pipe.take()
    yield pipe.take()


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def log_export(user: User) -> None:
    """The audit log's line for an export: who asked, and when (nothing of the content)."""
    with transaction.atomic():
        log_action("accounts.user.exported", user, actor=user, data={})
