#!/usr/bin/python3
"""A soak: mixed load through three sentinel-proxies while faults come and go.

  /usr/bin/python3 tests/partition/soak.py --binary build/sentinel-proxy
                   [--minutes 60] [--fault-every 180] [--durability replica|async|all]
                   [--seed S] [--report FILE] [--keep] [--faults kill,hang,...]

The group of partition.py (r1 master, r2 r3 replicas, p1..p3 sentinel-proxies with
fence-on-minority, c1..c3 clients in their own namespaces). Through each proxy pi, from
ci, run at once:
  - a writer RPUSHing unique values (checker.py), whose acknowledged values are all looked
    for on the final master;
  - a load process (`soak.py load`) with one thread per kind of traffic: reads (GET,
    MGET, HGETALL, LRANGE), transactions (MULTI/INCR/HSET/EXEC), blocking pops fed by a
    pusher (BLPOP), Pub/Sub (SUBSCRIBE, fed by a publisher) and connection churn (a new
    connection per PING/SET/GET/QUIT).
After a warm-up, every --fault-every seconds one fault, in turn:
  kill        SIGKILL of the master, started again empty once a replica is promoted
  hang        SIGSTOP of the master until the proxies route to a promoted replica
  partition   the master with one proxy and its client cut off from the rest, healed
              once the majority has promoted (fence-on-minority fences that proxy)
  switchover  PROXY FAILOVER on a client port (a planned switchover)
each followed by the group converging. A fault's window runs from its start until the
group converged plus WINDOW_GRACE_S: an error a client sees inside it is explained if its
kind is one that fault may cause (EXPLAINED_KINDS); any other error is unexplained.
The report counts the explained ones by fault, operation and kind.

Every SAMPLE_EVERY_S the proxies' RSS and open descriptors are sampled (/proc). The run
fails when: a process exits on its own; a client sees an unexplained error; with
write-durability replica/all, an acknowledged write is missing from the final master;
after the load stops, a proxy keeps more descriptors than before it started
(FD_SLACK; peers' links to its sentinel port apart, see proc_usage); or, for runs of 10 minutes or more, a proxy's RSS over the last tenth of the
run exceeds that of the second tenth (after the warm-up) by more than RSS_GROWTH.

Exit status: 0 passed, 1 failed, 77 network namespaces cannot be created here.
"""
import argparse
import json
import os
import random
import shutil
import signal
import statistics
import sys
import threading
import time
import traceback

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checker  # noqa: E402
import partition  # noqa: E402
import resp  # noqa: E402
from partition import (ALL_NODES, CLIENT_NODES, CLIENT_PORT, PROXY_NODES,  # noqa: E402
                       REDIS_NODES, Group, now_ms, wait_until)

EXIT_SKIP = 77
FAULTS = ["kill", "hang", "partition", "switchover"]
# What each client's load process does, each of which must go on between two faults.
TRAFFIC = ["read", "write", "transaction", "blpop", "push", "publish", "message", "churn"]
SAMPLE_EVERY_S = 5
WARMUP_S = 20                 # load only, before the first fault
WINDOW_GRACE_S = 5            # a fault's window lasts this long past convergence
RECOVERY_TIMEOUT_S = 60       # a fault not recovered from by then fails the run
FD_SLACK = 2                  # descriptors a proxy may hold above its pre-load count
RSS_GROWTH = (1.10, 2048)     # allowed: last-tenth median <= second-tenth * 1.10 + 2 MiB
LOAD_TIMEOUT_S = 10.0         # the load clients' reply timeout: longer than a failover
WRITE_INTERVAL_MS = 5
# What each fault may make a client see: error kinds (checker.error_kind) and connection
# failures. Anything else, or anything outside a window, is unexplained.
CONNECTION_KINDS = {"fail", "connect-fail"}
EXPLAINED_KINDS = {
    # A master that dies with commands in flight: their connections are closed (no
    # knowable outcome); a hold that outlasts failover-hold-ms is refused; a transaction
    # open at the move ends in -EXECABORT (README, "inside MULTI at the move").
    "kill": CONNECTION_KINDS | {"MASTERDOWN hold-timeout", "ERR master-unreachable",
                                "NOREPLICAS", "EXECABORT"},
    "hang": CONNECTION_KINDS | {"MASTERDOWN hold-timeout", "ERR master-unreachable",
                                "NOREPLICAS", "EXECABORT"},
    # The fenced minority proxy refuses writes (its own client only, see `explains`); a
    # transaction there, or open on the old master when it is demoted after the heal,
    # is refused.
    "partition": CONNECTION_KINDS | {"MASTERDOWN fenced", "MASTERDOWN hold-timeout",
                                     "ERR master-unreachable", "NOREPLICAS", "EXECABORT",
                                     ("transaction", "READONLY")},
    # A planned switchover is meant to be invisible, but for one documented case (README,
    # "-READONLY retry"): a transaction open on the demoted master, at a proxy that learns
    # of the switchover from a peer, has its queued writes refused (-READONLY) and EXEC
    # answers -EXECABORT, as with Redis alone. Nothing of it ran.
    "switchover": {("transaction", "READONLY"), ("transaction", "EXECABORT")},
}


