"""Serve the demo: the web server and the job worker side by side; one Ctrl-C
(or one SIGTERM) stops both."""

import contextlib
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the development web server and the huey worker together."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, addr: str, port: str, **options):
        # A shell starts background commands (`make demo &`) with SIGINT ignored,
        # and ignored signals pass on to children: neither child would stop.
        # Catching the signals here makes both children start with the default
        # disposition again, and lets SIGTERM stop the demo as Ctrl-C does.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)

        manage = [sys.executable, "manage.py"]
        worker = subprocess.Popen([*manage, "run_huey", "--quiet"])
        web = subprocess.Popen([*manage, "runserver", "--noreload", f"{addr}:{port}"])
        self.stdout.write(f"KindSteps is serving on http://{addr}:{port}/ — Ctrl-C stops it.")
        stopped = None
        try:
            while stopped is None:
                for proc, name in ((web, "web server"), (worker, "job worker")):
                    if proc.poll() is not None:
                        stopped = f"The {name} stopped (exit {proc.returncode})."
                        break
                else:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        web.wait(timeout=1)
        except KeyboardInterrupt:
            pass
        finally:
            # A second Ctrl-C while the children shut down must not cut it short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
            for proc in (web, worker):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if stopped:
            raise CommandError(stopped)
        self.stdout.write("KindSteps demo stopped.")
