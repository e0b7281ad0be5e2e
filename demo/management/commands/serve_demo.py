"""Serve the demo: the web server and the job worker side by side; one Ctrl-C
stops both."""

import contextlib
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development web server and the huey worker together."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, addr: str, port: str, **options):
        manage = [sys.executable, "manage.py"]
        worker = subprocess.Popen([*manage, "run_huey", "--quiet"])
        web = subprocess.Popen([*manage, "runserver", "--noreload", f"{addr}:{port}"])
        self.stdout.write(f"KindSteps is serving on http://{addr}:{port}/ — Ctrl-C stops it.")
        try:
            while True:
                for proc, name in ((web, "web server"), (worker, "job worker")):
                    if proc.poll() is not None:
                        self.stderr.write(f"The {name} stopped (exit {proc.returncode}).")
                        return
                with contextlib.suppress(subprocess.TimeoutExpired):
                    web.wait(timeout=1)
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
            for proc in (web, worker):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
