"""The production stack on one machine, in one command (docs/deployment.md).

    scripts/production up [--web N] [--workers N] [--port P] [--s3] [--env-file FILE]
    scripts/production status
    scripts/production down

`up` checks PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), migrates, collects the static
files, then starts N gunicorn web nodes, N huey workers and nginx in front of them (on
127.0.0.1:P; the nodes on P+1…), and with --s3 a local S3 server (moto, on P+10) holding
the originals and media. It returns once /healthz answers 200 through nginx, printing one
JSON line (the URL, the processes and their logs); `down` stops what `up` started. The
state lives in --run-dir (default var/production), so scripts can drive the stack:
bench/ and the tests start it, load it and stop it.

On a server of its own, the systemd units in deploy/systemd/ run the same processes; the
compose file deploy/compose.yaml runs them in containers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
BIN = PYTHON.parent
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "local.conf.template"
START_TIMEOUT = 120  # seconds for the whole stack to answer /healthz
STOP_TIMEOUT = 20  # seconds a process gets to finish its work before it is killed
S3_OFFSET = 10  # moto's port, after the proxy's and the web nodes'
DEFAULT_BUCKET = "kindsteps"
# Media on the local disk are served by nginx itself (on S3, the bucket's signed URLs).
MEDIA_LOCATION = """
        location /media/ {{
            alias {media}/;
            expires 1h;
        }}
        location /media/originals/ {{
            deny all;
        }}"""


class StackError(Exception):
    pass


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def stack_env(args: argparse.Namespace, run_dir: Path) -> dict[str, str]:
    env = {**os.environ}
    if args.env_file:
        env.update(read_env_file(Path(args.env_file)))
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not env.get(name):
            raise StackError(
                f"{name} is not set: the production stack runs on PostgreSQL and Redis"
            )
    if not env["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        raise StackError("DATABASE_URL must point at PostgreSQL (postgres://…)")
    site = f"http://127.0.0.1:{args.port}"
    env.setdefault("SITE_URL", site)
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("KINDSTEPS_VAR_DIR", str(run_dir / "var"))
    env.setdefault("LOG_FORMAT", "json")
    env.setdefault("DEBUG", "0")
    # Two processes of four threads per node unless told otherwise (deploy/gunicorn.conf.py).
    env.setdefault("WEB_CONCURRENCY", "2")
    env["DJANGO_SETTINGS_MODULE"] = "kindsteps.settings"
    if env["SITE_URL"].startswith("http://"):
        # Plain HTTP on this machine: a browser would not send back a Secure cookie.
        env.setdefault("SECURE_COOKIES", "0")
    if args.s3:
        env.setdefault("S3_BUCKET", DEFAULT_BUCKET)
        env["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{args.port + S3_OFFSET}"
        env.setdefault("S3_REGION", "us-east-1")
        env.setdefault("AWS_ACCESS_KEY_ID", "kindsteps-local")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "kindsteps-local")
    return env


def manage(env: dict[str, str], *command: str) -> None:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise StackError(f"manage.py {' '.join(command)} failed:\n{result.stderr[-3000:]}")


def spawn(name: str, command: list[str], env: dict[str, str], run_dir: Path) -> dict:
    log = run_dir / "logs" / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: `down` stops it and its children
        )
    return {"name": name, "pid": process.pid, "log": str(log)}


def wait_for(url: str, timeout: float, processes: list[dict]) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        for process in processes:
            if not alive(process["pid"]):
                raise StackError(f"{process['name']} stopped; see {process['log']}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = f"{exc.code}: {exc.read()[:500]!r}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.3)
    raise StackError(f"{url} did not answer 200 within {timeout:.0f} s ({last})")


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def make_bucket(env: dict[str, str]) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        region_name=env["S3_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    if env["S3_BUCKET"] not in existing:
        client.create_bucket(Bucket=env["S3_BUCKET"])


def nginx_config(args: argparse.Namespace, run_dir: Path, env: dict[str, str]) -> Path:
    upstreams = "\n".join(
        f"    server 127.0.0.1:{args.port + i} max_fails=3 fail_timeout=5s;"
        for i in range(1, args.web + 1)
    )
    media = Path(env.get("MEDIA_ROOT") or Path(env["KINDSTEPS_VAR_DIR"]) / "media")
    media_block = "" if args.s3 else MEDIA_LOCATION.format(media=media)
    # nginx's workers run as the user who starts the stack, so that they can write their
    # buffers into the run directory and read the media (started by root, they would
    # otherwise drop to nobody).
    user = "user root;" if os.geteuid() == 0 else ""
    text = NGINX_TEMPLATE.read_text().format(
        run=run_dir, port=args.port, upstreams=upstreams, media=media_block, user=user
    )
    path = run_dir / "nginx.conf"
    path.write_text(text)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / "nginx" / temp).mkdir(parents=True, exist_ok=True)
    return path


def check_ports_free(ports: list[int]) -> None:
    """Refuse to start beside something already listening: /healthz would answer for it."""
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As the servers will: a port left in TIME_WAIT by a stack just stopped is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as exc:
                raise StackError(f"port {port} is taken ({exc.strerror}); choose --port") from exc


def up(args: argparse.Namespace) -> dict:
    run_dir = Path(args.run_dir).resolve()
    state_file = run_dir / "state.json"
    if state_file.exists() and any(alive(p["pid"]) for p in read_state(run_dir)["processes"]):
        raise StackError(f"a stack is already running from {run_dir}; stop it first")
    if shutil.which("nginx") is None:
        raise StackError("nginx is not installed: run scripts/production-packages.sh")
    ports = [args.port + i for i in range(args.web + 1)]
    check_ports_free(ports + ([args.port + S3_OFFSET] if args.s3 else []))
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    env = stack_env(args, run_dir)
    Path(env["KINDSTEPS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    processes: list[dict] = []
    state = {
        "url": f"http://127.0.0.1:{args.port}",
        "run_dir": str(run_dir),
        "processes": processes,
    }
    try:
        if args.s3:
            moto = spawn(
                "s3",
                [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(args.port + S3_OFFSET)],
                env,
                run_dir,
            )
            processes.append(moto)
            state_file.write_text(json.dumps(state))
            wait_for(f"{env['S3_ENDPOINT_URL']}/moto-api/", 20, processes)
            make_bucket(env)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v0")
        if not args.skip_static:
            manage(env, "collectstatic", "--noinput", "-v0")
        for i in range(1, args.web + 1):
            metrics_dir = run_dir / f"prometheus-web{i}"
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir()
            node_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
            command = [
                str(BIN / "gunicorn"),
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{args.port + i}",
                "kindsteps.wsgi",
            ]
            processes.append(spawn(f"web{i}", command, node_env, run_dir))
        for i in range(1, args.workers + 1):
            command = [str(PYTHON), "manage.py", "run_huey"]
            if i > 1:
                # One scheduler for the periodic jobs; the other workers only work.
                command.append("--no-periodic")
            processes.append(spawn(f"worker{i}", command, env, run_dir))
        config = nginx_config(args, run_dir, env)
        processes.append(
            spawn(
                "nginx",
                [
                    "nginx",
                    "-p",
                    str(run_dir),
                    "-c",
                    str(config),
                    "-e",
                    str(run_dir / "logs" / "nginx-error.log"),
                ],
                env,
                run_dir,
            )
        )
        state_file.write_text(json.dumps(state))
        wait_for(f"{state['url']}/healthz", START_TIMEOUT, processes)
    except BaseException:
        stop(processes)
        state_file.unlink(missing_ok=True)
        raise
    return state


def read_state(run_dir: Path) -> dict:
    state_file = run_dir / "state.json"
    if not state_file.exists():
        return {"processes": []}
    return json.loads(state_file.read_text())


def stop(processes: list[dict], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM to each process group (gunicorn and huey finish the work in hand), then
    SIGKILL to whatever is still there after the timeout."""
    for process in reversed(processes):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process["pid"], signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        while time.monotonic() < deadline:
            try:
                pid, _status = os.waitpid(process["pid"], os.WNOHANG)
            except ChildProcessError:
                pid = 0 if alive(process["pid"]) else process["pid"]
            if pid:
                break
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process["pid"], signal.SIGKILL)