# Proxy bugs the soak found and that are not fixed yet: errors they explain fail the run
# unless the name is given to --xfail, which prints them as XFAIL instead (so that a CI run
# can keep judging everything else, visibly).
KNOWN_BUGS = {
    # None open. Found and fixed: at a planned switchover, reads, PUBLISH and transactions
    # in flight on the demoted master at a proxy that learns of it from a peer closed their
    # connections; reads met -LOADING while it resynced; writes whose WAIT the write pause
    # held were answered -NOREPLICAS; a subscriber whose session moved while messages
    # arrived got the replayed ROLE's reply or a message twice, then was closed.
}


def known_bug(fault_kind, op, kind):
    """The known bug that explains an error no fault explains, or None."""
    return None


def explains(fault_kind, op, kind, client, minority):
    """Whether a fault of this kind explains the error; `-MASTERDOWN fenced` only for the
    client cut off with the fenced proxy."""
    if kind == "MASTERDOWN fenced" and client not in minority:
        return False
    allowed = EXPLAINED_KINDS[fault_kind]
    return kind in allowed or (op, kind) in allowed


# ------------------------------------------------------------------------- the load

class LoadRecorder:
    """Counts what each traffic thread did; errors go to a JSON-lines file at once."""

    def __init__(self, out_dir, name):
        self.lock = threading.Lock()
        self.counts = {}
        self.local = threading.local()   # .sent: when the thread's current step began
        self.errors = open(os.path.join(out_dir, f"load-{name}-errors.jsonl"), "a",
                           buffering=1)
        self.counts_path = os.path.join(out_dir, f"load-{name}-counts.json")

    def ok(self, op, n=1):
        with self.lock:
            self.counts[op] = self.counts.get(op, 0) + n

    def error(self, op, kind, message=""):
        with self.lock:
            self.counts[op + ":error"] = self.counts.get(op + ":error", 0) + 1
            t = now_ms()
            self.errors.write(json.dumps({"s": getattr(self.local, "sent", t), "t": t,
                                          "op": op, "k": kind, "m": message[:200]}) + "\n")

    def reply(self, op, reply):
        """Records one reply: an error reply by its kind, anything else as done."""
        if isinstance(reply, resp.Error):
            self.error(op, checker.error_kind(str(reply)), str(reply))
            return False
        self.ok(op)
        return True

    def dump_counts(self):
        with self.lock:
            text = json.dumps(self.counts)
        tmp = self.counts_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.counts_path)


def traffic(rec, stop, host, port, op, body, pause):
    """Runs body(client, n) every `pause` seconds on one connection, reconnecting after a
    failure (recorded as `fail`, or `connect-fail` when no connection could be made).
    Anything else that goes wrong is recorded as `exception`, which no fault explains."""
    client = resp.Client(host, port, timeout=LOAD_TIMEOUT_S, connect_timeout=1.0)
    n = 0
    while not stop.is_set():
        n += 1
        rec.local.sent = now_ms()
        try:
            if not client.connected:
                try:
                    client.connect()
                except resp.ConnectionFailed as e:
                    rec.error(op, "connect-fail", e.kind)
                    stop.wait(0.1)
                    continue
            if body(client, n) is False:
                stop.wait(0.05)   # refused: a client that backs off a little
        except resp.ConnectionFailed as e:
            rec.error(op, "fail", e.kind)
            client.close()
        except Exception as e:  # a reply of the wrong shape: a finding, not a crash
            rec.error(op, "exception", f"{type(e).__name__}: {e}")
            client.close()
            stop.wait(0.1)
        stop.wait(pause)
    client.close()


