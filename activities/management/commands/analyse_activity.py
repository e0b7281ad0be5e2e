"""Parse activity files and print what we read from them and, under a
campaign's rules, the verdict they would get; nothing is stored."""

from __future__ import annotations

import json
import math
import zoneinfo
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext

from activities import parsers
from activities.facts import context_for_campaign, facts_of, guess_sport, judged_track
from activities.parsers import ParseError, parse_upload
from activities.parsers.base import note_text
from activities.reason_text import shown
from activities.rules import JudgingContext, Verdict, judge, malformed_verdict
from activities.track import Track, summarise
from campaigns.models import Campaign


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


FIELDS = (
    "sport",
    "start",
    "end",
    "elapsed_s",
    "moving_s",
    "distance_m",
    "elevation_gain_m",
    "points",
    "avg_pace_s_per_km",
    "splits_s",
    "device_distance_m",
    "gps_distance_m",
    "session",
)


def _verdict_fields(verdict: Verdict, time_zone: str) -> dict:
    return {
        "verdict": verdict.status,
        "credited_m": verdict.credited_m,
        "reasons": [_reason(r.code, r.message, r.evidence, time_zone) for r in verdict.reasons],
    }


def _reason(code: str, message: str, evidence: dict, time_zone: str) -> dict:
    """A reason as the pages show it: its sentence and its evidence in words."""
    reason = {"code": code, "message": message, "evidence": evidence}
    words = shown(reason, time_zone=time_zone)
    return {
        "code": code,
        "message": message,
        "evidence": [{"name": name, "value": value} for name, value in words.evidence],
    }


def _failure(name: str, code: str, message: str, context: JudgingContext | None = None) -> dict:
    result = {"file": name, "ok": False, "error": code, "message": message}
    result.update(dict.fromkeys(FIELDS))
    result["notes"] = []
    result["gps_jumps"] = []
    result["vehicle_segments"] = []
    if context is not None:
        result.update(_verdict_fields(malformed_verdict(message), context.time_zone))
    return result


def _success(
    name: str, track: Track, sport: str | None, context: JudgingContext | None = None
) -> dict:
    summary = summarise(track)
    sport = sport or guess_sport(summary)
    rules = context.rules if context is not None else None
    judged = judged_track(track, sport, rules, summary)
    track, summary = judged.track, judged.summary
    result = {
        "file": name,
        "ok": True,
        "error": None,
        "message": None,
        "sport": sport,
        "start": _iso(summary.start),
        "end": _iso(summary.end),
        "elapsed_s": round(summary.elapsed_s, 1),
        "moving_s": round(summary.moving_s, 1),
        "distance_m": summary.distance_m,
        "elevation_gain_m": summary.elevation_gain_m,
        "points": summary.points,
        "avg_pace_s_per_km": summary.avg_pace_s_per_km,
        "splits_s": summary.splits_s,
        "device_distance_m": summary.device_distance_m,
        "gps_distance_m": summary.gps_distance_m,
        "session": track.session,
        "notes": [
            {"code": entry["code"], "params": entry["params"], "message": note_text(entry)}
            for entry in track.notes
        ],
    }
    facts = facts_of(judged, sport, rules)
    result["gps_jumps"] = [_finite(jump._asdict()) for jump in facts.gps_jumps]
    result["vehicle_segments"] = [_finite(seg._asdict()) for seg in facts.vehicle_segments]
    if context is not None:
        result.update(_verdict_fields(judge(facts, context), context.time_zone))
    return result


def analyse_path(
    path: Path, sport: str | None = None, context: JudgingContext | None = None
) -> list[dict]:
    """One result per file (per member of a ZIP archive, per activity of a TCX file),
    judged under `context` when one is given."""
    name = str(path)
    try:
        size = path.stat().st_size
        # Check the size before reading anything: archives may hold more than one file.
        with path.open("rb") as fh:
            head = fh.read(4)
        limit = parsers.MAX_ARCHIVE_TOTAL_BYTES if parsers.is_zip(head) else None
        if size > (limit or parsers.MAX_FILE_BYTES):
            error = ParseError("too_large")
            return [_failure(name, error.code, str(error.message), context)]
        data = path.read_bytes()
    except OSError as exc:
        return [_failure(name, "unreadable", exc.strerror or str(exc), context)]
    results = []
    for result in parse_upload(data, path.name):
        member = name if result.name == path.name else f"{name}/{result.name}"
        if result.error is not None:
            results.append(_failure(member, result.error.code, str(result.error.message), context))
            continue
        results.extend(_success(member, track, sport, context) for track in result.tracks)
    return results


