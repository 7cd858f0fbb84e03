#!/usr/bin/python3
"""Failovers as clients see them, side by side on loopback.

For each setup a fresh group: a redis-server master with two replicas and three
sentinels (quorum 2, down-after-milliseconds 1000, failover-timeout 10000):

  proxy     three sentinel-proxy processes (the sentinel inside); writer i uses proxy
            i % 3 (so in `planned` some write through proxies that do not lead it), the
            churn client proxy 1
  sentinel  three redis-sentinel processes; clients use redis-py's Sentinel (master_for)
  haproxy   three redis-sentinel processes doing the failover; clients use HAProxy,
            which checks `role:master` on the three redis-servers every 100 ms

and for each scenario:

  kill      SIGKILL the master; once a new master is known, restart the old one
  stop      SIGSTOP the master; once a new master is known, SIGCONT it
  planned   SENTINEL FAILOVER on the first sentinel

WRITERS threads each RPUSH an increasing counter over their own connection and record
every acknowledged value; a churn client opens a new connection every 50 ms for each
write. Printed per setup and scenario: the window (fault to the first acknowledged write
sent after it, worst writer), error replies, disconnects, acknowledged writes missing
from the final master once replication settled (writers, churn client), and whether the
old master came back as a replica.

  bench/failover_bench.py [--binary build/sentinel-proxy] [--setups proxy,sentinel,haproxy]
                          [--scenarios kill,stop,planned]
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import redis
import redis.sentinel

WRITERS = 4
DOWN_AFTER_MS = 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except (redis.RedisError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


class Group:
    """The processes of one setup, stopped by pid whatever happens."""

    def __init__(self, setup, binary):
        self.setup = setup
        self.dir = tempfile.mkdtemp(prefix="sp-failover-bench-")
        self.procs = {}
        self.master_port = free_port()
        self.replica_ports = [free_port(), free_port()]
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.client_port = None
        self.client_ports = []  # proxy: every proxy's client port, the first one's first
        self.start_redis(self.master_port)
        for port in self.replica_ports:
            self.start_redis(port, ["--replicaof", "127.0.0.1", str(self.master_port)])
        for i, port in enumerate(self.sentinel_ports):
            conf = os.path.join(self.dir, f"sentinel-{port}.conf")
            lines = [f"sentinel monitor mymaster 127.0.0.1 {self.master_port} 2",
                     f"sentinel down-after-milliseconds mymaster {DOWN_AFTER_MS}",
                     "sentinel failover-timeout mymaster 10000"]
            if setup == "proxy":
                client_port = free_port()
                if i == 0:
                    self.client_port = client_port
                self.client_ports.append(client_port)
                lines += [f"port {client_port}", f"sentinel-port {port}", "metrics-port 0",
                          f"logfile {self.dir}/proxy-{port}.log"]
                cmd = [binary, conf]
            else:
                lines += [f"port {port}", f"logfile {self.dir}/sentinel-{port}.log"]
                cmd = ["redis-sentinel", conf]
            with open(conf, "w") as f:
                f.write("\n".join(lines) + "\n")
            self.spawn(f"sentinel-{port}", cmd)
        if setup == "haproxy":
            self.client_port = free_port()
            self.start_haproxy()
        for port in self.sentinel_ports:
            wait_for("sentinel port", lambda: redis.Redis(port=port).ping(), 10)

    def spawn(self, name, cmd):
        log = open(os.path.join(self.dir, name + ".out"), "w")
        self.procs[name] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=self.dir)

    def start_redis(self, port, extra=()):
        self.spawn(f"redis-{port}", ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no", "--dir", self.dir,
                                     "--dbfilename", f"dump-{port}.rdb",
                                     "--repl-diskless-sync-delay", "0", *extra])
        wait_for(f"redis on {port}", lambda: redis.Redis(port=port).ping(), 10)

    def start_haproxy(self):
        servers = "\n".join(
            f"  server r{port} 127.0.0.1:{port} check inter 100 fall 1 rise 1"
            for port in [self.master_port] + self.replica_ports)
        cfg = f"""global
  maxconn 4096
defaults
  mode tcp
  timeout connect 1s
  timeout client 60s
  timeout server 60s
frontend redis
  bind 127.0.0.1:{self.client_port}
  default_backend masters