def load_main(host, port, name, out_dir, durability):
    """Every kind of traffic at once through host:port until SIGTERM."""
    rec = LoadRecorder(out_dir, name)
    last_count = [0]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    k = f"soak:{name}"

    def reads(c, n):
        return all([rec.reply("read", c.call(*args))
                    for args in (("GET", f"{k}:s"), ("MGET", f"{k}:s", f"{k}:tx"),
                                 ("HGETALL", f"{k}:h"), ("LRANGE", f"{k}:short", 0, 9))])

    def writes(c, n):
        return all([rec.reply("write", c.call(*args))
                    for args in (("SET", f"{k}:s", n), ("LPUSH", f"{k}:short", n),
                                 ("LTRIM", f"{k}:short", 0, 9))])

    def transaction(c, n):
        replies = [c.call("MULTI"), c.call("INCR", f"{k}:tx"), c.call("HSET", f"{k}:h", "n", n),
                   c.call("EXEC")]
        errors = [str(r) for r in replies if isinstance(r, resp.Error)]
        if errors:
            # Counted by the first error: a queued command's (EXEC then answers
            # EXECABORT), or EXEC's own.
            rec.error("transaction", checker.error_kind(errors[0]), " | ".join(errors))
            return False
        if not isinstance(replies[-1], list) or len(replies[-1]) != 2 or \
                not all(isinstance(r, int) for r in replies[-1]):
            rec.error("transaction", "bad-exec-reply", repr(replies[-1]))
            return False
        # The counter only goes up unless an acknowledged INCR was lost, which only
        # asynchronous replication allows.
        count = replies[-1][0]
        if count <= last_count[0] and durability != "async":
            rec.error("transaction", "counter-went-back", f"{last_count[0]} then {count}")
        last_count[0] = count
        rec.ok("transaction")
        return True

    def pop(c, n):
        reply = c.call("BLPOP", f"{k}:q", 1)
        return reply is None or rec.reply("blpop", reply)

    def push(c, n):
        return all([rec.reply("push", c.call("RPUSH", f"{k}:q", n)),
                    rec.reply("push", c.call("LTRIM", f"{k}:q", -100, -1))])

    def publish(c, n):
        return rec.reply("publish", c.call("PUBLISH", f"{k}:ch", n))

    def churn(c, n):
        # A new connection each time: the proxy's per-session cost and cleanup.
        ok = all([rec.reply("churn", c.call(*args))
                  for args in (("PING",), ("SET", f"{k}:churn", n, "EX", 60))])
        value = c.call("GET", f"{k}:churn")
        if ok and value != str(n):
            rec.error("churn", "wrong-value", f"GET answered {value!r} after SET {n}")
            ok = False
        c.call("QUIT")
        c.close()
        return ok

    def subscriber():
        # A message is published every 20 ms: none for LOAD_TIMEOUT_S is a stall, recorded
        # as a failure (explained only inside a fault's window) before subscribing again.
        client = resp.Client(host, port, timeout=LOAD_TIMEOUT_S, connect_timeout=1.0)
        last = 0  # the publisher numbers its messages: each must come after the one before
        while not stop.is_set():
            rec.local.sent = now_ms()
            try:
                if not client.connected:
                    client.connect()
                    reply = client.call("SUBSCRIBE", f"{k}:ch")
                    if not isinstance(reply, list) or reply[:1] != ["subscribe"]:
                        rec.error("subscribe", checker.error_kind(str(reply)), str(reply))
                        client.close()
                        stop.wait(0.1)
                        continue
                message = client.read()
                if isinstance(message, list) and message[:1] == ["message"] and \
                        int(message[2]) > last:
                    last = int(message[2])
                    rec.ok("message")
                else:
                    rec.error("subscribe", "unexpected", repr(message))
            except resp.ConnectionFailed as e:
                if stop.is_set():
                    break
                rec.error("subscribe", "connect-fail" if e.kind.startswith("connect")
                          else "fail", e.kind)
                client.close()
                stop.wait(0.1)
            except Exception as e:
                rec.error("subscribe", "exception", f"{type(e).__name__}: {e}")
                client.close()
                stop.wait(0.1)
        client.close()

    threads = [threading.Thread(target=traffic, args=(rec, stop, host, port, op, body, pause))
               for op, body, pause in (("read", reads, 0.005), ("write", writes, 0.01),
                                       ("transaction", transaction, 0.02),
                                       ("blpop", pop, 0.0), ("push", push, 0.02),
                                       ("publish", publish, 0.02), ("churn", churn, 0.02))]
    threads.append(threading.Thread(target=subscriber))
    for t in threads:
        t.start()
    while not stop.wait(1.0):
        rec.dump_counts()
    for t in threads:
        t.join()
    rec.dump_counts()


