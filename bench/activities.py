"""How fast and how lean the activity pipeline reads GPX, FIT and TCX files.

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

FIT and TCX: the same throughput measure on the FIT and TCX samples, against a plain
fitdecode read of the same FIT files (every frame, CRC unchecked, as our fallback
reads) and a bare lxml parse of the same TCX bytes; for FIT the fast reader's content
is also compared with fitdecode's on every file (the same records, sessions, sport
and device; past damage where fitdecode stops, the same up to there). Memory: a
generated 24-hour FIT at 1 Hz.

GPS jitter: synthetic phone walks whose true length is known, with standing pauses
and a drifting GPS error, measured raw and with two light smoothings, to see whether
smoothing brings the distance closer to the truth.

Prints one JSON object per line.
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
FIXTURES = ROOT / "activities" / "tests" / "files"
SAMPLES = ROOT.parent / "shared" / "samples"
SAMPLE_DIRS = (FIXTURES, SAMPLES / "gpx")
TARGET_FIT_RATIO = 3.0  # ours at least this many times as many FIT files per second…
TARGET_TCX_RATIO = 2.0  # …and TCX in at most this many times a bare lxml parse
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


def gpx_samples(suffix: str = "gpx") -> list[tuple[str, bytes]]:
    """Every distinct sample of a format, read into memory, in name order."""
    seen: dict[str, tuple[str, bytes]] = {}
    for folder in (FIXTURES, SAMPLES / suffix):
        for path in sorted(folder.glob(f"*.{suffix}")):
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


def plain_fitdecode(name: str, data: bytes) -> None:
    import io

    import fitdecode

    reader = fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.DISABLED,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    try:
        for _frame in reader:
            pass
    except Exception:  # a damaged file: fitdecode stops there, as our fallback does
        pass


def bare_lxml_tcx(name: str, data: bytes) -> None:
    from lxml import etree

    etree.fromstring(data.lstrip())


def _compare(files, reference) -> tuple[list, dict, int]:
    compared, excluded, points = [], {}, 0
    for name, data in files:
        try:
            count = ours(name, data)
        except Exception as exc:  # a parse error: the file is listed, not compared
            excluded[name] = f"ours: {getattr(exc, 'code', type(exc).__name__)}"
            continue
        try:
            reference(name, data)
        except Exception as exc:
            excluded[name] = f"reference: {type(exc).__name__}"
            continue
        compared.append((name, data))
        points += count
    return compared, excluded, points


def _best(compared, pipelines) -> dict[str, float]:
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
    return best


def same_fit_answers(files) -> dict:
    """Whether the fast FIT reader reads what fitdecode reads, file by file."""
    import numpy as np

    from activities.parsers import fit, fit_reader

    verdicts = {}
    for name, data in files:
        fast = fit_reader.read(data)
        if fast is None:
            verdicts[name] = "read by fitdecode"
            continue
        slow = fit.read_fitdecode(data)
        count = len(slow.records["t"])
        same = (fast.sessions, fast.device, fast.sport) == (slow.sessions, slow.device, slow.sport)
        same &= all(
            np.array_equal(fast.records[k][:count], v, equal_nan=True)
            for k, v in slow.records.items()
        )
        if not same:
            verdicts[name] = "different"
        elif len(fast.records["t"]) == count:
            verdicts[name] = "same"
        else:
            verdicts[name] = f"same, then {len(fast.records['t']) - count} records past damage"
    return verdicts


def format_throughput(suffix: str, reference, target: float) -> dict:
    """FIT against a plain fitdecode read (ratio of files per second, at least the target),
    TCX against a bare lxml parse (ratio of times, at most the target)."""
    compared, excluded, points = _compare(gpx_samples(suffix), reference)
    best = _best(compared, {"ours": ours, "reference": reference})
    ratio = best["reference"] / best["ours"]
    result = {
        "benchmark": f"activities_{suffix}_throughput",
        "files": len(compared),
        "points": points,
        "megabytes": round(sum(len(data) for _n, data in compared) / 1e6, 2),
        "ours_ms_per_pass": round(best["ours"] * 1000, 2),
        "reference_ms_per_pass": round(best["reference"] * 1000, 2),
        "reference": "fitdecode read" if suffix == "fit" else "bare lxml parse",
        "rounds": ROUNDS,
        "excluded": excluded,
    }
    if suffix == "fit":
        answers = same_fit_answers(compared)
        result.update(
            ours_over_fitdecode=round(ratio, 2),
            ours_over_fitdecode_target=target,
            ours_over_fitdecode_ok=ratio >= target,
            answers=answers,
            same_answers=all(v != "different" for v in answers.values()),
        )
    else:
        result.update(
            ours_time_over_lxml_time=round(1 / ratio, 2),
            ours_time_over_lxml_time_target=target,
            ours_time_over_lxml_time_ok=1 / ratio <= target,
        )
    return result


def throughput() -> dict:
    compared, excluded, points = _compare(gpx_samples(), with_gpxpy)
    pipelines = {"ours": ours, "gpxpy": with_gpxpy, "lxml": bare_lxml}
    best = _best(compared, pipelines)

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
    (parsed,) = parse_upload(data, path)
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


def day_fit(path: Path) -> None:
    """The same 24 hours at 1 Hz as a watch's FIT file: records with position,
    altitude, heart rate and the watch's distance, and one session."""
    import numpy as np

    from activities.tests.fitfiles import SEMICIRCLES, SPORTS, FitWriter, fit_time

    rng = np.random.default_rng(24)
    n = DAY_POINTS
    speed = np.clip(1.4 + np.cumsum(rng.normal(0, 0.01, n)) % 0.4 - 0.2, 1.2, 1.6)
    speed[(np.arange(n) % 3600) >= 3300] = 0.0
    heading = np.cumsum(rng.normal(0, 0.05, n))
    north = np.cumsum(speed * np.cos(heading)) + gps_noise(rng, n)
    east = np.cumsum(speed * np.sin(heading)) + gps_noise(rng, n)
    lat = 10.7769 + north / 111_320
    lon = 106.7009 + east / (111_320 * np.cos(np.radians(10.7769)))
    start = fit_time(datetime(2025, 3, 1, tzinfo=UTC).timestamp())
    distance = np.cumsum(speed)
    writer = FitWriter()
    writer.add("file_id", type=4, manufacturer=1, product=1, time_created=start)
    for i in range(n):
        writer.add(
            "record",
            timestamp=start + i,
            position_lat=int(lat[i] * SEMICIRCLES),
            position_long=int(lon[i] * SEMICIRCLES),
            altitude=8 + 6 * np.sin(i / 900),
            heart_rate=110 + i % 30,
            distance=float(distance[i]),
        )
    writer.add(
        "session",
        timestamp=start + n - 1,
        start_time=start,
        sport=SPORTS["walking"],
        total_elapsed_time=float(n - 1),
        total_distance=float(distance[-1]),
    )
    path.write_bytes(writer.encode())


