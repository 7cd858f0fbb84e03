"""A redis-server or redis-sentinel started on a free loopback port for a generator
script to read from, and stopped afterwards. Standard library only."""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def throwaway_server(kind, port=None):
    """Yields the port of a running `kind` ("redis-server" or "redis-sentinel"): `port`
    itself when given (a server the caller runs), else a new one in a temp dir."""
    if port is not None:
        yield port
        return
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="sp-gen-")
    if kind == "redis-sentinel":
        conf = os.path.join(tmp, "sentinel.conf")
        with open(conf, "w") as f:
            f.write("port %d\nbind 127.0.0.1\ndir %s\n" % (port, tmp))
        argv = ["redis-sentinel", conf]
    else:
        argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", tmp]
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                if time.time() > deadline:
                    sys.exit("%s did not start" % kind)
                time.sleep(0.05)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