backend masters
  option tcp-check
  tcp-check send PING\\r\\n
  tcp-check expect string +PONG
  tcp-check send info\\ replication\\r\\n
  tcp-check expect string role:master
  tcp-check send QUIT\\r\\n
  tcp-check expect string +OK
{servers}
"""
        path = os.path.join(self.dir, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(cfg)
        self.spawn("haproxy", ["haproxy", "-f", path, "-db"])

    def signal_redis(self, port, sig):
        self.procs[f"redis-{port}"].send_signal(sig)

    def kill_redis(self, port):
        p = self.procs[f"redis-{port}"]
        p.kill()
        p.wait()

    def ready(self):
        for port in self.replica_ports:
            role = redis.Redis(port=port).execute_command("ROLE")
            if role[3] != b"connected":
                return False
        for port in self.sentinel_ports:
            m = redis.Redis(port=port, decode_responses=True).execute_command(
                "SENTINEL", "MASTER", "mymaster")
            fields = dict(zip(m[::2], m[1::2]))
            if fields["num-other-sentinels"] != "2" or fields["num-slaves"] != "2":
                return False
        return True

    def master_addr(self):
        a = redis.Redis(port=self.sentinel_ports[0], decode_responses=True).execute_command(
            "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
        return int(a[1])

    def client(self, index=0):
        if self.setup == "sentinel":
            s = redis.sentinel.Sentinel([("127.0.0.1", p) for p in self.sentinel_ports],
                                        socket_timeout=0.5)
            return s.master_for("mymaster", socket_timeout=0.5, socket_connect_timeout=0.5)
        port = self.client_ports[index % len(self.client_ports)] if self.client_ports else \
            self.client_port
        return redis.Redis(port=port, socket_timeout=5, socket_connect_timeout=1)

    def stop(self, keep):
        for p in self.procs.values():
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGCONT)
                    p.kill()
                except OSError:
                    pass
                p.wait()
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


class Writer(threading.Thread):
    """RPUSHes an increasing counter; records acknowledged values and their times."""

    def __init__(self, group, key, churn=False, index=0):
        super().__init__(daemon=True)
        self.group, self.key, self.churn, self.index = group, key, churn, index
        self.acked = []  # (value, time acknowledged, time sent)
        self.errors = 0
        self.disconnects = 0
        self.stopping = False

    def run(self):
        client = self.group.client(self.index)
        n = 0
        while not self.stopping:
            n += 1
            if self.churn:
                client = self.group.client(self.index)
            sent = time.monotonic()
            try:
                client.rpush(self.key, n)
                self.acked.append((n, time.monotonic(), sent))
            except redis.ResponseError:
                self.errors += 1
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                self.disconnects += 1
                time.sleep(0.01)
                client = self.group.client(self.index)
            if self.churn:
                client.close()
                time.sleep(0.05)

    def window_after(self, fault):
        after = [ack for (_, ack, sent) in self.acked if sent >= fault]
        return (min(after) - fault) if after else float("inf")


def run_scenario(setup, scenario, binary, keep):
    g = Group(setup, binary)
    try:
        wait_for("discovery and replica sync", g.ready, 30)
        if setup == "haproxy":
            wait_for("haproxy", lambda: redis.Redis(port=g.client_port).ping(), 10)
        writers = [Writer(g, f"log:{i}", index=i) for i in range(WRITERS)]
        churn = Writer(g, "log:churn", churn=True)
        for w in writers + [churn]:
            w.start()
        time.sleep(2)
        old = g.master_port
        fault = time.monotonic()
        if scenario == "kill":
            g.kill_redis(old)
        elif scenario == "stop":
            g.signal_redis(old, signal.SIGSTOP)
        else:
            redis.Redis(port=g.sentinel_ports[0]).execute_command("SENTINEL", "FAILOVER",
                                                                  "mymaster")
        wait_for("a new master", lambda: g.master_addr() != old, 30)
        new = g.master_addr()
        # The old master returns while the writers and the churn client keep writing.
        if scenario == "kill":
            g.start_redis(old)
        elif scenario == "stop":
            g.signal_redis(old, signal.SIGCONT)
        returned = time.monotonic()
        # Watch for the old master turning into a replica while the writers go on.
        back_at = None
        while time.monotonic() < returned + 8:
            if back_at is None:
                try:
                    role = redis.Redis(port=old, socket_timeout=0.2).execute_command("ROLE")
                    if role[0] == b"slave":
                        back_at = time.monotonic()
                except redis.RedisError:
                    pass
            time.sleep(0.05)
        for w in writers + [churn]:
            w.stopping = True
        for w in writers + [churn]:
            w.join(10)
        if back_at is None:
            try:
                wait_for("the old master to follow the new one",
                         lambda: redis.Redis(port=old).execute_command("ROLE")[0] == b"slave", 30)
                back_at = time.monotonic()
            except RuntimeError:
                pass
        back = "yes (%.1f s)" % (back_at - returned) if back_at is not None else "no"
        final = redis.Redis(port=new)

        def lost(w):
            present = set(int(v) for v in final.lrange(w.key, 0, -1))
            return sum(1 for (v, _, _) in w.acked if v not in present)

        return {
            "window": max(w.window_after(fault) for w in writers),
            "errors": sum(w.errors for w in writers + [churn]),
            "disconnects": sum(w.disconnects for w in writers + [churn]),
            "acked": sum(len(w.acked) for w in writers),
            "lost": sum(lost(w) for w in writers),
            "churn_lost": lost(churn),
            "back": back,
        }
    finally:
        g.stop(keep)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/sentinel-proxy")
    ap.add_argument("--setups", default="proxy,sentinel,haproxy")
    ap.add_argument("--scenarios", default="kill,stop,planned")
    ap.add_argument("--keep", action="store_true", help="keep the temp dirs and logs")
    args = ap.parse_args()
    binary = os.path.realpath(args.binary)
    print(f"{'scenario':8} {'setup':9} {'window s':>9} {'errors':>7} {'disconn':>8} "
          f"{'acked':>7} {'lost':>6} {'churn lost':>10}  old master back as replica")
    for scenario in args.scenarios.split(","):
        for setup in args.setups.split(","):
            r = run_scenario(setup, scenario, binary, args.keep)
            print(f"{scenario:8} {setup:9} {r['window']:9.2f} {r['errors']:7d} "
                  f"{r['disconnects']:8d} {r['acked']:7d} {r['lost']:6d} {r['churn_lost']:10d}  "
                  f"{r['back']}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
