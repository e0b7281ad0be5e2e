"""Parse activity files and print what we read from them; nothing is stored."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from activities import parsers
from activities.parsers import ParseError, parse_upload
from activities.track import Track, summarise


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
)


def _failure(name: str, code: str, message: str) -> dict:
    result = {"file": name, "ok": False, "error": code, "message": message}
    result.update(dict.fromkeys(FIELDS))
    return result


def _success(name: str, track: Track, sport: str | None) -> dict:
    summary = summarise(track)
    return {
        "file": name,
        "ok": True,
        "error": None,
        "message": None,
        "sport": sport or summary.sport,
        "start": _iso(summary.start),
        "end": _iso(summary.end),
        "elapsed_s": round(summary.elapsed_s, 1),
        "moving_s": round(summary.moving_s, 1),
        "distance_m": summary.distance_m,
        "elevation_gain_m": summary.elevation_gain_m,
        "points": summary.points,
        "avg_pace_s_per_km": summary.avg_pace_s_per_km,
        "splits_s": summary.splits_s,
    }


def analyse_path(path: Path, sport: str | None = None) -> list[dict]:
    """One result per file (per member of a ZIP archive, per activity of a TCX file)."""
    name = str(path)
    try:
        size = path.stat().st_size
        # Check the size before reading anything: archives may hold more than one file.
        with path.open("rb") as fh:
            head = fh.read(4)
        limit = parsers.MAX_ARCHIVE_TOTAL_BYTES if parsers.is_zip(head) else None
        if size > (limit or parsers.MAX_FILE_BYTES):
            error = ParseError("too_large")
            return [_failure(name, error.code, str(error.message))]
        data = path.read_bytes()
    except OSError as exc:
        return [_failure(name, "unreadable", exc.strerror or str(exc))]
    results = []
    for result in parse_upload(data, path.name):
        member = name if result.name == path.name else f"{name}/{result.name}"
        if result.error is not None:
            results.append(_failure(member, result.error.code, str(result.error.message)))
            continue
        results.extend(_success(member, track, sport) for track in result.tracks)
    return results


class Command(BaseCommand):
    help = (
        "Read GPX, TCX or FIT files (also .gz and ZIP exports) and print, for each file, the "
        "normalised activity: times, distance, climb, pace and splits. Stores nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--sport",
            choices=["walk", "run"],
            help="Treat every activity as this sport instead of what the file says.",
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
            help="Language of the error messages (default: the site's, Vietnamese).",
        )

    def handle(
        self, *args, files: list[Path], sport: str | None, as_json: bool, language: str, **options
    ) -> None:
        with translation.override(language):
            for path in files:
                for result in analyse_path(path, sport):
                    self.stdout.write(_json_line(result) if as_json else _text_line(result))


def _json_line(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False)


def _text_line(result: dict) -> str:
    if not result["ok"]:
        return f"{result['file']}: {result['error']} — {result['message']}"
    pace = result["avg_pace_s_per_km"]
    pace_text = f"{int(pace // 60)}:{int(pace % 60):02d}/km" if pace else "-"
    return (
        f"{result['file']}: {result['sport'] or '?'} {result['start']} "
        f"{result['distance_m']} m in {result['elapsed_s']:.0f} s "
        f"(moving {result['moving_s']:.0f} s, {pace_text}), "
        f"+{result['elevation_gain_m']} m, {result['points']} points"
    )
