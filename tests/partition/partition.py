#!/usr/bin/python3
"""A partition harness with real links: network namespaces, veth pairs, one bridge, tc.

Every node of a test group (each redis-server, each sentinel-proxy, each client) lives in
its own network namespace `<prefix>-<node>`, joined to the bridge `<prefix>br` by a veth
pair (`<prefix>v<i>` on the bridge, `eth0` in the namespace) with one address of a free
10.<x>.0.0/24. The bridge has .1: the harness talks to every node from there (probes,
offset polling) and no fault ever touches that address, so what the test observes is not
what it breaks.

Faults are directed blocks "src drops everything it sends to dst", installed with tc on
src's eth0, because there is no iptables/nft here and this machine's kernel has
neither sch_netem nor sch_prio nor act_gact (only htb, tbf, fifo, clsact, u32, bpf and
mirred): the root qdisc is an HTB whose unclassified traffic goes
out unshaped, plus one class whose leaf is a `pfifo limit 0` (it drops every packet it is
given); a u32 `match ip dst <ip>/32` filter per blocked destination sends packets there.
ARP is not IP and still passes, as across a real partition where only routing broke.

  cut(node, keep)        node <-> everyone but `keep`
  split(a, b)            every pair across the two sides, both ways
  one_way_loss(src, dst) src -> dst only (dst's packets still reach src)
  netem(node, delay, loss)  every packet node sends delayed and/or dropped at random:
                         `tc qdisc ... netem` where the kernel has it, otherwise a delay
                         line (below)
  heal()                 removes every fault

The delay line, for kernels without sch_netem: in the node's namespace, a clsact egress
filter redirects (mirred) everything eth0 sends into a veth pair `dl0`/`dl1`; a small
process (`partition.py delay-line`) reads the frames from `dl1` with an AF_PACKET
socket, drops the chosen fraction, holds the rest for the delay and sends them out of
eth0 with PACKET_QDISC_BYPASS, which skips the egress filter (so no loop). Checksum and
segmentation offloads are switched off on dl0 and eth0 first (ETHTOOL ioctls; there is
no ethtool binary), so the frames it reads are complete, checksummed and at most one MTU
long. A delayed node cannot also be blocked (its frames bypass the drop qdisc).

Names start with a per-run prefix (`spp<pid>`); `Network.remove_leftovers()` deletes
what a run whose process is gone left behind (its namespaces, the processes in them, its
links), and `Network.destroy()` is idempotent: callers run it in a finally, atexit and
on SIGTERM/SIGINT/SIGHUP.

`python3 partition.py selftest` builds two namespaces, checks a block, its healing and a
200 ms delay with a TCP connect and a PING, and tears everything down;
`python3 partition.py cleanup` removes what dead runs left behind.
"""
import argparse
import atexit
import ctypes
import fcntl
import heapq
import ipaddress
import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp  # noqa: E402

PREFIX_RE = re.compile(r"^spp(\d+)")
BRIDGE_HOST = 1          # the harness's address on the bridge: .1
DROP_CLASS = "1:2"       # the HTB class whose leaf drops everything
IF = "eth0"              # every node's interface, in its own namespace


def run(argv, check=True, timeout=20):
    """Runs a short command (ip, tc); returns (rc, combined output)."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}): {p.stdout.strip()}")
    return p.returncode, p.stdout


def pid_alive(pid):
    """True for a running process; a zombie (killed, not reaped yet) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def die_with_parent():
    """preexec_fn: the child gets SIGKILL if the harness dies (even by SIGKILL), so a
    killed run leaves no redis-server or proxy behind. Children are only spawned from
    the main thread, whose exit is the one PR_SET_PDEATHSIG watches."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def wait_until(what, condition, timeout, interval=0.05):
    """Polls condition() until it returns a true value (returned) or the deadline passes
    (TimeoutError naming `what`). Exceptions from the condition count as "not yet"."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except (resp.ConnectionFailed, OSError, KeyError, ValueError, IndexError) as e:
            last_error = e
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise TimeoutError(f"timed out after {timeout:.1f}s waiting for {what}{detail}")
        time.sleep(interval)