class Command(BaseCommand):
    help = (
        "Read GPX, TCX, FIT or KML/KMZ files (also .gz and ZIP exports) and print, for each "
        "file, the normalised activity: times, distance, climb, pace and splits; with "
        "--campaign, also the verdict, credited metres and reasons under that campaign's "
        "rules. Stores nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--campaign",
            metavar="SLUG",
            help=(
                "Judge every activity under this campaign's rules (sport, window, distance, "
                "pace, splits, track). There is no participant: registration time and duplicates "
                "are not judged, and the daily cap sees each activity alone."
            ),
        )
        parser.add_argument(
            "--sport",
            choices=["walk", "run"],
            help=(
                "Treat every activity as this sport instead of what the file says "
                "(or, when it says nothing, what its pace suggests)."
            ),
        )
        parser.add_argument(
            "--received-at",
            metavar="ISO-8601",
            help=(
                "When the files reached us, judged against the sync window and the campaign's "
                "closing (e.g. 2024-04-23T09:30+07:00). A time without a zone is taken in the "
                "campaign's time zone (UTC without --campaign). Without this option the arrival "
                "time is not judged."
            ),
        )
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="One JSON object per file, one per line.",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the error messages and reasons (default: the site's, Vietnamese).",
        )

    def handle(
        self,
        *args,
        files: list[Path],
        campaign: str | None,
        sport: str | None,
        received_at: str | None,
        as_json: bool,
        language: str,
        **options,
    ) -> None:
        with translation.override(language):
            context = _context(campaign, received_at)
            for path in files:
                for result in analyse_path(path, sport, context):
                    self.stdout.write(_json_line(result) if as_json else _text_line(result))


def _context(slug: str | None, received_at: str | None) -> JudgingContext | None:
    """The judging context of the campaign named on the command line, if any."""
    found = None
    if slug is not None:
        found = Campaign.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(
                gettext("There is no campaign with the slug %(slug)s.") % {"slug": slug}
            )
    zone = zoneinfo.ZoneInfo(found.time_zone) if found else UTC
    received = _parse_moment(received_at, zone) if received_at else None
    if found is None:
        return None
    return context_for_campaign(found, received_at=received)


def _parse_moment(text: str, zone: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommandError(
            gettext("--received-at %(value)s is not an ISO 8601 date and time.") % {"value": text}
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _finite(values: dict) -> dict:
    """JSON has no infinity: a step between two points of the same time reads null."""
    return {
        key: None if isinstance(value, float) and not math.isfinite(value) else value
        for key, value in values.items()
    }


def _json_line(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False)


def _text_line(result: dict) -> str:
    if not result["ok"]:
        return f"{result['file']}: {result['error']} — {result['message']}" + _verdict_text(result)
    pace = result["avg_pace_s_per_km"]
    pace_text = f"{int(pace // 60)}:{int(pace % 60):02d}/km" if pace else "-"
    return (
        f"{result['file']}: {result['sport'] or '?'} {result['start']} "
        f"{result['distance_m']} m in {result['elapsed_s']:.0f} s "
        f"(moving {result['moving_s']:.0f} s, {pace_text}), "
        f"+{result['elevation_gain_m']} m, {result['points']} points"
        + _verdict_text(result)
        + "".join(f"\n  {entry['message']}" for entry in result["notes"])
    )


def _verdict_text(result: dict) -> str:
    if "verdict" not in result:
        return ""
    reasons = "; ".join(f"{r['code']}: {r['message']}" for r in result["reasons"])
    return f" → {result['verdict']}, {result['credited_m']} m" + (
        f" ({reasons})" if reasons else ""
    )