class Load:
    """A load process in a client namespace, and the errors it recorded."""

    def __init__(self, name, out_dir):
        self.name, self.out_dir = name, out_dir
        self.proc = None

    def start(self, net, client_node, host, port, durability):
        argv = [sys.executable, os.path.abspath(__file__), "load", "--host", host,
                "--port", str(port), "--name", self.name, "--out", self.out_dir,
                "--durability", durability]
        self.proc = partition.subprocess.Popen(net.exec_argv(client_node, argv),
                                               stdin=partition.subprocess.DEVNULL,
                                               preexec_fn=partition.die_with_parent)

    def terminate(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=LOAD_TIMEOUT_S + 5)
            except partition.subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def errors(self):
        path = os.path.join(self.out_dir, f"load-{self.name}-errors.jsonl")
        if not os.path.exists(path):
            return []
        out = []
        with open(path) as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass   # a last line cut short when the process was stopped
        return out

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def counts(self):
        try:
            with open(os.path.join(self.out_dir, f"load-{self.name}-counts.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}


# ------------------------------------------------------------------------- the soak

def peer_links(pid):
    """How many of the process's descriptors are connections accepted on its sentinel
    port (the peers' links to it), from /proc/<pid>/net/tcp of its own namespace."""
    inodes = set()
    try:
        with open(f"/proc/{pid}/net/tcp") as f:
            for line in list(f)[1:]:
                fields = line.split()
                if int(fields[1].split(":")[1], 16) == partition.SENTINEL_PORT and \
                        fields[3] != "0A":   # not the listening socket
                    inodes.add(fields[9])
    except OSError:
        return 0
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") in {f"socket:[{i}]" for i in inodes}:
                count += 1
        except OSError:
            pass
    return count


def proc_usage(pid):
    """(RSS in KiB, open descriptors, of which peers' links to its sentinel port) of a
    process, from /proc. A peer that closed its link during a partition leaves this side's
    end open (its FIN was dropped) until TCP keepalive finds it dead, minutes later: such
    descriptors are counted apart and are no leak of the load's."""
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd")), peer_links(pid)


class Soak:
    def __init__(self, net, binary, workdir, durability, rng, xfail=()):
        self.net, self.workdir, self.rng = net, workdir, rng
        self.xfail = set(xfail)
        self.group = Group(net, binary, workdir, durability=durability)
        self.writers = {c: checker.Writer(c, p, f"soak:{c}:acked",
                                          os.path.join(workdir, f"writer-{c}.jsonl"))
                        for c, p in zip(CLIENT_NODES, PROXY_NODES)}
        self.loads = {c: Load(c, workdir) for c in CLIENT_NODES}
        self.samples = {p: [] for p in PROXY_NODES}   # proxy -> [(t, rss KiB, fds)]
        self.faults = []   # dicts: kind, start, recovered, end, old, new master
        self.problems = []
        self._stop_sampling = threading.Event()

    def pid(self, proxy):
        return self.group.procs.procs[proxy][0].pid

    def usage(self):
        """{proxy: (RSS KiB, descriptors)}; (0, 0) for one that is gone."""
        out = {}
        for p in PROXY_NODES:
            try:
                out[p] = proc_usage(self.pid(p))
            except (OSError, StopIteration, KeyError):
                out[p] = (0, 0, 0)
        return out

    def sample_loop(self):
        while not self._stop_sampling.wait(SAMPLE_EVERY_S):
            t = now_ms()
            for p in PROXY_NODES:
                try:
                    rss, fds, _ = proc_usage(self.pid(p))
                except (OSError, StopIteration, KeyError):
                    continue
                self.samples[p].append((t, rss, fds))

    def check_processes(self):
        gone = self.group.procs.exited()
        gone.update({f"writer {c}": w.proc.returncode for c, w in self.writers.items()
                     if w.proc.poll() is not None})
        gone.update({f"load {c}": load.proc.returncode for c, load in self.loads.items()
                     if not load.alive()})
        if gone:
            raise RuntimeError(f"processes exited: {gone}")

    def operation_counts(self):
        return {c: load.counts() for c, load in self.loads.items()}

    def check_traffic_flows(self, before):
        """Every kind of traffic of every client went on since `before` (counts taken
        then): a thread that stopped, or Pub/Sub that stopped delivering, is a finding."""
        now = self.operation_counts()
        for c in CLIENT_NODES:
            for op in TRAFFIC:
                if now[c].get(op, 0) <= before.get(c, {}).get(op, 0):
                    self.problems.append(f"{c}: no {op} succeeded between "
                                         f"{before.get('at')} and {now_ms()}")
        now["at"] = now_ms()
        return now

    def master(self):
        """The master every proxy routes to (None while they disagree)."""
        masters = {self.group.topology(p)["master"] for p in PROXY_NODES}
        return masters.pop() if len(masters) == 1 else None

    def routed_elsewhere(self, old):
        master = self.master()
        return master if master and master != old else None

    def settled(self):
        """One master that says so, every proxy routing to it unfenced, both other servers
        its replicas with their links up (offsets may trail: the load goes on)."""
        masters = self.group.masters()
        if len(masters) != 1:
            return None
        master = masters[0]
        for r in REDIS_NODES:
            if r == master:
                continue
            info = self.group.redis_info(r)
            if info.get("role") != "slave" or info.get("master_host") != self.group.ip(master) \
                    or info.get("master_link_status") != "up":
                return None
        for p in PROXY_NODES:
            if self.group.fenced(p) or self.group.topology(p)["master"] != master:
                return None
        return master

    def start(self):
        self.group.start()
        self.group.wait_ready(timeout=30)
        # The fewest descriptors over a second: the probes' own connections are closed.
        samples = []
        for _ in range(10):
            samples.append(self.usage())
            time.sleep(0.1)
        self.baseline = {p: min((u[p] for u in samples), key=lambda x: x[1])
                         for p in PROXY_NODES}
        for c, w in self.writers.items():
            w.start(self.net, c, self.group.ip(w.proxy), CLIENT_PORT,
                    interval_ms=WRITE_INTERVAL_MS, timeout=3.0,
                    preexec_fn=partition.die_with_parent)
        for c, p in zip(CLIENT_NODES, PROXY_NODES):
            self.loads[c].start(self.net, c, self.group.ip(p), CLIENT_PORT,
                                self.group.durability)
        wait_until("every writer to be acknowledged",
                   lambda: all(len(w.acks_after(0)) >= 20 for w in self.writers.values()), 15)
        threading.Thread(target=self.sample_loop, daemon=True).start()

    # -- faults

    def fault(self, kind, number):
        old = wait_until("the group to settle before a fault", self.settled,
                         RECOVERY_TIMEOUT_S, interval=0.2)
        record = {"n": number, "kind": kind, "old": old, "start": now_ms(), "minority": []}
        self.faults.append(record)
        print(f"  [{time.strftime('%H:%M:%S')}] fault {number}: {kind} (master {old})",
              flush=True)
        if kind == "kill":
            self.group.kill(old)
            new = wait_until("the proxies to route to a promoted replica",
                             lambda: self.routed_elsewhere(old), RECOVERY_TIMEOUT_S)
            self.group.start_redis(old)   # empty, as after a crash without persistence
        elif kind == "hang":
            proc = self.group.procs.procs[old][0]
            proc.send_signal(signal.SIGSTOP)
            try:
                new = wait_until("the proxies to route to a promoted replica",
                                 lambda: self.routed_elsewhere(old), RECOVERY_TIMEOUT_S)
            finally:
                proc.send_signal(signal.SIGCONT)
        elif kind == "partition":
            side = self.rng.choice(PROXY_NODES)
            minority = [old, side, "c" + side[1]]
            record["kind"] = f"partition {{{' '.join(minority)}}}"
            record["minority"] = minority
            self.net.split(minority, [n for n in ALL_NODES if n not in minority])
            try:
                wait_until(f"{side} to fence its writes (fence-on-minority)",
                           lambda: self.group.fenced(side), RECOVERY_TIMEOUT_S)
                new = wait_until("the majority to route to a promoted replica",
                                 lambda: self.majority_moved(side, old), RECOVERY_TIMEOUT_S)
                time.sleep(2)   # how long the split lasts once the majority moved on
            finally:
                self.net.heal()
        else:
            self.request_switchover()
            new = wait_until("the proxies to route to the promoted replica",
                             lambda: self.routed_elsewhere(old), RECOVERY_TIMEOUT_S)
        master = wait_until("the group to settle after the fault", self.settled,
                            RECOVERY_TIMEOUT_S, interval=0.2)
        record.update(new=new, final=master, recovered=now_ms())
        record["end"] = record["recovered"] + WINDOW_GRACE_S * 1000
        print(f"    recovered in {record['recovered'] - record['start']} ms, master {master}",
              flush=True)

    def majority_moved(self, cut_proxy, old):
        masters = {self.group.topology(p)["master"] for p in PROXY_NODES if p != cut_proxy}
        return masters.pop() if len(masters) == 1 and old not in masters else None

    def request_switchover(self):
        """PROXY FAILOVER, asked again while the sentinel has not yet read a replica's
        INFO (-NOGOODSLAVE) or a previous failover is still in progress (-INPROG)."""
        proxy = self.rng.choice(PROXY_NODES)

        def asked():
            try:
                reply = self.group.proxy(proxy, "PROXY", "FAILOVER", timeout=10)
            except resp.ConnectionFailed:
                return True   # perhaps started: asking again could start a second one
            if isinstance(reply, resp.Error):
                if reply.kind in ("NOGOODSLAVE", "INPROG"):
                    return False
                raise RuntimeError(f"PROXY FAILOVER: {reply}")
            return True
        wait_until("PROXY FAILOVER to be accepted", asked, 30, interval=0.5)

    # -- the run

    def run(self, minutes, fault_every, faults=FAULTS):
        """Faults in turn until `minutes` have passed and each kind came at least once
        (a slow machine makes a short run longer rather than skipping a fault); every
        kind of traffic must flow between two faults."""
        start = time.monotonic()
        deadline = start + minutes * 60
        next_fault = start + min(WARMUP_S, fault_every)
        number = 0
        counts = {}
        while time.monotonic() < deadline or number < len(faults):
            self.check_processes()
            if time.monotonic() >= next_fault:
                counts = self.check_traffic_flows(counts)
                self.fault(faults[number % len(faults)], number + 1)
                number += 1
                next_fault = max(next_fault + fault_every, time.monotonic() + 5)
            time.sleep(0.2)
        # The traffic since the last fault, once its window is over.
        time.sleep(max(0.0, (self.faults[-1]["end"] - now_ms()) / 1000))
        self.check_traffic_flows(counts)
        self.check_processes()

    def finish(self):
        """Stops the load, lets the group converge, and judges the run."""
        self.group.wait_converged(RECOVERY_TIMEOUT_S)
        for load in self.loads.values():
            load.terminate()
        for w in self.writers.values():
            w.stop()
        for load in self.loads.values():
            load.stop()
        self._stop_sampling.set()
        final = self.group.wait_converged(RECOVERY_TIMEOUT_S)
        self.check_processes_after_load()
        report = {"final_master": final, "faults": self.faults}

        # Lost writes: every acknowledged value must be on the final master.
        c = resp.Client(self.group.ip(final), partition.REDIS_PORT, timeout=30)
        try:
            lists = {}
            for w in self.writers.values():
                values = c.call("LRANGE", w.key, 0, -1)
                if not isinstance(values, list):
                    raise RuntimeError(f"LRANGE {w.key} on {final}: {values}")
                lists[w.key] = set(int(v) for v in values)
        finally:
            c.close()
        acked = lost = 0
        for w in self.writers.values():
            values = [e["v"] for e in w.events if e["e"] == "ack"]
            acked += len(values)
            lost += sum(1 for v in values if v not in lists[w.key])
        report.update(acknowledged=acked, lost=lost)
        if self.group.durability != "async" and lost:
            self.problems.append(f"{lost} acknowledged writes lost with write-durability "
                                 f"{self.group.durability}")

        # Errors: explained by the fault whose window the command's time (from its send to
        # its error) overlaps, or not.
        errors = []
        for c_node, w in self.writers.items():
            errors += [{"s": e.get("s", e["t"]), "t": e["t"], "op": "rpush",
                        "k": e["e"] if e["e"] != "err" else e["k"],
                        "m": e.get("m", e.get("k", "")), "client": c_node}
                       for e in w.events if e["e"] in ("err", "fail", "connect-fail")]
        for c_node, load in self.loads.items():
            errors += [dict(e, client=c_node) for e in load.errors()]
        explained, unexplained, by_bug = {}, [], {}
        for e in errors:
            fault = next((f for f in self.faults
                          if e.get("s", e["t"]) <= f.get("end", 0) and e["t"] >= f["start"]),
                         None)
            kind = fault["kind"].split()[0] if fault else None
            bug = known_bug(kind, e["op"], e["k"]) if fault else None
            if fault and explains(kind, e["op"], e["k"], e["client"], fault["minority"]):
                key = f"{kind}: {e['op']} {e['k']}"
                explained[key] = explained.get(key, 0) + 1
            elif bug in self.xfail:
                by_bug.setdefault(bug, []).append(e)
            else:
                unexplained.append(e)
        for bug, found in by_bug.items():
            print(f"  [XFAIL] {len(found)} errors of known bug {bug}: {KNOWN_BUGS[bug]}; "
                  f"first: {found[:2]}")
        report.update(errors_explained=explained, errors_unexplained=len(unexplained),
                      unexplained_examples=unexplained[:20],
                      errors_of_known_bugs={b: len(f) for b, f in by_bug.items()})
        if unexplained:
            self.problems.append(f"{len(unexplained)} errors no fault explains, first: "
                                 f"{unexplained[:5]}")
        counts = {}
        for load in self.loads.values():
            for op, n in load.counts().items():
                counts[op] = counts.get(op, 0) + n
        report["operations"] = counts

        # Resources: descriptors back to their pre-load count, RSS flat.
        def fds_released():
            now = self.usage()
            return all(now[p][1] - now[p][2] <= self.baseline[p][1] - self.baseline[p][2] +
                       FD_SLACK for p in PROXY_NODES)
        try:
            wait_until("the proxies to release the load's descriptors", fds_released, 15,
                       interval=0.2)
        except TimeoutError:
            self.problems.append(f"descriptors not released: before the load "
                                 f"{self.baseline}, after {self.usage()}")
        report["resources"] = {p: self.resources(p) for p in PROXY_NODES}
        report["after_load"] = self.usage()
        report["before_load"] = self.baseline
        return report

    def check_processes_after_load(self):
        gone = self.group.procs.exited()
        if gone:
            raise RuntimeError(f"processes exited: {gone}")

    def resources(self, proxy):
        s = self.samples[proxy]
        if not s:
            return {}
        tenth = max(1, len(s) // 10)
        early = [rss for _, rss, _ in s[tenth:2 * tenth]] or [s[0][1]]
        late = [rss for _, rss, _ in s[-tenth:]]
        out = {"samples": len(s), "rss_kib_first": s[0][1], "rss_kib_max": max(x[1] for x in s),
               "rss_kib_second_tenth_median": statistics.median(early),
               "rss_kib_last_tenth_median": statistics.median(late),
               "rss_kib_last": s[-1][1], "fds_min": min(x[2] for x in s),
               "fds_max": max(x[2] for x in s), "fds_last": s[-1][2]}
        return out


def print_report(report, minutes, durability):
    print(f"\nfaults ({len(report['faults'])}):")
    for f in report["faults"]:
        print(f"  {f['n']:>3} {f['kind']:<32} {f['old']} -> {f['final']}, recovered in "
              f"{f['recovered'] - f['start']} ms")
    print(f"writes: {report['acknowledged']} acknowledged, {report['lost']} lost "
          f"(write-durability {durability})")
    ops = report["operations"]
    print("operations: " + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())))
    print("errors explained by a fault: " + (", ".join(
        f"{k} {v}" for k, v in sorted(report["errors_explained"].items())) or "none"))
    print(f"errors no fault explains: {report['errors_unexplained']}")
    for e in report["unexplained_examples"][:10]:
        print(f"    {e}")
    print("proxy  RSS KiB: first  2nd-tenth  last-tenth  max   | fds: min max last | "
          "before/after load (RSS KiB, fds, of which peer links)")
    for p, r in report["resources"].items():
        if r:
            print(f"  {p}  {r['rss_kib_first']:>9} {r['rss_kib_second_tenth_median']:>9.0f} "
                  f"{r['rss_kib_last_tenth_median']:>10.0f} {r['rss_kib_max']:>7} | "
                  f"{r['fds_min']:>4} {r['fds_max']:>4} {r['fds_last']:>4} | "
                  f"{report['before_load'][p]} / {report['after_load'][p]}")


def judge_rss(report, minutes, problems):
    if minutes < 10:
        return
    factor, slack = RSS_GROWTH
    for p, r in report["resources"].items():
        if r and r["rss_kib_last_tenth_median"] > r["rss_kib_second_tenth_median"] * factor + slack:
            problems.append(f"{p}'s RSS grew: {r['rss_kib_second_tenth_median']:.0f} KiB in "
                            f"the second tenth, {r['rss_kib_last_tenth_median']:.0f} KiB in "
                            f"the last")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "load":
        ap = argparse.ArgumentParser()
        ap.add_argument("cmd")
        ap.add_argument("--host")
        ap.add_argument("--port", type=int)
        ap.add_argument("--name")
        ap.add_argument("--out")
        ap.add_argument("--durability")
        a = ap.parse_args()
        load_main(a.host, a.port, a.name, a.out, a.durability)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default="build/sentinel-proxy")
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--fault-every", type=float, default=180.0, help="seconds")
    ap.add_argument("--durability", choices=["async", "replica", "all"], default="replica")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--report", help="write the report as JSON here")
    ap.add_argument("--keep", action="store_true", help="keep the logs' directory")
    ap.add_argument("--faults", default=",".join(FAULTS),
                    help="comma-separated fault kinds, taken in turn (default: all)")
    ap.add_argument("--xfail", default="", help="comma-separated known bugs whose errors "
                    "are reported without failing the run: " + (", ".join(KNOWN_BUGS) or "none"))
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"no executable at {binary}", file=sys.stderr)
        return 1
    if os.geteuid() != 0 or not shutil.which("ip"):
        print("SKIP: network namespaces cannot be created here (needs root and ip netns)")
        return EXIT_SKIP
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    faults = [f for f in args.faults.split(",") if f]
    if not faults or any(f not in FAULTS for f in faults):
        print(f"--faults: each of {', '.join(FAULTS)}", file=sys.stderr)
        return 2

    net, workdir, cleanup = partition.network_for_run("-soak")
    print(f"soak: {args.minutes} min, a fault every {args.fault_every:.0f} s, "
          f"write-durability {args.durability}, seed {seed}, logs in {workdir}", flush=True)
    started = time.monotonic()
    soak = None
    report, error = None, None
    try:
        net.create()
        soak = Soak(net, binary, workdir, args.durability, random.Random(seed),
                    xfail=[b for b in args.xfail.split(",") if b])
        soak.start()
        soak.run(args.minutes, args.fault_every, faults)
        report = soak.finish()
    except (TimeoutError, RuntimeError, resp.ConnectionFailed) as e:
        error = f"{type(e).__name__}: {e}"
    except Exception:  # a bug of the soak itself: still a failed run, with its trace
        error = traceback.format_exc()
    finally:
        if soak:
            for w in soak.writers.values():
                w.stop()
            for load in soak.loads.values():
                load.stop()
            if error:
                print(soak.group.procs.log_tails(lines=30))
            soak.group.stop()
        cleanup()
    problems = list(soak.problems) if soak else []
    if error:
        problems.append(error)
    if report:
        judge_rss(report, args.minutes, problems)
        print_report(report, args.minutes, args.durability)
        report.update(minutes=args.minutes, fault_every_s=args.fault_every,
                      durability=args.durability, seed=seed, problems=problems,
                      seconds=round(time.monotonic() - started, 1))
        if args.report:
            with open(args.report, "w") as f:
                json.dump(report, f, indent=1)
    for p in problems:
        print(f"  [FAIL] {p}")
    ok = not problems
    print(f"soak {'PASSED' if ok else 'FAILED'} in {time.monotonic() - started:.1f} s")
    if ok and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