def now_ms():
    """Wall-clock milliseconds: the proxies report unix ms, so every event the checker
    compares is on this clock (one machine, one clock)."""
    return int(time.time() * 1000)


# ---------------------------------------------------------------------------- network

class Network:
    """The namespaces, the bridge and the faults of one run."""

    def __init__(self, nodes, prefix=None):
        self.prefix = prefix or f"spp{os.getpid()}"
        self.nodes = list(nodes)
        self.subnet = None
        self.blocked = set()        # (src, dst) pairs currently dropped
        self.delay_lines = {}       # node -> Popen of its delay line
        self.netem_nodes = set()    # nodes with a real netem root qdisc
        self.created = False

    # -- names and addresses

    def ns(self, node):
        return f"{self.prefix}-{node}"

    def ip(self, node):
        return str(self.subnet.network_address + 2 + self.nodes.index(node))

    @property
    def bridge(self):
        return f"{self.prefix}br"

    @property
    def bridge_ip(self):
        return str(self.subnet.network_address + BRIDGE_HOST)

    def node_of_ip(self, ip):
        for n in self.nodes:
            if self.ip(n) == ip:
                return n
        return ip

    def exec_argv(self, node, argv):
        return ["ip", "netns", "exec", self.ns(node)] + list(argv)

    # -- lifecycle

    @staticmethod
    def remove_leftovers():
        """Deletes what earlier runs left when their process is gone: the processes in
        their namespaces (by pid, as `ip netns pids` lists them), the namespaces, then
        their links. A run that is still alive is left alone."""
        _, out = run(["ip", "netns", "list"], check=False)
        for line in out.splitlines():
            name = line.split()[0] if line.split() else ""
            m = PREFIX_RE.match(name)
            if not m or pid_alive(int(m.group(1))):
                continue
            _, pids = run(["ip", "netns", "pids", name], check=False)
            for pid in pids.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            run(["ip", "netns", "del", name], check=False)
        _, out = run(["ip", "-o", "link", "show"], check=False)
        for line in out.splitlines():
            parts = line.split(": ")
            if len(parts) < 2:
                continue
            name = parts[1].split("@")[0]
            m = PREFIX_RE.match(name)
            if m and not pid_alive(int(m.group(1))):
                run(["ip", "link", "del", name], check=False)

    def pick_subnet(self):
        """A 10.<x>.0.0/24 that no interface or route of this machine uses."""
        _, addrs = run(["ip", "-o", "-4", "addr", "show"], check=False)
        _, routes = run(["ip", "-4", "route", "show", "table", "all"], check=False)
        used = addrs + routes
        start = 200 + os.getpid() % 50
        for k in range(55):
            x = 200 + (start - 200 + k) % 55
            if f"10.{x}." not in used:
                return ipaddress.ip_network(f"10.{x}.0.0/24")
        raise RuntimeError("no free 10.x.0.0/24 subnet between 10.200 and 10.254")

    def create(self):
        # Runs started at once (ctest -j2) take turns to pick a subnet and claim it with
        # the bridge's address, so no two pick the same.
        with open(os.path.join(tempfile.gettempdir(), "spp-subnet.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.subnet = self.pick_subnet()
            self.created = True
            run(["ip", "link", "add", self.bridge, "type", "bridge"])
            run(["ip", "addr", "add", f"{self.bridge_ip}/24", "dev", self.bridge])
        run(["ip", "link", "set", self.bridge, "up"])
        for i, node in enumerate(self.nodes):
            self.add_node(i, node)

    def add_node(self, index, node):
        ns, outside = self.ns(node), f"{self.prefix}v{index}"
        run(["ip", "netns", "add", ns])
        run(["ip", "link", "add", outside, "type", "veth", "peer", "name", IF, "netns", ns])
        run(["ip", "link", "set", outside, "master", self.bridge])
        run(["ip", "link", "set", outside, "up"])
        run(["ip", "-n", ns, "addr", "add", f"{self.ip(node)}/24", "dev", IF])
        run(["ip", "-n", ns, "link", "set", IF, "up"])
        run(["ip", "-n", ns, "link", "set", "lo", "up"])

    def destroy(self):
        """Removes every namespace and link of this run (idempotent). Processes still
        running in a namespace are killed first, by pid."""
        for proc in self.delay_lines.values():
            stop_process(proc)
        self.delay_lines.clear()
        for node in self.nodes:
            ns = self.ns(node)
            _, pids = run(["ip", "netns", "pids", ns], check=False)
            for pid in pids.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            run(["ip", "netns", "del", ns], check=False)
        run(["ip", "link", "del", self.bridge], check=False)
        # The bridge-side veth ends go with their namespace peers, a moment later.
        for i in range(len(self.nodes)):
            run(["ip", "link", "del", f"{self.prefix}v{i}"], check=False)
        self.created = False

    # -- faults

    def tc(self, node, *args, check=True):
        return run(["tc", "-n", self.ns(node)] + list(args), check=check)

    def start_tc_batch(self, node, commands):
        """Starts tc and hands it a batch of commands (`tc -batch`: 36 filters take tens
        of milliseconds, not hundreds; a few kilobytes, which the pipe takes without
        waiting), so that several batches run at once."""
        proc = subprocess.Popen(["tc", "-n", self.ns(node), "-batch", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            proc.stdin.write("\n".join(commands))
            proc.stdin.flush()
        except BrokenPipeError:
            pass  # tc exited already: finish_tc_batch reports what it said
        return proc

    @staticmethod
    def finish_tc_batch(proc, deadline):
        """Waits for a batch until `deadline` (time.monotonic()); "" when it succeeded,
        else what went wrong."""
        try:
            out, _ = proc.communicate(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return "timed out"
        return "" if proc.returncode == 0 else (out.strip() or f"exit {proc.returncode}")

    def block_commands(self, src, dsts):
        """tc commands that make src drop every IP packet it sends to each of dsts."""
        commands = []
        if not any(s == src for s, _ in self.blocked):
            # The HTB root with the dropping class, once per node.
            commands += [
                f"qdisc add dev {IF} root handle 1: htb",
                f"class add dev {IF} parent 1: classid {DROP_CLASS} htb rate 8bit ceil 8bit "
                "quantum 1514",
                f"qdisc add dev {IF} parent {DROP_CLASS} handle 2: pfifo limit 0"]
        for dst in dsts:
            commands.append(f"filter add dev {IF} parent 1: protocol ip prio 1 u32 match ip "
                            f"dst {self.ip(dst)}/32 flowid {DROP_CLASS}")
        return commands

    def block_all(self, pairs):
        """Installs the blocks: one tc process per source, all sources at once, so that a
        fault is in place within about one process start even on a busy machine (one
        after the other, a split of nine nodes once took six seconds under load)."""
        pairs = [p for p in dict.fromkeys(pairs) if p not in self.blocked]
        by_source = {}
        for src, dst in pairs:
            if src in self.netem_nodes or src in self.delay_lines:
                raise RuntimeError(f"{src} is delayed; heal() before blocking it")
            by_source.setdefault(src, []).append(dst)
        # Every batch is started before any is waited for, so they all run at once; every
        # source counts as blocked whatever happened, so heal() removes what went in.
        procs = [(src, self.start_tc_batch(src, self.block_commands(src, dsts)))
                 for src, dsts in by_source.items()]
        deadline = time.monotonic() + 20
        failures = []
        for src, proc in procs:
            out = self.finish_tc_batch(proc, deadline)
            if out:
                failures.append(f"{src}: {out}")
        self.blocked.update(pairs)
        if failures:
            raise RuntimeError("tc -batch failed on " + "; ".join(failures))

    def block(self, src, dst):
        """From now on every IP packet src sends to dst is dropped."""
        self.block_all([(src, dst)])

    def apply_blocks(self, pairs):
        """Blocks between two redis-servers go in last: a reply that still reached a client
        then had its replication stream sent before the replication link broke, so a
        partition never makes a write that the majority side's clients saw acknowledged
        miss the replicas (Redis sends the reply and the replication stream in the same
        event-loop pass)."""
        def between_servers(pair):
            return pair[0].startswith("r") and pair[1].startswith("r")
        self.block_all([p for p in pairs if not between_servers(p)])
        self.block_all([p for p in pairs if between_servers(p)])

    def cut(self, node, keep=()):
        """node can no longer talk to anyone but `keep`, nor anyone to it."""
        others = [n for n in self.nodes if n != node and n not in keep]
        self.apply_blocks([(node, o) for o in others] + [(o, node) for o in others])

    def split(self, side_a, side_b):
        """Nothing crosses between the two sides, either way."""
        self.apply_blocks([(a, b) for a in side_a for b in side_b] +
                          [(b, a) for a in side_a for b in side_b])

    def one_way_loss(self, src, dsts):
        """Everything src sends to each of dsts is lost; the other way still works."""
        dsts = [dsts] if isinstance(dsts, str) else dsts
        self.apply_blocks([(src, d) for d in dsts])

    def netem(self, node, delay_ms=0, loss_pct=0.0, seed=None):
        """Every packet node sends is delayed by delay_ms and dropped with probability
        loss_pct/100: tc netem where the kernel has it, else the delay line."""
        if any(s == node for s, _ in self.blocked):
            raise RuntimeError(f"{node} has blocks; heal() before netem")
        rc, out = self.tc(node, "qdisc", "add", "dev", IF, "root", "netem", "delay",
                          f"{delay_ms}ms", "loss", f"{loss_pct}%", check=False)
        if rc == 0:
            self.netem_nodes.add(node)
            return "netem"
        if "unknown" not in out:
            raise RuntimeError(f"tc netem on {node}: {out.strip()}")
        self.start_delay_line(node, delay_ms, loss_pct, seed)
        return "delay-line"

    def start_delay_line(self, node, delay_ms, loss_pct, seed):
        ns = self.ns(node)
        run(["ip", "-n", ns, "link", "add", "dl0", "type", "veth", "peer", "name", "dl1"])
        run(["ip", "-n", ns, "link", "set", "dl0", "up"])
        run(["ip", "-n", ns, "link", "set", "dl1", "up"])
        argv = [sys.executable, os.path.abspath(__file__), "delay-line", "--out", IF,
                "--tap", "dl1", "--delay-ms", str(delay_ms), "--loss-pct", str(loss_pct),
                "--seed", str(seed if seed is not None else random.randrange(1 << 30))]
        proc = subprocess.Popen(self.exec_argv(node, argv), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        # The line reports "ready" once offloads are off and its socket reads dl1, so
        # no frame is redirected before anyone takes it off dl1.
        line = proc.stdout.readline().decode().strip()
        if line != "ready":
            stop_process(proc)
            raise RuntimeError(f"delay line on {node} did not start: {line!r}")
        self.delay_lines[node] = proc
        self.tc(node, "qdisc", "add", "dev", IF, "clsact")
        self.tc(node, "filter", "add", "dev", IF, "egress", "protocol", "all", "prio", "1",
                "u32", "match", "u32", "0", "0", "action", "mirred", "egress", "redirect",
                "dev", "dl0")

    def heal(self):
        """Removes every fault: the drop qdiscs, netem, the delay lines."""
        nodes = {s for s, _ in self.blocked} | self.netem_nodes
        for node in nodes:
            self.tc(node, "qdisc", "del", "dev", IF, "root", check=False)
        for node, proc in list(self.delay_lines.items()):
            self.tc(node, "qdisc", "del", "dev", IF, "clsact", check=False)
            stop_process(proc)
            run(["ip", "-n", self.ns(node), "link", "del", "dl0"], check=False)
        self.blocked.clear()
        self.netem_nodes.clear()
        self.delay_lines.clear()


def stop_process(proc, grace=2.0):
    """SIGTERM, then SIGKILL after `grace` seconds; always reaps."""
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGCONT)
            proc.terminate()
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        except OSError:
            pass


# -------------------------------------------------------------------------- processes

class Processes:
    """Processes started in the nodes' namespaces, each with its log file, stopped by
    pid whatever happens."""

    def __init__(self, net, workdir):
        self.net, self.workdir = net, workdir
        self.procs = {}     # name -> (Popen, log path)
        self.killed = []

    def spawn(self, name, node, argv, cwd=None):
        log_path = os.path.join(self.workdir, f"{name}.log")
        log = open(log_path, "ab")
        proc = subprocess.Popen(self.net.exec_argv(node, argv), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=cwd or self.workdir, preexec_fn=die_with_parent)
        log.close()
        self.procs[name] = (proc, log_path)
        return proc

    def stop_all(self, grace=0.0):
        for proc, _ in self.procs.values():
            if grace:
                stop_process(proc, grace)
            elif proc.poll() is None:
                proc.kill()
        for proc, _ in self.procs.values():
            proc.wait()

    def kill(self, name):
        """SIGKILL; the process no longer counts as one that exited on its own, and may
        be spawned again under its name."""
        proc, _ = self.procs.pop(name)
        proc.kill()
        proc.wait()
        self.killed.append(proc)

    def exited(self):
        """Names of processes that exited on their own (a crash is a finding)."""
        return {name: p.returncode for name, (p, _) in self.procs.items()
                if p.poll() is not None}

    def log_tails(self, lines=40, names=None):
        out = []
        for name, (_, path) in sorted(self.procs.items()):
            if names and name not in names:
                continue
            try:
                with open(path, "rb") as f:
                    text = f.read().decode(errors="replace").splitlines()
            except OSError:
                continue
            out.append(f"----- {name} ({path}), last {lines} lines")
            out.extend(text[-lines:])
        return "\n".join(out)


# ------------------------------------------------------------------------------ group

REDIS_NODES = ["r1", "r2", "r3"]
PROXY_NODES = ["p1", "p2", "p3"]
CLIENT_NODES = ["c1", "c2", "c3"]   # client ci writes through proxy pi
ALL_NODES = REDIS_NODES + PROXY_NODES + CLIENT_NODES
CLIENT_PORT, SENTINEL_PORT, REDIS_PORT = 26380, 26379, 6379
GROUP = "mymaster"


class Group:
    """One master (r1) and two replicas, three sentinel-proxies (the sentinel inside),
    on a Network; a fresh set of processes and files per scenario."""

    def __init__(self, net, binary, workdir, down_after_ms=1000, failover_timeout_ms=6000,
                 durability="async", stack="sentinel-proxy"):
        self.net, self.binary = net, binary
        # redis-sentinel: p1..p3 run redis-sentinel instead (no client port, no fence), and
        # the clients find the master through them (redis-py), for comparison.
        self.stack = stack
        self.durability = durability   # the proxies' write-durability
        self.down_after_ms, self.failover_timeout_ms = down_after_ms, failover_timeout_ms
        self.workdir = workdir
        self.procs = Processes(net, workdir)
        self.initial_master = "r1"

    def ip(self, node):
        return self.net.ip(node)

    # -- start

    def start(self):
        for node in REDIS_NODES:
            self.start_redis(node, replica_of=None if node == "r1" else "r1")
        # Sentinels learn replicas from the master's INFO, asked every 10 s: with both
        # replicas online before the proxies start, the first INFO names them both.
        wait_until("both replicas online", self.replicas_online, 20, interval=0.05)
        for node in PROXY_NODES:
            self.start_proxy(node)

    def replicas_online(self):
        info = self.redis_info(self.initial_master)
        return all("state=online" in info.get(f"slave{i}", "") for i in range(2))

    def start_redis(self, node, replica_of=None):
        d = os.path.join(self.workdir, node)
        os.makedirs(d, exist_ok=True)
        argv = ["redis-server", "--bind", "0.0.0.0", "--port", str(REDIS_PORT),
                "--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir", d,
                # Diskless full syncs start at once instead of after 5 s, so the group
                # is ready sooner; no safety setting is changed.
                "--repl-diskless-sync-delay", "0"]
        if replica_of:
            argv += ["--replicaof", self.ip(replica_of), str(REDIS_PORT)]
        self.procs.spawn(node, node, argv, cwd=d)

    def proxy_conf(self, node):
        return "\n".join([
            f"bind {self.ip(node)}",
            f"port {CLIENT_PORT}",
            f"sentinel-port {SENTINEL_PORT}",
            "metrics-port 0",
            "protected-mode no",
            "fence-on-minority yes",
            # replica: one replica must have a write before it is acknowledged; all: both.
            "write-durability " + ("async" if self.durability == "async" else "replica"),
            f"write-durability-replicas {2 if self.durability == 'all' else 1}",
            f"sentinel monitor {GROUP} {self.ip('r1')} {REDIS_PORT} 2",
            f"sentinel down-after-milliseconds {GROUP} {self.down_after_ms}",
            f"sentinel failover-timeout {GROUP} {self.failover_timeout_ms}",
        ]) + "\n"

    def sentinel_conf(self, node):
        return "\n".join([
            f"bind {self.ip(node)}",
            f"port {SENTINEL_PORT}",
            f"dir {os.path.join(self.workdir, node)}",
            f"sentinel monitor {GROUP} {self.ip('r1')} {REDIS_PORT} 2",
            f"sentinel down-after-milliseconds {GROUP} {self.down_after_ms}",
            f"sentinel failover-timeout {GROUP} {self.failover_timeout_ms}",
        ]) + "\n"

    def start_proxy(self, node):
        d = os.path.join(self.workdir, node)
        os.makedirs(d, exist_ok=True)
        if self.stack == "redis-sentinel":
            conf = os.path.join(d, "sentinel.conf")   # redis-sentinel rewrites it
            with open(conf, "w") as f:
                f.write(self.sentinel_conf(node))
            self.procs.spawn(node, node, ["redis-sentinel", conf], cwd=d)
            return
        conf = os.path.join(d, "proxy.conf")   # the proxy rewrites it: one per proxy
        with open(conf, "w") as f:
            f.write(self.proxy_conf(node))
        self.procs.spawn(node, node, [self.binary, conf], cwd=d)

    def kill(self, node):
        """SIGKILL, as a crash: no chance to close a connection or save anything."""
        self.procs.kill(node)

    # -- probes (from the bridge address, which no fault touches)

    def redis_info(self, node, timeout=0.5):
        return resp.parse_info(resp.call_once(self.ip(node), REDIS_PORT, "INFO",
                                              "replication", timeout=timeout))

    def sentinel(self, node, *args, timeout=0.5):
        return resp.call_once(self.ip(node), SENTINEL_PORT, *args, timeout=timeout)

    def proxy(self, node, *args, timeout=0.5):
        return resp.call_once(self.ip(node), CLIENT_PORT, *args, timeout=timeout)

    def topology(self, node):
        """PROXY TOPOLOGY as {'master': node name, 'epoch': int, ...} (a redis-sentinel's
        view of the master with the redis-sentinel stack)."""
        if self.stack == "redis-sentinel":
            addr = self.sentinel(node, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", GROUP)
            m = resp.pairs(self.sentinel(node, "SENTINEL", "MASTER", GROUP))
            return {"master": self.net.node_of_ip(addr[0]) if isinstance(addr, list) else None,
                    "master_port": addr[1] if isinstance(addr, list) else None,
                    "epoch": m.get("config-epoch")}
        t = resp.pairs(self.proxy(node, "PROXY", "TOPOLOGY"))
        return {"master": self.net.node_of_ip(t.get("master-host")),
                "master_port": t.get("master-port"), "epoch": t.get("epoch")}

    def proxy_info(self, node):
        if self.stack == "redis-sentinel":
            return {}   # no proxy: nothing is fenced
        return resp.parse_info(self.proxy(node, "PROXY", "INFO"))

    def fenced(self, node):
        return self.proxy_info(node).get("writes_fenced") == "1"

    def failover_history(self, node):
        """PROXY FAILOVER HISTORY as a list of dicts, newest first (with the redis-sentinel
        stack, made from its log's +switch-master lines: the switch's time stands for the
        promotion and for the clients' move, the n-th switch for config epoch n)."""
        if self.stack == "redis-sentinel":
            return self.sentinel_switches(node)
        reply = self.proxy(node, "PROXY", "FAILOVER", "HISTORY")
        if isinstance(reply, resp.Error):
            raise ValueError(reply)
        return [resp.pairs(r) for r in reply]

    def sentinel_switches(self, node):
        records = []
        with open(self.procs.procs[node][1], errors="replace") as log:
            for line in log:
                if "+switch-master" not in line:
                    continue
                # "pid:X 07 Dec 2026 15:07:24.481 # +switch-master mymaster ip port ip port"
                words = line.split()
                stamp = time.mktime(time.strptime(" ".join(words[1:4] + [words[4][:8]]),
                                                  "%d %b %Y %H:%M:%S"))
                at = int(stamp * 1000) + int(words[4][9:12])
                old, new = words[-4:-2], words[-2:]
                records.append({"outcome": "switched", "config-epoch": len(records) + 1,
                                "old-master": ":".join(old), "new-master": ":".join(new),
                                "started-at": at, "promoted-ms": 0, "swapped-ms": 0})
        return list(reversed(records))

    def known_sentinels(self, node):
        reply = self.sentinel(node, "SENTINEL", "SENTINELS", GROUP)
        return len(reply) if isinstance(reply, list) else 0

    def role(self, node):
        return self.redis_info(node).get("role")

    def masters(self):
        """Redis nodes that say role:master now (unreachable ones are skipped)."""
        out = []
        for n in REDIS_NODES:
            try:
                if self.role(n) == "master":
                    out.append(n)
            except resp.ConnectionFailed:
                pass
        return out

    # -- readiness and convergence

    def ready(self):
        """Replicas in sync, every sentinel knows the 2 others and 2 replicas, no proxy
        is fenced and each routes to the master. What a fault needs before it starts."""
        master = self.redis_info(self.initial_master)
        if master.get("connected_slaves") != "2":
            return False
        if any("state=online" not in master.get(f"slave{i}", "") for i in range(2)):
            return False
        for p in PROXY_NODES:
            if self.known_sentinels(p) != 2:
                return False
            m = resp.pairs(self.sentinel(p, "SENTINEL", "MASTER", GROUP))
            if m.get("num-slaves") != "2":
                return False
            if self.fenced(p) or self.topology(p)["master"] != self.initial_master:
                return False
        return True

    def wait_ready(self, timeout=20):
        wait_until("the group to be ready (replicas online, sentinels discovered)",
                   self.ready, timeout, interval=0.1)

    def converged(self):
        """One master that every proxy routes to, both other servers its replicas with
        their link up and at its offset, no proxy fenced: returns that master or None."""
        masters = self.masters()
        if len(masters) != 1:
            return None
        master = masters[0]
        info = self.redis_info(master)
        offset = int(info["master_repl_offset"])
        for r in REDIS_NODES:
            if r == master:
                continue
            ri = self.redis_info(r)
            if ri.get("role") != "slave" or ri.get("master_host") != self.ip(master):
                return None
            if ri.get("master_link_status") != "up" or int(ri["slave_repl_offset"]) < offset:
                return None
        for p in PROXY_NODES:
            if self.fenced(p) or self.topology(p)["master"] != master:
                return None
        return master

    def wait_converged(self, timeout=30):
        return wait_until("the group to converge on one master", self.converged, timeout,
                          interval=0.1)

    def stop(self):
        self.procs.stop_all()


def network_for_run(dir_suffix=""):
    """The network of one run of ALL_NODES (what dead runs left removed first), a temp dir
    for its logs, and a cleanup that destroys the network once: it runs at exit, and
    SIGTERM, SIGINT and SIGHUP raise SystemExit so the caller's `finally` runs it too."""
    Network.remove_leftovers()
    net = Network(ALL_NODES)
    workdir = tempfile.mkdtemp(prefix=net.prefix + dir_suffix + "-")
    cleaned = []

    def cleanup():
        if not cleaned:
            cleaned.append(1)
            net.destroy()

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    atexit.register(cleanup)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    return net, workdir, cleanup


# ------------------------------------------------------------------------ delay line

SIOCETHTOOL = 0x8946
ETHTOOL_SET = {"tx-checksum": 0x17, "scatter-gather": 0x19, "tso": 0x1F, "gso": 0x24}
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
PACKET_QDISC_BYPASS = 20
SOL_PACKET = 263
PEER_OF_TAP = "dl0"


def offloads_off(ifname):
    """Legacy ETHTOOL_S* ioctls (there is no ethtool binary here): frames then leave the
    stack checksummed and segmented, so a user-space copy is a valid frame."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for cmd in (ETHTOOL_SET["tso"], ETHTOOL_SET["gso"], ETHTOOL_SET["tx-checksum"]):
            value = ctypes.create_string_buffer(struct.pack("II", cmd, 0))
            ifreq = struct.pack("16sP", ifname.encode(), ctypes.addressof(value))
            fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifreq.ljust(40, b"\0"))


def delay_line(tap, out, delay_ms, loss_pct, seed):
    """Reads frames from `tap`, drops loss_pct% of them, sends the others out of `out`
    delay_ms later, in order, bypassing the qdisc (and so the redirecting filter)."""
    rng = random.Random(seed)
    # TCP leaves checksums to the device (CHECKSUM_PARTIAL) and the software fallback
    # runs when a device without the offload transmits: the redirect makes that device
    # the tap's peer (dl0), so it is the one that must not offload.
    offloads_off(PEER_OF_TAP)
    offloads_off(out)
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    rx.bind((tap, 0))
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    tx.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
    tx.bind((out, 0))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    queue, seq, delay = [], 0, delay_ms / 1000.0
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
        if select.select([rx], [], [], timeout)[0]:
            frame, addr = rx.recvfrom(65536)
            if addr[2] != PACKET_OUTGOING and rng.random() * 100 >= loss_pct:
                heapq.heappush(queue, (time.monotonic() + delay, seq, frame))
                seq += 1
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            try:
                tx.send(heapq.heappop(queue)[2])
            except OSError:
                pass    # a full device queue is a loss, as on a wire


# -------------------------------------------------------------------------- self-test

def selftest():
    """Two namespaces, a redis-server in one: reachable, blocked (connect times out),
    healed (reachable again); then the delay line adds its delay to a PING."""
    Network.remove_leftovers()
    net = Network(["a", "b"])
    workdir = tempfile.mkdtemp(prefix=net.prefix + "-")
    procs = Processes(net, workdir)
    try:
        net.create()
        procs.spawn("redis", "b", ["redis-server", "--bind", "0.0.0.0", "--port", "6379",
                                   "--save", "", "--protected-mode", "no"])
        probe = [sys.executable, "-c",
                 "import socket,sys,time; t=time.monotonic(); "
                 "s=socket.create_connection((sys.argv[1],6379),timeout=1); "
                 "s.sendall(b'PING\\r\\n'); s.recv(10); print(int((time.monotonic()-t)*1000))",
                 net.ip("b")]

        def ping_ms():
            rc, out = run(net.exec_argv("a", probe), check=False)
            return int(out.strip()) if rc == 0 else None

        wait_until("redis in b", lambda: ping_ms() is not None, 10)
        net.block("a", "b")
        assert ping_ms() is None, "a reached b through a block"
        net.heal()
        assert ping_ms() is not None, "a cannot reach b after heal"
        mode = net.netem("a", delay_ms=200)
        ms = ping_ms()
        assert ms is not None and ms >= 400, f"{mode}: connect+PING took {ms} ms, not >= 400"
        net.heal()
        ms2 = ping_ms()
        assert ms2 is not None and ms2 < 200, f"after heal PING took {ms2} ms"
        print(f"selftest ok: block, heal, {mode} 200 ms (connect+PING {ms} ms, then {ms2} ms)")
        return 0
    finally:
        procs.stop_all()
        net.destroy()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("delay-line", help="(internal) run a delay line in a namespace")
    d.add_argument("--tap", required=True)
    d.add_argument("--out", required=True)
    d.add_argument("--delay-ms", type=float, default=0)
    d.add_argument("--loss-pct", type=float, default=0)
    d.add_argument("--seed", type=int, default=0)
    sub.add_parser("selftest", help="check blocks, heal and the delay line")
    sub.add_parser("cleanup", help="remove what dead runs left behind")
    args = ap.parse_args()
    if args.cmd == "delay-line":
        delay_line(args.tap, args.out, args.delay_ms, args.loss_pct, args.seed)
    elif args.cmd == "selftest":
        return selftest()
    elif args.cmd == "cleanup":
        Network.remove_leftovers()
    return 0


if __name__ == "__main__":
    sys.exit(main())
