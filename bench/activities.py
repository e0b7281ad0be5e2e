"""How fast and how lean the activity pipeline reads GPX files.

Throughput, measured in one run on the same GPX sample files held in memory:
our pipeline up to judging (parse_upload + summarise + facts_from_track with the
default rules), a plain gpxpy pipeline (parse, moving data, 3D length, climb)
and a bare lxml parse of the same bytes. Only files that both our parser and
gpxpy read are compared; the others are listed with their error. Each figure
is the best of several rounds, the three pipelines taking turns in each round.

Memory: a generated 24-hour GPX at 1 Hz (86,400 walking points) is parsed and
summarised in a fresh subprocess; its peak resident memory (VmHWM) is reported
against that of a subprocess that only imports the same modules, together with
the tracemalloc peak (which sees Python and numpy allocations but not libxml2's).

Prints two JSON objects, one per line.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIRS = (ROOT / "activities" / "tests" / "files", ROOT.parent / "shared" / "samples" / "gpx")
ROUNDS = 7
ROUND_MIN_S = 0.25  # each pipeline repeats its pass over the files for at least this long
TARGET_GPXPY_RATIO = 10.0  # ours at least this many times as many files per second as gpxpy…
TARGET_BARE_RATIO = 2.0  # …and taking at most this many times a bare lxml parse
TARGET_PEAK_MB = 150.0
DAY_POINTS = 86_400


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindsteps.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def gpx_samples() -> list[tuple[str, bytes]]:
    """Every distinct GPX sample, read into memory, in name order."""
    seen: dict[str, tuple[str, bytes]] = {}
    for folder in SAMPLE_DIRS:
        for path in sorted(folder.glob("*.gpx")):
            data = path.read_bytes()
            seen.setdefault(hashlib.sha256(data).hexdigest(), (path.name, data))
    return sorted(seen.values())


@functools.cache
def default_rules() -> dict:
    from campaigns.rules import merged_rules

    return merged_rules(None)


def ours(name: str, data: bytes) -> int:
    from activities.facts import facts_from_track, guess_sport
    from activities.parsers import parse_upload
    from activities.track import summarise

    rules = default_rules()
    points = 0
    for result in parse_upload(data, name):
        if result.error is not None:
            raise result.error
        for track in result.tracks:
            summary = summarise(track)
            facts_from_track(track, summary, guess_sport(summary), rules)
            points += summary.points
    return points


def with_gpxpy(name: str, data: bytes) -> None:
    import gpxpy

    gpx = gpxpy.parse(data.decode("utf-8"))
    gpx.get_moving_data()
    gpx.length_3d()
    gpx.get_uphill_downhill()


def bare_lxml(name: str, data: bytes) -> None:
    from lxml import etree

    etree.fromstring(data)


def throughput() -> dict:
    files = gpx_samples()
    compared, excluded, points = [], {}, 0
    for name, data in files:
        try:
            count = ours(name, data)
        except Exception as exc:  # a parse error: the file is listed, not compared
            excluded[name] = f"ours: {getattr(exc, 'code', type(exc).__name__)}"
            continue
        try:
            with_gpxpy(name, data)
        except Exception as exc:
            excluded[name] = f"gpxpy: {type(exc).__name__}"
            continue
        compared.append((name, data))
        points += count

    pipelines = {"ours": ours, "gpxpy": with_gpxpy, "lxml": bare_lxml}
    best = dict.fromkeys(pipelines, float("inf"))
    for _round in range(ROUNDS):
        for key, run in pipelines.items():
            passes, started = 0, time.perf_counter()
            while True:
                for name, data in compared:
                    run(name, data)
                passes += 1
                elapsed = time.perf_counter() - started
                if elapsed >= ROUND_MIN_S:
                    break
            best[key] = min(best[key], elapsed / passes)

    per_s = {key: len(compared) / seconds for key, seconds in best.items()}
    gpxpy_ratio = per_s["ours"] / per_s["gpxpy"]
    bare_ratio = best["ours"] / best["lxml"]
    return {
        "benchmark": "activities_gpx_throughput",
        "files": len(compared),
        "points": points,
        "megabytes": round(sum(len(data) for _n, data in compared) / 1e6, 2),
        "ours_files_per_s": round(per_s["ours"], 1),
        "gpxpy_files_per_s": round(per_s["gpxpy"], 1),
        "lxml_files_per_s": round(per_s["lxml"], 1),
        "ours_ms_per_pass": round(best["ours"] * 1000, 2),
        "gpxpy_ms_per_pass": round(best["gpxpy"] * 1000, 2),
        "lxml_ms_per_pass": round(best["lxml"] * 1000, 2),
        "ours_over_gpxpy": round(gpxpy_ratio, 2),
        "ours_over_gpxpy_target": TARGET_GPXPY_RATIO,
        "ours_over_gpxpy_ok": gpxpy_ratio >= TARGET_GPXPY_RATIO,
        "ours_time_over_lxml_time": round(bare_ratio, 2),
        "ours_time_over_lxml_time_target": TARGET_BARE_RATIO,
        "ours_time_over_lxml_time_ok": bare_ratio <= TARGET_BARE_RATIO,
        "rounds": ROUNDS,
        "excluded": excluded,
    }


def gps_noise(rng, n: int):
    """GPS error drifts rather than jumps: a slow random walk held to about 3 m."""
    import numpy as np

    noise = np.cumsum(rng.normal(0, 0.3, n))
    # Pull the walk back towards zero over ~10 minutes so it never wanders off.
    trend = np.convolve(noise, np.ones(600) / 600, mode="same")
    return noise - trend


def day_gpx(path: Path) -> None:
    """24 hours at 1 Hz of someone walking: 1.2–1.6 m/s on a wandering heading,
    standing still now and then, a gently rolling climb and a drifting GPS error."""
    import numpy as np

    rng = np.random.default_rng(24)
    n = DAY_POINTS
    speed = np.clip(1.4 + np.cumsum(rng.normal(0, 0.01, n)) % 0.4 - 0.2, 1.2, 1.6)
    # A 5-minute pause about every hour.
    speed[(np.arange(n) % 3600) >= 3300] = 0.0
    heading = np.cumsum(rng.normal(0, 0.05, n))
    north = np.cumsum(speed * np.cos(heading)) + gps_noise(rng, n)
    east = np.cumsum(speed * np.sin(heading)) + gps_noise(rng, n)
    lat = 10.7769 + north / 111_320
    lon = 106.7009 + east / (111_320 * np.cos(np.radians(10.7769)))
    ele = 8 + 6 * np.sin(np.arange(n) / 900) + rng.normal(0, 0.5, n)
    start = datetime(2025, 3, 1, tzinfo=UTC).timestamp()
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gpx version="1.1" creator="KindSteps bench" '
            'xmlns="http://www.topografix.com/GPX/1/1">\n'
            "<trk><name>24 hours</name><type>walking</type><trkseg>\n"
        )
        for i in range(n):
            moment = datetime.fromtimestamp(start + i, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            fh.write(
                f'<trkpt lat="{lat[i]:.7f}" lon="{lon[i]:.7f}">'
                f"<ele>{ele[i]:.1f}</ele><time>{moment}</time></trkpt>\n"
            )
        fh.write("</trkseg></trk>\n</gpx>\n")


CHILD = """
import json, resource, sys, time, tracemalloc
sys.path.insert(0, {root!r})
from activities.parsers import parse_upload
from activities.track import summarise
mode, path = sys.argv[1], sys.argv[2]
result = {{}}
if mode != "baseline":
    data = open(path, "rb").read()
    if mode == "tracemalloc":
        tracemalloc.start()
    started = time.perf_counter()
    (parsed,) = parse_upload(data, "day.gpx")
    parsed_at = time.perf_counter()
    (summary,) = [summarise(track) for track in parsed.tracks]
    done = time.perf_counter()
    if mode == "tracemalloc":
        result["tracemalloc_peak"] = tracemalloc.get_traced_memory()[1]
    result.update(
        parse_s=parsed_at - started, total_s=done - started,
        points=summary.points, distance_m=summary.distance_m,
    )
