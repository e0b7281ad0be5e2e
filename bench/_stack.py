"""What surge.py and faults.py share: the production stack started through
scripts/production.py, a campaign seeded for it (bench/_standings_data.py plus the
people who sign in, upload and pay), real GPX files moved to the last hour, signed
VNPay and MoMo results, and a monitor of PostgreSQL's and Redis's connections."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus, urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
PASSWORD = "surge-bench-password-1"
SECRET_KEY = "kindsteps-bench-surge-" + "s" * 40
# Real recordings from the test fixtures (activities/tests/files, with their licences):
# a Garmin run, a Strava run and an Amazfit run.
GPX_FILES = [
    "mapbox-togeojson__run.gpx",
    "mapbox-togeojson__run_gpxtpx.gpx",
    "sports-lib__amazfit.gpx",
]
FIXTURES = ROOT / "activities" / "tests" / "files"
# Merchant keys of the seeded campaign: VNPay's and MoMo's published test keys.
VNPAY_TMN, VNPAY_SECRET = "DEMOV210", "RAOEXHYVSDDIIENYWSLDIIZTANXUXZFJ"
MOMO_PARTNER, MOMO_ACCESS, MOMO_SECRET = (
    "MOMOBKUN20180529",
    "klm05TvNBzhg7h7j",
    "at67qH6mk8w5Y1nAyMoYKMWACiEi2bsa",
)
# The load comes from one address (loopback) standing in for thousands of people: the
# per-IP limits of sign-in and the gateway callbacks would refuse it, so the stack is
# started with them raised (the gateways' addresses are trusted, as in production).
BENCH_ENV = {
    "RATE_LIMIT_LOGIN": "100000/m",
    "RATE_LIMIT_UPLOAD": "100000/h",
    "RATE_LIMIT_IPN_TRUSTED_IPS": "127.0.0.1",
}


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin_sql(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def recreate_database(server_url: str, name: str) -> str:
    admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(server_url, f'CREATE DATABASE "{name}"')
    return with_database(server_url, name)


def stack_env(database_url: str, redis_url: str, var_dir: Path, extra=None) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET_KEY,
        "KINDSTEPS_VAR_DIR": str(var_dir / "var"),
        "STATIC_ROOT": str(var_dir.parent / "static"),  # kept between runs
        "HUEY_IMMEDIATE": "0",
        "DEBUG": "0",
        **BENCH_ENV,
        **(extra or {}),
    }
    env.pop("KINDSTEPS_TESTING", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def setup_django(env: dict) -> None:
    for key in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "KINDSTEPS_VAR_DIR", "STATIC_ROOT"):
        os.environ[key] = env[key]
    os.environ["DJANGO_SETTINGS_MODULE"] = "kindsteps.settings"
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.path.insert(0, str(ROOT))
    Path(env["KINDSTEPS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def production(env: dict, run_dir: Path, *args: str, timeout: float = 400) -> dict:
    done = subprocess.run(
        [str(PYTHON), str(ROOT / "scripts" / "production.py"), "--run-dir", str(run_dir), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if done.returncode:
        raise SystemExit(f"scripts/production {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


def stack_up(env: dict, run_dir: Path, port: int, web: int, workers: int) -> dict:
    # The static files are collected every time (quick when nothing changed): a manifest
    # left by an earlier run would lack what the templates ask for since.
    options = ["--port", str(port), "--web", str(web), "--workers", str(workers)]
    return production(env, run_dir, "up", *options)


def stack_down(env: dict, run_dir: Path) -> None:
    production(env, run_dir, "down", timeout=120)


def _data_module():
    if "_standings_data" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "_standings_data", HERE / "_standings_data.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["_standings_data"] = module
        spec.loader.exec_module(module)
    return sys.modules["_standings_data"]


def seed(participants: int, *, signed_in: int, uploaders: int, donations: int) -> dict:
    """A live campaign of `participants` people (teams, units, a month of activities
    ending yesterday, its standings built), `signed_in` of them with a password, the
    next `uploaders` with an API token, and `donations` donations waiting for payment.
    Needs setup_django on an empty database."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import ApiToken, User
    from campaigns.models import Campaign, Registration, RegistrationStatus
    from donations import services
    from donations.models import Donation, DonationStatus, Method
    from standings.models import Standing
    from standings.rebuild import rebuild_campaign

    call_command("migrate", verbosity=0)
    data = _data_module()
    began = time.perf_counter()
    campaign = data.generate(participants / data.PARTICIPANTS, log=lambda *a: None)
    now = timezone.now()
    # The generated month moved to end yesterday; the campaign open from then to after now.
    shift = (now - timedelta(days=1)) - (data.STARTS + timedelta(days=data.DAYS))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activity SET started_at = started_at + %s, "
            "ended_at = ended_at + %s, received_at = received_at + %s, "
            "created_at = created_at + %s",
            [shift] * 4,
        )
        cursor.execute("UPDATE activities_verdict SET judged_at = judged_at + %s", [shift])
        cursor.execute(
            "UPDATE campaigns_registration SET registered_at = registered_at + %s, "
            "rules_accepted_at = rules_accepted_at + %s, withdrawn_at = withdrawn_at + %s",
            [shift] * 3,
        )
    # update(): no rules_changed signal (nothing to judge again: the verdicts stand).
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_at=now - timedelta(days=data.DAYS + 1),
        ends_at=now + timedelta(days=2),
        registration_opens_at=now - timedelta(days=data.DAYS + 10),
        registration_closes_at=now + timedelta(days=2),
    )
    campaign.refresh_from_db()
    rebuild_campaign(campaign, fix=True)
    active = list(
        Registration.objects.filter(campaign=campaign, status=RegistrationStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", "user_id")
    )
    if len(active) < signed_in + uploaders:
        raise SystemExit(f"{participants} participants are too few for the load asked")
    hasher = PBKDF2PasswordHasher()
    people = []
    for _registration, user_id in active[:signed_in]:
        user = User.objects.get(pk=user_id)
        # A cheap hash: signing in is measured once, not the hasher's cost.
        user.password = hasher.encode(PASSWORD, f"surge{user_id}", iterations=1000)
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        people.append({"user": user_id, "email": user.email})
    before = dict(
        Standing.objects.filter(campaign=campaign).values_list("registration_id", "distance_m")
    )
    tokens = []
    for registration_id, user_id in active[signed_in : signed_in + uploaders]:
        _token, raw = ApiToken.issue(User(pk=user_id), "surge")
        tokens.append(
            {
                "user": user_id,
                "registration": registration_id,
                "token": raw,
                "before_m": before.get(registration_id, 0),
            }
        )
    settings = services.settings_for(campaign)
    settings.methods = [Method.VNPAY, Method.MOMO]
    settings.vnpay_tmn_code, settings.vnpay_hash_secret = VNPAY_TMN, VNPAY_SECRET
    settings.momo_partner_code, settings.momo_access_key = MOMO_PARTNER, MOMO_ACCESS
    settings.momo_secret_key = MOMO_SECRET
    settings.save()
    rng = random.Random(7)
    pending = Donation.objects.bulk_create(
        Donation(
            campaign=campaign,
            amount=rng.choice([20_000, 50_000, 100_000, 200_000, 500_000]),
            method=Method.VNPAY if i % 2 == 0 else Method.MOMO,
            status=DonationStatus.PENDING,
            donor_name=f"Nhà hảo tâm {i}",
        )
        for i in range(donations)
    )
    return {
        "campaign": campaign.slug,
        "campaign_id": campaign.pk,
        "participants": len(active),
        "teams": campaign.teams.count() if hasattr(campaign, "teams") else None,
        "activities": _count("activities_activity"),
        "units": _count("orgs_unit"),
        "signed_in": people,
        "uploaders": tokens,
        "donations": [
            {"id": d.pk, "reference": d.reference, "amount": d.amount, "method": d.method}
            for d in pending
        ],
        "seed_s": round(time.perf_counter() - began, 1),
    }


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


# --- Uploads ----------------------------------------------------------------------

TIME = re.compile(rb"<time>([^<]+)</time>")


class Recordings:
    """The fixture GPX files, each time moved so that it ends a few minutes ago: every
    upload is new bytes (a new activity), within the campaign and its sync window."""

    def __init__(self, seed: int = 3):
        self.files = [(name, (FIXTURES / name).read_bytes()) for name in GPX_FILES]
        self.rng = random.Random(seed)
        self.count = 0

    def next(self) -> tuple[str, bytes]:
        name, data = self.files[self.count % len(self.files)]
        self.count += 1
        times = [_parse_time(m.group(1)) for m in TIME.finditer(data)]
        last = max(t for t in times if t is not None)
        end = datetime.now(UTC) - timedelta(minutes=5, seconds=self.rng.randrange(3000))
        shift = end - last

        def moved(match: re.Match) -> bytes:
            moment = _parse_time(match.group(1))
            if moment is None:
                return match.group(0)
            return b"<time>" + (moment + shift).strftime("%Y-%m-%dT%H:%M:%SZ").encode() + b"</time>"

        return f"surge-{self.count}-{name}", TIME.sub(moved, data)


def _parse_time(raw: bytes) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.decode().strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- Gateways' callbacks, signed as VNPay and MoMo publish -------------------------


def vnpay_ipn(donation: dict, transaction: str) -> str:
    """The IPN's query string for a paid VNPay donation."""
    params = {
        "vnp_Amount": str(donation["amount"] * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": f"Ung ho ma {donation['reference']}",
        "vnp_PayDate": datetime.now(UTC).strftime("%Y%m%d%H%M%S"),
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": VNPAY_TMN,
        "vnp_TransactionNo": transaction,
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": donation["reference"],
    }
    data = "&".join(f"{key}={quote_plus(params[key])}" for key in sorted(params))
    signature = hmac.new(VNPAY_SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()
    return f"{data}&vnp_SecureHash={signature}"


def momo_ipn(donation: dict, transaction: str) -> bytes:
    """The IPN's JSON body for a paid MoMo donation."""
    data = {
        "partnerCode": MOMO_PARTNER,
        "orderId": donation["reference"],
        "requestId": f"{donation['reference']}-surge",
        "amount": donation["amount"],
        "orderInfo": f"Ung ho ma {donation['reference']}",
        "orderType": "momo_wallet",
        "transId": int(transaction),
        "resultCode": 0,
        "message": "Successful.",
        "payType": "qr",
        "responseTime": int(time.time() * 1000),
        "extraData": "",
    }
    raw = "&".join(
        f"{key}={MOMO_ACCESS if key == 'accessKey' else data[key]}"
        for key in sorted(["accessKey", *data])
    )
    data["signature"] = hmac.new(MOMO_SECRET.encode(), raw.encode(), hashlib.sha256).hexdigest()
    return json.dumps(data).encode()


def ipn_request(donation: dict, transaction: str) -> tuple[str, str, dict, bytes]:
    """(method, path, headers, body) of the gateway's server-to-server callback."""
    if donation["method"] == "vnpay":
        return "GET", f"/payments/vnpay/ipn/?{vnpay_ipn(donation, transaction)}", {}, b""
    body = momo_ipn(donation, transaction)
    return "POST", "/payments/momo/ipn/", {"Content-Type": "application/json"}, body


def ipn_taken(donation: dict, status: int, body: bytes) -> bool:
    """Whether the gateway would consider its callback acknowledged."""
    if donation["method"] == "vnpay":
        try:
            return status == 200 and json.loads(body)["RspCode"] in ("00", "02")
        except (ValueError, KeyError):
            return False
    return status == 204


# --- Connections of PostgreSQL and Redis ------------------------------------------


class Monitor(threading.Thread):
    """Polls pg_stat_activity and Redis's clients every `every` seconds; keeps the peaks.
    PostgreSQL: this database's connections and the server's, against max_connections.
    Redis: the server's connected_clients against maxclients, and those on the stack's
    database number (CLIENT LIST), for a Redis shared with others."""

    def __init__(self, database_url: str, redis_url: str, every: float = 0.5):
        super().__init__(daemon=True)
        self.database_url, self.redis_url, self.every = database_url, redis_url, every
        self.stopping = threading.Event()
        self.figures = {
            "pg_connections_peak": 0,
            "pg_server_connections_peak": 0,
            "pg_max_connections": None,
            "redis_clients_peak": 0,
            "redis_server_clients_peak": 0,
            "redis_maxclients": None,
            "samples": 0,
            "poll_errors": 0,
        }

    def run(self) -> None:
        import psycopg
        import redis

        name = urlsplit(self.database_url).path.lstrip("/")
        db = int(urlsplit(self.redis_url).path.lstrip("/") or 0)
        pg = None
        client = redis.Redis.from_url(self.redis_url, socket_timeout=2)
        while not self.stopping.is_set():
            try:
                if pg is None or pg.closed:
                    pg = psycopg.connect(
                        with_database(self.database_url, "postgres"), autocommit=True
                    )
                    self.figures["pg_max_connections"] = int(
                        pg.execute("SHOW max_connections").fetchone()[0]
                    )
                mine, total = pg.execute(
                    "SELECT count(*) FILTER (WHERE datname = %s), count(*) "
                    "FROM pg_stat_activity WHERE backend_type = 'client backend'",
                    [name],
                ).fetchone()
                self._peak("pg_connections_peak", mine)
                self._peak("pg_server_connections_peak", total)
            except Exception:
                self.figures["poll_errors"] += 1
                pg = None
            try:
                if self.figures["redis_maxclients"] is None:
                    self.figures["redis_maxclients"] = int(
                        client.config_get("maxclients")["maxclients"]
                    )
                self._peak("redis_server_clients_peak", client.info("clients")["connected_clients"])
                self._peak(
                    "redis_clients_peak",
                    sum(1 for c in client.client_list() if int(c.get("db", -1)) == db),
                )
            except Exception:
                self.figures["poll_errors"] += 1
            self.figures["samples"] += 1
            self.stopping.wait(self.every)
        if pg is not None:
            pg.close()

    def _peak(self, key: str, value: int) -> None:
        self.figures[key] = max(self.figures[key], int(value))

    def stop(self) -> dict:
        self.stopping.set()
        self.join(timeout=10)
        return dict(self.figures)
