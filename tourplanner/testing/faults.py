"""Fault injection, shared by tests/hardening/test_faults.py and bench/fault_bench.py.

Nothing here touches the shared services: :class:`PrivateRedis` runs a Redis server of its own
(a free port, a temporary directory, no persistence), and :class:`TcpProxy` sits between the
app and PostgreSQL, so "PostgreSQL refuses connections" only ever happens to the app behind it.
"""

from __future__ import annotations

import contextlib
import select
import shutil
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05):
    """Poll *predicate* until it returns something truthy; return that.

    :raise TimeoutError: naming *what* after *timeout* seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout} s")
        time.sleep(interval)


class PrivateRedis:
    """A redis-server of our own on 127.0.0.1: a free port, no persistence, data in *folder*.

    :meth:`stop` kills it (its data is gone, as after a crash or a restart without
    persistence); :meth:`start` brings up an empty one on the same port.
    """

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        """Start the server and wait until it answers."""
        from redis import Redis

        command = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.folder),
            "--logfile",
            str(self.folder / "redis.log"),
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = Redis.from_url(self.url, socket_connect_timeout=0.2)

        def answers() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            try:
                return bool(client.ping())
            except Exception:
                return False

        try:
            wait_until(answers, 10, f"redis-server on port {self.port}")
        finally:
            client.close()
        return self

    def stop(self) -> None:
        """Kill the server (SIGKILL: like a crash; it had no persistence, so its data is gone)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class TcpProxy:
    """A TCP forwarder on 127.0.0.1 (a free port) to *target*, that can refuse and restore.

    :meth:`refuse` stops listening (new connections are refused) and cuts every open
    connection; :meth:`restore` listens again on the same port.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None
        self._closed = False
        #: connections accepted since the start (for reports)
        self.accepted = 0
        self.restore()

    # -- control -----------------------------------------------------------------------------

    @property
    def refusing(self) -> bool:
        """Whether the proxy refuses connections right now."""
        return self._listener is None

    def restore(self) -> None:
        """Listen (again) on the proxy's port."""
        with self._lock:
            if self._listener is not None:
                return
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(64)
            listener.settimeout(0.05)
            self._listener = listener
        self._accepting = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._accepting.start()

    def refuse(self) -> None:
        """Stop listening and cut every open connection (each end sees a reset)."""
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, []
        if listener is not None:
            listener.close()
        if self._accepting is not None:
            self._accepting.join(timeout=2)
        for pair in pairs:
            for sock in pair:
                _cut(sock)

    def close(self) -> None:
        """Refuse for good."""
        self._closed = True
        self.refuse()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- forwarding --------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            with self._lock:
                if self._listener is not listener:
                    return
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    _reset(client)
                    _reset(upstream)
                    return
                self._pairs.append((client, upstream))
                self.accepted += 1
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        other = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 0.5)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    other[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                if (a, b) in self._pairs:
                    self._pairs.remove((a, b))
            _reset(a)
            _reset(b)


_LINGER_0 = struct.pack("ii", 1, 0)


def _cut(sock: socket.socket) -> None:
    """Cut *sock* off: no more data either way (its pump thread wakes up and closes it)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_0)
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _reset(sock: socket.socket) -> None:
    """Close *sock* with a reset (SO_LINGER 0), as a crashed peer would."""
    _cut(sock)
    with contextlib.suppress(OSError):
        sock.close()


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections and never answers (a hung OSRM)."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        """Stop and drop every held connection."""
        self._stop = True
        self.listener.close()
        for conn in self.held:
            _reset(conn)