def memory(kind: str = "gpx") -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"day.{kind}"
        (day_gpx if kind == "gpx" else day_fit)(path)
        size = path.stat().st_size
        baseline = min(child("baseline", path)["maxrss_kb"] for _ in range(3))
        runs = [child("rss", path) for _ in range(3)]
        traced = child("tracemalloc", path)
    peak = min(run["maxrss_kb"] for run in runs)
    delta_mb = (peak - baseline) / 1024
    traced_mb = traced["tracemalloc_peak"] / 2**20
    return {
        "benchmark": f"activities_{kind}_24h_memory",
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


def jitter_walk(rng, seconds: int, pauses: int):
    """A phone walk: 1 Hz, 1.3 m/s on a wandering heading, `pauses` stops of two minutes,
    and a GPS error drifting a few metres. Returns (lat, lon, true length in metres)."""
    import numpy as np

    speed = np.full(seconds, 1.3)
    for k in range(pauses):
        at = (k + 1) * seconds // (pauses + 1)
        speed[at : at + 120] = 0.0
    heading = np.cumsum(rng.normal(0, 0.03, seconds))
    north = np.cumsum(speed * np.cos(heading))
    east = np.cumsum(speed * np.sin(heading))
    truth = float(np.hypot(np.diff(north), np.diff(east)).sum())
    north = north + gps_noise(rng, seconds) + rng.normal(0, 0.3, seconds)
    east = east + gps_noise(rng, seconds) + rng.normal(0, 0.3, seconds)
    lat = 10.7769 + north / 111_320
    lon = 106.7009 + east / (111_320 * np.cos(np.radians(10.7769)))
    return lat, lon, truth


def jitter() -> dict:
    """Raw geodesic sum against two light smoothings, on walks of known length."""
    import numpy as np

    from activities.parsers.recording import still_mask
    from activities.track import geodesic_distances

    rng = np.random.default_rng(7)
    errors: dict[str, list[float]] = {"raw": [], "still_5m": [], "mean_5": []}
    for _walk in range(20):
        lat, lon, truth = jitter_walk(rng, 1800, pauses=3)
        raw = float(geodesic_distances(lat, lon).sum())
        # The recorder's own rule: a reading counts once 5 m from the last kept one.
        keep = still_mask(lat, lon, np.zeros(lat.size), np.zeros(lat.size))
        still = float(geodesic_distances(lat[keep], lon[keep]).sum())
        kernel = np.ones(5) / 5
        mean = float(
            geodesic_distances(
                np.convolve(lat, kernel, mode="valid"), np.convolve(lon, kernel, mode="valid")
            ).sum()
        )
        for key, value in (("raw", raw), ("still_5m", still), ("mean_5", mean)):
            errors[key].append((value - truth) / truth * 100)
    return {
        "benchmark": "activities_gps_jitter",
        "walks": 20,
        "walk_s": 1800,
        "note": "error of the distance against the true length, in % (mean, worst)",
        **{
            key: {
                "mean_pct": round(float(np.mean(v)), 2),
                "worst_pct": round(float(max(v, key=abs)), 2),
            }
            for key, v in errors.items()
        },
    }


def main() -> None:
    setup_django()
    print(json.dumps(throughput()), flush=True)
    print(json.dumps(format_throughput("fit", plain_fitdecode, TARGET_FIT_RATIO)), flush=True)
    print(json.dumps(format_throughput("tcx", bare_lxml_tcx, TARGET_TCX_RATIO)), flush=True)
    print(json.dumps(memory("gpx")), flush=True)
    print(json.dumps(memory("fit")), flush=True)
    print(json.dumps(jitter()), flush=True)


if __name__ == "__main__":
    main()
