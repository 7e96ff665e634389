"""A throwaway PostgreSQL server of the tests' own: a fresh cluster under /tmp, on loopback, removed at the end.

The tests never use a cluster that Debian's `postgresql` package may have started on 5432: one of their own
gives every pytest worker a known superuser password, a port nothing else uses, and settings for tests.

`fsync = off`: data reaches the operating system at every commit as usual, but is not forced onto the disk.
Only a crash of the machine itself could lose it, and no test crashes the machine: the crash tests kill the
app's process, and the reconnection tests stop and restart the server, which writes everything out as it
stops. Forcing each write to disk made every DROP DATABASE at a test's end take 1.3 s instead of 30 ms.

    with PostgresServer() as server:
        server.create_database("aspire_t1")
        url = server.url("aspire_t1")   # postgresql://postgres:<password>@127.0.0.1:<port>/aspire_t1
"""

from __future__ import annotations

import glob
import os
import secrets
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

from tests.ports import HOST, free_port

DROP_BATCH = 25
INSTALL_HINT = "PostgreSQL server not found: install Debian's package: apt-get install postgresql"


def server_bindir() -> Path:
    """The newest installed server's binaries (Debian keeps each major version apart), else `pg_config --bindir`."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    if shutil.which("pg_config"):
        bindir = Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip())
        if (bindir / "initdb").is_file():
            return bindir
    raise RuntimeError(INSTALL_HINT)


class PostgresServer:
    """One cluster in its own folder; the constructor runs initdb, start()/stop()/restart() drive the server."""

    def __init__(self) -> None:
        self.bindir = server_bindir()
        self.password = secrets.token_urlsafe(24)  # URL-safe: goes into url() unquoted
        self.port = free_port()     # kept for the cluster's life: restart() comes back on it
        self.folder = Path(tempfile.mkdtemp(prefix="aspire-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.admin_url = self.url("postgres")
        self.running = False
        self._unused: list[str] = []    # databases given up, dropped in batches (drop_later)
        try:
            self._init_cluster()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def _run(self, tool: str, *args: str) -> None:
        """Run a server tool as the cluster's owner.

        initdb refuses to run as root (a server owned by root could be made to run anything as root), so as root
        the tools run as Debian's `postgres` user: `runuser` switches user without PAM or a password and takes
        argv as it is; `su` through a shell is the fallback where util-linux's runuser is missing.
        """
        argv = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            if shutil.which("runuser"):
                argv = ["runuser", "-u", "postgres", "--", *argv]
            else:
                argv = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(argv)]
        # cwd: the postgres user may not be allowed into the caller's folder.
        done = subprocess.run(argv, cwd=self.folder, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}{log}")

    def _init_cluster(self) -> None:
        """initdb with a password-protected superuser, then the settings the tests need in postgresql.conf."""
        self.folder.chmod(0o755)  # the server's user must reach the socket and log inside; others may read
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        common = ["-D", str(self.data), "-U", "postgres", f"--pwfile={pwfile}", "-E", "UTF8",
                  "--auth-local=trust", "--auth-host=scram-sha-256"]
        try:
            self._run("initdb", *common, "--locale=C.UTF-8")
        except RuntimeError:  # a system without the C.UTF-8 locale
            shutil.rmtree(self.data, ignore_errors=True)
            self._run("initdb", *common, "--no-locale")
        finally:
            pwfile.unlink()
        with (self.data / "postgresql.conf").open("a") as conf:  # the last setting of a name wins
            conf.write(f"\nlisten_addresses = '{HOST}'\nport = {self.port}\n"
                       f"unix_socket_directories = '{self.folder}'\nmax_connections = 200\nshared_buffers = 32MB\n"
                       "fsync = off\nfull_page_writes = off\n")

    def _pg_ctl(self, action: str, *args: str) -> None:
        self._run("pg_ctl", action, "-w", "-t", "60", "-D", str(self.data), *args)

    def start(self) -> None:
        self._pg_ctl("start", "-l", str(self.log))
        self.running = True

    def stop(self) -> None:
        """Fast shutdown: open sessions are cut off (as a server going down would do to the app)."""
        if self.running:
            self._pg_ctl("stop", "-m", "fast")
            self.running = False

    def restart(self) -> None:
        """Same data, same port: connections made before are broken, new ones succeed."""
        self._pg_ctl("restart", "-m", "fast", "-l", str(self.log))
        self.running = True

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, dbname: str, *, password: bool = True) -> str:
        """password=False leaves it to PGPASSWORD or ~/.pgpass, for the tests of those."""
        user = f"postgres:{self.password}" if password else "postgres"
        return f"postgresql://{user}@{HOST}:{self.port}/{dbname}"

    def _admin(self, statement: sql.Composed) -> None:
        """CREATE/DROP DATABASE cannot run inside a transaction: autocommit."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement)

    def create_database(self, name: str, template: str | None = None) -> None:
        """A template copies another database whole (schema and rows): the fast way to a migrated database."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {} STRATEGY FILE_COPY").format(sql.Identifier(template))
        self._admin(statement)

    def drop_database(self, name: str) -> None:
        """FORCE ends sessions still connected (a pool a test left open); a missing database is no error."""
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def drop_later(self, name: str) -> None:
        """Drop a database nobody uses any more, with the next DROP_BATCH of them.

        A CREATE DATABASE right after a DROP DATABASE took 200-300 ms instead of 30 (measured on PostgreSQL 15),
        so dropping each test's database at its end made the next test's copy slow; in batches, only the first
        copy after a batch is.
        """
        self._unused.append(name)
        if len(self._unused) >= DROP_BATCH:
            for unused in self._unused:
                self.drop_database(unused)
            self._unused.clear()

    def __enter__(self) -> PostgresServer:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
