"""gunicorn for KindSteps (docs/decisions/0023-production-server.md).

Threaded workers: a request spends most of its time waiting on PostgreSQL and Redis, so a
few processes with several threads each serve more people in the same memory. Every value
can be set from the environment (docs/deployment.md, "Sizing")."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# An upload of a large archive is read within this; a request that hangs longer is killed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests, so a slow leak never grows for days.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = 500
# Only the reverse proxy on this machine may say which scheme and client a request had.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # core.observability.RequestIdMiddleware logs each request with its id
errorlog = "-"
proc_name = "kindsteps-web"
# gunicorn's control socket (gunicornc) is per user by default; several nodes on one machine
# would share it, so each node names its own or goes without.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def post_worker_init(worker):
    """Load the URLs (every view and the API's schemas) before the first request, which
    would otherwise wait for it."""
    from django.urls import get_resolver

    len(get_resolver().url_patterns)


def child_exit(server, worker):
    """A worker that ends leaves its Prometheus figures behind for the others to add up."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
