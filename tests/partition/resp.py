"""A small RESP2 client: one blocking socket, exact replies, errors as values.

The harness and the writers use it instead of redis-py so that what the checker records
is the reply the proxy sent, byte for byte: an error reply is an `Error` value (never
an exception), and every network failure is one `ConnectionFailed` with a kind the
report can count (`timeout`, `refused`, `reset`, `closed`, ...).
"""
import errno
import socket


class Error(str):
    """An error reply (`-ERR ...`), kept as its text without the leading '-'."""

    @property
    def kind(self):
        return self.split(" ", 1)[0]


class ConnectionFailed(Exception):
    """The connection could not be made or broke; `kind` names how."""

    def __init__(self, kind, detail=""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


def encode(*args):
    """A command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def failure_kind(exc):
    """A short name for a socket error, for counting errors by kind."""
    if isinstance(exc, socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, ConnectionResetError):
        return "reset"
    if isinstance(exc, BrokenPipeError):
        return "broken-pipe"
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "unreachable"
    return type(exc).__name__


class Client:
    """One connection to host:port; reconnects only when asked to (`connect`)."""

    def __init__(self, host, port, timeout=1.0, connect_timeout=1.0):
        self.host, self.port = host, port
        self.timeout, self.connect_timeout = timeout, connect_timeout
        self.sock = None
        self.buf = b""

    def connect(self):
        self.close()
        try:
            self.sock = socket.create_connection((self.host, self.port),
                                                 timeout=self.connect_timeout)
        except OSError as e:
            self.sock = None
            raise ConnectionFailed("connect-" + failure_kind(e), str(e)) from None
        self.sock.settimeout(self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""

    @property
    def connected(self):
        return self.sock is not None

    def call(self, *args):
        """Sends one command and returns its reply; raises ConnectionFailed (and closes)
        when the connection fails, so the caller knows the outcome is unknown."""
        if self.sock is None:
            self.connect()
        try:
            self.sock.sendall(encode(*args))
            return self._read_reply()
        except ConnectionFailed:
            self.close()
            raise
        except OSError as e:
            self.close()
            raise ConnectionFailed(failure_kind(e), str(e)) from None

    def read(self):
        """The next reply without sending anything (a Pub/Sub message); raises
        ConnectionFailed (and closes) as `call` does, a timeout included."""
        try:
            return self._read_reply()
        except ConnectionFailed:
            self.close()
            raise
        except OSError as e:
            self.close()
            raise ConnectionFailed(failure_kind(e), str(e)) from None

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionFailed("closed", "connection closed by peer")
        self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _read_reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return Error(rest.decode(errors="replace"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self._read_reply() for _ in range(n)]
        raise ConnectionFailed("protocol", repr(line[:80]))


def call_once(host, port, *args, timeout=1.0):
    """One command on a fresh connection (for probes); raises ConnectionFailed."""
    c = Client(host, port, timeout=timeout, connect_timeout=timeout)
    try:
        return c.call(*args)
    finally:
        c.close()


def parse_info(text):
    """INFO's `key:value` lines as a dict (sections and blank lines skipped)."""
    fields = {}
    for line in (text or "").splitlines():
        if line and not line.startswith("#") and ":" in line:
            k, v = line.split(":", 1)
            fields[k] = v
    return fields


def pairs(flat):
    """A flat [k1, v1, k2, v2, ...] array as a dict."""
    return dict(zip(flat[::2], flat[1::2])) if isinstance(flat, list) else {}