def down(args: argparse.Namespace) -> dict:
    run_dir = Path(args.run_dir).resolve()
    state = read_state(run_dir)
    stop(state["processes"])
    (run_dir / "state.json").unlink(missing_ok=True)
    return {"stopped": [p["name"] for p in state["processes"]]}


def status(args: argparse.Namespace) -> dict:
    state = read_state(Path(args.run_dir).resolve())
    for process in state["processes"]:
        process["alive"] = alive(process["pid"])
    return state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/production", description=__doc__.split("\n")[0])
    parser.add_argument("--run-dir", default=str(ROOT / "var" / "production"))
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="start the stack and wait until it is healthy")
    start.add_argument("--web", type=int, default=1, help="gunicorn web nodes (default 1)")
    start.add_argument("--workers", type=int, default=1, help="huey workers (default 1)")
    start.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    start.add_argument("--s3", action="store_true", help="originals and media on local S3 (moto)")
    start.add_argument("--env-file", help="KEY=VALUE lines (deploy/production.env.example)")
    start.add_argument("--skip-static", action="store_true", help="reuse the collected files")
    commands.add_parser("status", help="the processes and whether they run")
    commands.add_parser("down", help="stop the stack")
    args = parser.parse_args(argv)
    try:
        result = {"up": up, "down": down, "status": status}[args.command](args)
    except StackError as exc:
        print(f"scripts/production: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