# VmHWM is this program's own peak: ru_maxrss would also count the parent's
# memory copied by fork before exec.
try:
    status = open("/proc/self/status").read()
    result["maxrss_kb"] = int(status.split("VmHWM:")[1].split()[0])
except (OSError, IndexError):
    result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(result))
"""


def child(mode: str, path: Path) -> dict:
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "kindsteps.settings"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(done.stdout)


def memory() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "day.gpx"
        day_gpx(path)
        size = path.stat().st_size
        baseline = min(child("baseline", path)["maxrss_kb"] for _ in range(3))
        runs = [child("rss", path) for _ in range(3)]
        traced = child("tracemalloc", path)
    peak = min(run["maxrss_kb"] for run in runs)
    delta_mb = (peak - baseline) / 1024
    traced_mb = traced["tracemalloc_peak"] / 2**20
    return {
        "benchmark": "activities_gpx_24h_memory",
        "points": runs[0]["points"],
        "file_megabytes": round(size / 1e6, 2),
        "distance_m": runs[0]["distance_m"],
        "parse_s": round(min(run["parse_s"] for run in runs), 3),
        "parse_summarise_s": round(min(run["total_s"] for run in runs), 3),
        "baseline_rss_mb": round(baseline / 1024, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_over_baseline_mb": round(delta_mb, 1),
        "tracemalloc_peak_mb": round(traced_mb, 1),
        "target_mb": TARGET_PEAK_MB,
        "ok": max(delta_mb, traced_mb) < TARGET_PEAK_MB,
    }


def main() -> None:
    setup_django()
    print(json.dumps(throughput()), flush=True)
    print(json.dumps(memory()), flush=True)


if __name__ == "__main__":
    main()
