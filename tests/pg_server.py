"""Throw-away PostgreSQL servers for the test suite.

Usage (e.g. in a session-scoped fixture)::

    from tests import pg_server          # or ``import pg_server`` with rootdir on sys.path

    url, reason = pg_server.start_server()
    if url is None:
        pg_server.skip_or_fail(reason)   # pytest.skip, or pytest.fail when required
    try:
        engine = sqlalchemy.create_engine(url)
        ...
    finally:
        pg_server.stop_server(url)

``start_server()`` returns ``(url, "")`` on success, where ``url`` is a
SQLAlchemy URL ``postgresql+psycopg://annotator@127.0.0.1:PORT/DBNAME``, or
``(None, reason)`` with a human-readable reason when no server can be started
(binaries missing, initdb failed, ...).

Environment variables:

``ANNOTATOR_TEST_PG_URL``
    Use this URL instead of starting a server (``stop_server`` is then a no-op).
``ANNOTATOR_TEST_PG_BINDIR``
    Directory holding ``initdb``/``pg_ctl``/``postgres`` (default: found on
    PATH, else the newest ``/usr/lib/postgresql/*/bin``).
``ANNOTATOR_TEST_PG_REQUIRED``
    When set to a true value (``.ci/run`` sets it), ``skip_or_fail`` fails the
    test instead of skipping it, so CI cannot go green with PostgreSQL tests
    silently skipped.

Each server gets its own temporary directory (data directory, log and Unix
socket) and its own free TCP port on 127.0.0.1, so several pytest processes may
run at the same time. PostgreSQL refuses to run as root: when the effective
uid is 0, ``initdb`` and ``pg_ctl`` are run as the ``postgres`` system user via
``runuser`` (the user is created with ``useradd --system`` when missing).

Only the standard library is needed at import time; ``psycopg`` is used (if
importable) to create the test database when no ``createdb`` binary exists.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DB_USER",
    "DEFAULT_DBNAME",
    "ENV_BINDIR",
    "ENV_REQUIRED",
    "ENV_URL",
    "find_bindir",
    "skip_or_fail",
    "start_server",
    "stop_all",
    "stop_server",
]

ENV_URL = "ANNOTATOR_TEST_PG_URL"
ENV_BINDIR = "ANNOTATOR_TEST_PG_BINDIR"
ENV_REQUIRED = "ANNOTATOR_TEST_PG_REQUIRED"

DB_USER = "annotator"  # database superuser created by initdb
DEFAULT_DBNAME = "annotator_test"
OS_USER_WHEN_ROOT = "postgres"  # system user that runs the server when we are root

_STEP_TIMEOUT = 120.0  # seconds for initdb / createdb / stop
_PORT_ATTEMPTS = 5  # another process may grab our free port before postgres binds it


@dataclass
class _Server:
    url: str
    base: Path  # temp dir: data/, server.log, Unix socket
    bindir: Path
    run_as: str | None  # OS user the server runs as (None = current user)


_servers: dict[str, _Server] = {}
_lock = threading.Lock()


# --------------------------------------------------------------------------- helpers
def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _version_key(path: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); 9.6 -> (9, 6)
    m = re.search(r"/postgresql/([0-9][0-9.]*)/bin/?$", path)
    if not m:
        return (0,)
    return tuple(int(p) for p in m.group(1).split(".") if p)


def find_bindir() -> tuple[Path | None, str]:
    """Return (directory with initdb, pg_ctl and postgres, "") or (None, reason)."""
    needed = ("initdb", "pg_ctl", "postgres")

    def complete(d: Path) -> bool:
        return all(os.access(d / n, os.X_OK) for n in needed)

    env_dir = os.environ.get(ENV_BINDIR)
    if env_dir:
        d = Path(env_dir)
        if complete(d):
            return d, ""
        return None, f"{ENV_BINDIR}={env_dir} does not contain all of {', '.join(needed)}"

    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        # Debian puts symlinks (or nothing) on PATH; the real dir holds postgres too.
        candidates.append(Path(os.path.realpath(on_path)).parent)
        candidates.append(Path(on_path).parent)
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        candidates.append(Path(d))
    for d in candidates:
        if complete(d):
            return d, ""
    return None, (
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH or "
        "under /usr/lib/postgresql/*/bin; install Debian's 'postgresql' package, or set "
        f"{ENV_URL} to an existing database"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_os_user(name: str) -> str:
    """Make sure system user ``name`` exists; return "" or a reason."""
    import pwd

    try:
        pwd.getpwnam(name)
        return ""
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    try:
        proc = subprocess.run(
            [
                useradd,
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"running as root and no '{name}' user exists; useradd failed: {exc}"
    if proc.returncode != 0:
        try:
            pwd.getpwnam(name)  # a parallel process may have created it
            return ""
        except KeyError:
            return (
                f"running as root and no '{name}' user exists; "
                f"useradd failed: {proc.stderr.strip()}"
            )
    return ""


def _cmd(argv: list[str], run_as: str | None) -> list[str]:
    if run_as is None:
        return argv
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", run_as, "--", *argv]


def _run(argv: list[str], run_as: str | None, cwd: Path, timeout: float) -> tuple[int, str]:
    """Run a command; return (returncode, combined output). Never raises for failures."""
    # Output goes to a temp file rather than a pipe: a daemon that inherited
    # the pipe would otherwise keep us waiting for EOF.
    env = dict(os.environ)
    env.update(LC_ALL="C", LANG="C")
    for var in ("PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGOPTIONS"):
        env.pop(var, None)
    with tempfile.TemporaryFile(mode="w+") as out:
        try:
            proc = subprocess.run(
                _cmd(argv, run_as),
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            rc = -1
            out.write(f"\n[timed out after {timeout:.0f}s]")
        except OSError as exc:
            rc = -1
            out.write(f"\n[could not run {argv[0]}: {exc}]")
        out.seek(0)
        return rc, out.read()


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _make_base_dir(run_as: str | None) -> tuple[Path | None, str]:
    """Create the per-server temp dir, owned by ``run_as`` when given."""
    parents = [None] if run_as is None else [None, "/tmp"]
    reason = ""
    for parent in parents:
        base = Path(tempfile.mkdtemp(prefix="annotator-pg-", dir=parent))
        if run_as is None:
            return base, ""
        try:
            import pwd

            pw = pwd.getpwnam(run_as)
            os.chown(base, pw.pw_uid, pw.pw_gid)
        except (OSError, KeyError) as exc:
            shutil.rmtree(base, ignore_errors=True)
            return None, f"cannot hand {base} to user {run_as}: {exc}"
        # The parent of the temp dir must be traversable by that user (TMPDIR
        # might be under /root); otherwise retry under /tmp.
        rc, out = _run(["test", "-w", str(base)], run_as, Path("/"), 30)
        if rc == 0:
            return base, ""
        reason = f"user {run_as} cannot write to {base}: {_tail(out)}"
        shutil.rmtree(base, ignore_errors=True)
    return None, reason


def _postmaster_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


# --------------------------------------------------------------------------- API
def start_server(dbname: str = DEFAULT_DBNAME, timeout: float = 60.0) -> tuple[str | None, str]:
    """Start a throw-away PostgreSQL server with an empty database ``dbname``.

    Returns ``(url, "")`` or ``(None, reason)``. Honours ``ANNOTATOR_TEST_PG_URL``.
    ``timeout`` bounds the wait for the server to accept connections.
    """
    external = os.environ.get(ENV_URL, "").strip()
    if external:
        return external, ""

    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", dbname):
        raise ValueError(f"unsupported database name: {dbname!r}")

    bindir, reason = find_bindir()
    if bindir is None:
        return None, reason

    run_as: str | None = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        run_as = OS_USER_WHEN_ROOT
        if not (shutil.which("runuser") or os.path.exists("/usr/sbin/runuser")):
            return None, (
                "running as root, but 'runuser' (util-linux) is not available to drop privileges"
            )
        reason = _ensure_os_user(run_as)
        if reason:
            return None, reason

    base, reason = _make_base_dir(run_as)
    if base is None:
        return None, reason
    data = base / "data"
    log = base / "server.log"

    ok = False
    try:
        rc, out = _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                DB_USER,
                "-A",
                "trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
                "--no-instructions",
            ],
            run_as,
            base,
            _STEP_TIMEOUT,
        )
        if rc != 0 and "--no-instructions" in out:  # PostgreSQL < 13 lacks the flag
            rc, out = _run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    DB_USER,
                    "-A",
                    "trust",
                    "--encoding=UTF8",
                    "--no-locale",
                    "--no-sync",
                ],
                run_as,
                base,
                _STEP_TIMEOUT,
            )
        if rc != 0:
            return None, f"initdb failed (exit {rc}):\n{_tail(out)}"

        port = 0
        last = ""
        for _ in range(_PORT_ATTEMPTS):
            port = _free_port()
            opts = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-p {port}",
                    f"-c unix_socket_directories={shlex.quote(str(base))}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=50",
                    "-c shared_buffers=32MB",
                ]
            )
            rc, out = _run(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    str(int(max(timeout, 1))),
                    "start",
                ],
                run_as,
                base,
                timeout + 30,
            )
            if rc == 0:
                break
            try:
                log_text = log.read_text(errors="replace")
            except OSError:
                log_text = ""
            last = (
                f"pg_ctl start failed (exit {rc}):\n{_tail(out)}\n"
                f"--- server log:\n{_tail(log_text)}"
            )
            pid = _postmaster_pid(data)
            if pid:  # half-started server: make sure it is gone before retrying
                _run(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                    run_as,
                    base,
                    60,
                )
            if "could not bind" not in log_text and "Address already in use" not in log_text:
                break
        if rc != 0:
            return None, last

        url = f"postgresql+psycopg://{DB_USER}@127.0.0.1:{port}/{dbname}"
        srv = _Server(url=url, base=base, bindir=bindir, run_as=run_as)
        with _lock:
            _servers[url] = srv

        reason = _wait_ready(srv, port, timeout)
        if not reason:
            reason = _create_db(srv, port, dbname)
        if reason:
            stop_server(url)
            return None, reason
        ok = True
        return url, ""
    finally:
        if not ok and not any(s.base == base for s in _servers.values()):
            _kill_leftover(data)
            shutil.rmtree(base, ignore_errors=True)


def _wait_ready(srv: _Server, port: int, timeout: float) -> str:
    pg_isready = srv.bindir / "pg_isready"
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if os.access(pg_isready, os.X_OK):
            rc, last = _run(
                [
                    str(pg_isready),
                    "-q",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    DB_USER,
                    "-d",
                    "postgres",
                    "-t",
                    "5",
                ],
                None,
                srv.base,
                30,
            )
            if rc == 0:
                return ""
        else:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    return ""
            except OSError as exc:
                last = str(exc)
        time.sleep(0.2)
    return f"PostgreSQL on 127.0.0.1:{port} not ready after {timeout:.0f}s: {last.strip()}"


def _create_db(srv: _Server, port: int, dbname: str) -> str:
    createdb = srv.bindir / "createdb"
    if os.access(createdb, os.X_OK):
        rc, out = _run(
            [
                str(createdb),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                DB_USER,
                "-E",
                "UTF8",
                "-T",
                "template0",
                dbname,
            ],
            None,
            srv.base,
            _STEP_TIMEOUT,
        )
        if rc == 0:
            return ""
        return f"createdb {dbname} failed (exit {rc}):\n{_tail(out)}"
    try:
        import psycopg
    except ImportError:
        return "no 'createdb' binary and psycopg is not installed: cannot create the test database"
    try:
        with psycopg.connect(
            host="127.0.0.1",
            port=port,
            user=DB_USER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        ) as conn:
            conn.execute(f"CREATE DATABASE \"{dbname}\" ENCODING 'UTF8' TEMPLATE template0")
    except Exception as exc:  # any failure becomes a reason string
        return f"creating database {dbname} failed: {exc}"
    return ""


def _kill_leftover(data: Path) -> None:
    pid = _postmaster_pid(data)
    if not pid:
        return
    for sig in (signal.SIGQUIT, signal.SIGKILL):  # SIGQUIT = immediate shutdown
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            return
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def stop_server(url: str | None) -> None:
    """Stop a server started by ``start_server`` and delete its files.

    A no-op for ``None``, for ``ANNOTATOR_TEST_PG_URL`` and for unknown URLs.
    """
    if not url:
        return
    with _lock:
        srv = _servers.pop(url, None)
    if srv is None:
        return
    data = srv.base / "data"
    rc, _ = _run(
        [str(srv.bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"],
        srv.run_as,
        srv.base,
        _STEP_TIMEOUT,
    )
    if rc != 0:
        _kill_leftover(data)
    shutil.rmtree(srv.base, ignore_errors=True)


def stop_all() -> None:
    """Stop every server this process started (registered with atexit)."""
    with _lock:
        urls = list(_servers)
    for url in urls:
        stop_server(url)


atexit.register(stop_all)


def skip_or_fail(reason: str) -> None:
    """``pytest.skip(reason)``, or ``pytest.fail`` when ``ANNOTATOR_TEST_PG_REQUIRED`` is set."""
    import pytest

    if _truthy(os.environ.get(ENV_REQUIRED)):
        pytest.fail(
            f"PostgreSQL is required here ({ENV_REQUIRED} is set) but: {reason}", pytrace=False
        )
    pytest.skip(reason)


def _serve() -> int:
    """``python -m tests.pg_server``: one server for a whole job (e.g. ``.ci/mutation``).

    Prints the server's URL (or ``no server: REASON``) on one line, then keeps it running
    until its standard input is closed, and stops it.
    """
    import sys

    url, reason = start_server()
    if url is None:
        print(f"no server: {reason.splitlines()[0] if reason else 'unknown reason'}", flush=True)
        return 1
    print(url, flush=True)
    try:
        sys.stdin.read()  # until the job closes our stdin (or exits)
    finally:
        stop_server(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(_serve())
