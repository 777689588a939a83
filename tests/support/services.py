"""Private Redis and PostgreSQL servers for the fault tests, on this engineer's ports.

The shared servers (PostgreSQL 5432, Redis 6379) are never stopped: other people's tests use them.
These start throwaway instances in a temporary directory and always stop them again.
"""
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# 8150-8159 belong to this suite's fault tests (one port per kind of server).
REDIS_PORT = int(os.environ.get("FAULT_REDIS_PORT", "8150"))
CELERY_REDIS_PORT = int(os.environ.get("FAULT_CELERY_REDIS_PORT", "8151"))
PG_PORT = int(os.environ.get("FAULT_PG_PORT", "8152"))
WEB_PORT = int(os.environ.get("FAULT_WEB_PORT", "8153"))


def wait_for_port(port: int, *, timeout: float = 20.0, up: bool = True) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.1)
    raise TimeoutError(f"port {port} did not {'open' if up else 'close'} within {timeout}s")


class PrivateRedis:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_for_port(self.port, up=False)


@contextlib.contextmanager
def private_redis(port: int = REDIS_PORT):
    redis = PrivateRedis(port).start()
    try:
        yield redis
    finally:
        redis.stop()


class PrivatePostgres:
    """A cluster of its own (initdb) run as the ``postgres`` OS user: initdb refuses root."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="tr-fault-pg-"))
        self.data = self.dir / "data"

    def _as_postgres(self, *command, check=True):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], check=check, capture_output=True, text=True, timeout=120)

    def init(self):
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                          "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8")
        return self

    def pg_ctl(self, action: str, *extra):
        return self._as_postgres(
            str(PG_BIN / "pg_ctl"), action, "-D", str(self.data), "-w", "-t", "60", "-l", str(self.dir / "log"),
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on", *extra,
        )

    def psql(self, sql: str, db: str = "postgres"):
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db,
                               "-v", "ON_ERROR_STOP=1", "-qtAc", sql], check=True, capture_output=True,
                              text=True).stdout.strip()

    def destroy(self):
        if (self.data / "postmaster.pid").exists():
            self._as_postgres(str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def private_postgres(port: int = PG_PORT):
    pg = PrivatePostgres(port).init()
    pg.pg_ctl("start")
    try:
        yield pg
    finally:
        pg.destroy()
