"""From a parsed track (or a manual entry) and a campaign to what `judge` needs.

Shared by the upload pipeline, re-judging and `analyse_activity`, so the same
file always gets the same verdict wherever it is judged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from activities.rules import (
    ActivityFacts,
    CountedActivity,
    JudgingContext,
    find_track_anomalies,
)
from activities.track import Track, TrackSummary, gps_cumulative_distance, summarise
from activities.track_checks import GpsJump, remove_gps_jumps
from campaigns.rules import merged_rules

# A file that does not say its sport is taken for a run when its average
# moving pace is faster than this, else for a walk.
GUESS_RUN_PACE_S_PER_KM = 540


def guess_sport(summary: TrackSummary) -> str:
    """The file's own sport, else a guess from its pace (the participant can change it)."""
    if summary.sport in ("run", "walk", "other"):
        return summary.sport
    pace = summary.avg_pace_s_per_km
    return "run" if pace is not None and pace < GUESS_RUN_PACE_S_PER_KM else "walk"


class Judged(NamedTuple):
    """A track as it is judged: without its GPS jumps, its summary, and the jumps."""

    track: Track
    summary: TrackSummary
    jumps: list[GpsJump]


def judged_track(
    track: Track,
    sport: str,
    rules: Mapping[str, Any] | None = None,
    summary: TrackSummary | None = None,
) -> Judged:
    """The track without its isolated GPS jumps (`remove_gps_jumps` with `rules`' limits)
    and its summary: distance, splits and pace as the rules see them. `summary`, the
    recorded track's, is reused when there is no jump."""
    clean, jumps = remove_gps_jumps(track, sport, rules)
    if jumps or summary is None:
        summary = summarise(clean)
    return Judged(clean, summary, jumps)


def facts_from_track(
    track: Track,
    summary: TrackSummary | None,
    sport: str,
    rules: Mapping[str, Any] | None = None,
) -> ActivityFacts:
    """The facts of one track (`summary` is its summary, or None) once its GPS jumps
    are left out, with its vehicle segments, found with `rules`' limits."""
    return facts_of(judged_track(track, sport, rules, summary), sport, rules)


def facts_of(judged: Judged, sport: str, rules: Mapping[str, Any] | None = None) -> ActivityFacts:
    track, summary = judged.track, judged.summary
    jumps, segments = list(judged.jumps), []
    if track.has_gps and len(track) >= 2:
        left, segments = find_track_anomalies(
            track.t - track.t[0], gps_cumulative_distance(track), sport, rules
        )
        jumps += left
    return ActivityFacts(
        sport=sport,
        start=summary.start,
        end=summary.end,
        elapsed_s=int(round(summary.elapsed_s)),
        moving_s=int(round(summary.moving_s)),
        distance_m=summary.distance_m,
        splits_s=tuple(summary.splits_s),
        has_gps=summary.has_gps,
        is_manual=False,
        max_speed_mps=summary.max_speed_mps,
        gps_jumps=tuple(jumps),
        vehicle_segments=tuple(segments),
        device_over_path=device_over_path(track.notes),
    )


def device_over_path(notes) -> tuple[int, int] | None:
    """(device, path) metres from a parser's "device_distance_high" note, if it has one."""
    for entry in notes or ():
        if entry.get("code") == "device_distance_high":
            params = entry.get("params") or {}
            return int(params.get("device_m", 0)), int(params.get("path_m", 0))
    return None


def context_for_campaign(
    campaign,
    *,
    registered_at: datetime | None = None,
    received_at: datetime | None = None,
    credited_by_day: Mapping[date, int] | None = None,
    accepted: Sequence[CountedActivity] = (),
) -> JudgingContext:
    """The judging context of one campaign (a campaigns.models.Campaign)."""
    return JudgingContext(
        campaign_starts_at=campaign.starts_at,
        campaign_ends_at=campaign.ends_at,
        sports=list(campaign.sports),
        rules=merged_rules(campaign.rules),
        registered_at=registered_at,
        received_at=received_at,
        time_zone=campaign.time_zone,
        credited_by_day=dict(credited_by_day or {}),
        accepted=tuple(accepted),
    )
