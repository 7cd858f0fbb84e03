#!/usr/bin/python3
"""Writers, an observer and a Jepsen-style check of what the clients were told.

Writers: one process per client namespace (`checker.py writer ...`, started through
`ip netns exec`), each RPUSHing 1, 2, 3, ... to its own list through one proxy, so every
value is unique and its fate can be looked up. Each attempt is one JSON line in the
writer's file: `ack` (an integer reply), `err` (an error reply, with its text), `fail`
(the connection failed or timed out with the write in flight: its outcome is unknown)
and `connect-fail`. Times are unix ms, the clock the proxies report in.

Observer: a thread per server and per proxy polling every 100 ms, from the bridge
address no fault touches: INFO replication of each redis-server (role, offsets), PROXY
TOPOLOGY and PROXY INFO's writes_fenced of each proxy. From these come the replication
offsets at the moment of a promotion and when each proxy was fenced.

Check (`analyze`): after the faults are healed, the writers stopped and the group has
converged, each acknowledged value is looked for on the final master. A lost value is
classified by which master its proxy routed to when it was acknowledged (the proxy's
own failover history: `started-at` + `swapped-ms`) and when that master was replaced
(the earliest promotion any proxy or the observer saw):

  explained          acknowledged by a master before it was replaced, with the promoted
                     replica behind it (offset window > 0): Redis's asynchronous
                     replication lost it, as documented
  replaced-master    acknowledged by a master after it had been replaced: a proxy let a
                     write reach a master the group had already given up (a finding)
  unexplained        anything else (a finding)
"""
import argparse
import bisect
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp  # noqa: E402

POLL_INTERVAL = 0.1


def now_ms():
    return int(time.time() * 1000)


# ----------------------------------------------------------------------------- writer

def error_kind(message):
    """Error replies grouped by what they mean, not by their whole text."""
    if "fence-on-minority" in message:
        return "MASTERDOWN fenced"
    if "failover-hold-ms" in message:
        return "MASTERDOWN hold-timeout"
    if "unreachable" in message:
        return "ERR master-unreachable"
    return message.split(" ", 1)[0]


def writer_main(host, port, key, out_path, interval_ms, timeout):
    """RPUSH key n for n = 1, 2, ... until SIGTERM; one JSON line per attempt."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    client = resp.Client(host, port, timeout=timeout, connect_timeout=1.0)
    out = open(out_path, "a", buffering=1)
    n = 0
    while not stop:
        if not client.connected:
            try:
                client.connect()
            except resp.ConnectionFailed as e:
                out.write(json.dumps({"e": "connect-fail", "t": now_ms(), "k": e.kind}) + "\n")
                time.sleep(0.05)
                continue
        n += 1
        sent = now_ms()
        try:
            reply = client.call("RPUSH", key, n)
        except resp.ConnectionFailed as e:
            out.write(json.dumps({"e": "fail", "v": n, "s": sent, "t": now_ms(),
                                  "k": e.kind}) + "\n")
            time.sleep(0.05)
            continue
        t = now_ms()
        if isinstance(reply, int):
            out.write(json.dumps({"e": "ack", "v": n, "s": sent, "t": t}) + "\n")
        else:
            msg = str(reply)
            out.write(json.dumps({"e": "err", "v": n, "s": sent, "t": t,
                                  "k": error_kind(msg), "m": msg[:200]}) + "\n")
        time.sleep(interval_ms / 1000.0)
    out.close()


GROUP_NAME = "mymaster"


def sentinel_writer_main(sentinels, key, out_path, interval_ms, timeout):
    """writer_main's loop through redis-py's Sentinel support, as an application that
    uses Redis Sentinel directly writes: the master asked of the sentinels at each
    (re)connection, a -READONLY or a broken connection leading to a new one."""
    import redis
    from redis.sentinel import MasterNotFoundError, Sentinel
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    addrs = [(a.rsplit(":", 1)[0], int(a.rsplit(":", 1)[1])) for a in sentinels.split(",")]
    sentinel = Sentinel(addrs, socket_timeout=1.0, socket_connect_timeout=1.0)
    master = sentinel.master_for(GROUP_NAME, socket_timeout=timeout, socket_connect_timeout=1.0)
    out = open(out_path, "a", buffering=1)
    n = 0
    while not stop:
        n += 1
        sent = now_ms()
        try:
            master.rpush(key, n)
            out.write(json.dumps({"e": "ack", "v": n, "s": sent, "t": now_ms()}) + "\n")
        except MasterNotFoundError:
            out.write(json.dumps({"e": "connect-fail", "t": now_ms(), "k": "no-master"}) + "\n")
            time.sleep(0.05)
            continue
        except redis.exceptions.ResponseError as e:   # READONLY and the like: not run
            msg = str(e)
            out.write(json.dumps({"e": "err", "v": n, "s": sent, "t": now_ms(),
                                  "k": error_kind(msg), "m": msg[:200]}) + "\n")
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as e:
            if "connecting to" in str(e):   # refused or timed out before anything was sent
                out.write(json.dumps({"e": "connect-fail", "t": now_ms(),
                                      "k": "connect"}) + "\n")
            else:                             # sent: the outcome is unknown
                out.write(json.dumps({"e": "fail", "v": n, "s": sent, "t": now_ms(),
                                      "k": type(e).__name__}) + "\n")
            time.sleep(0.05)
            continue
        time.sleep(interval_ms / 1000.0)
    out.close()



def probe_main(host, port, timeout, args):
    """One command on a fresh connection; prints {"reply", "ms"} or {"fail", "ms"}."""
    client = resp.Client(host, port, timeout=timeout, connect_timeout=timeout)
    start = time.monotonic()
    try:
        out = {"reply": client.call(*args)}
    except resp.ConnectionFailed as e:
        out = {"fail": e.kind}
    out["ms"] = int((time.monotonic() - start) * 1000)
    print(json.dumps(out), flush=True)


class Probe:
    """A probe process in a client namespace (see probe_main)."""

    def __init__(self, net, client_node, host, port, timeout, *args, preexec_fn=None):
        argv = [sys.executable, os.path.abspath(__file__), "probe", "--host", host,
                "--port", str(port), "--timeout", str(timeout), "--"] + [str(a) for a in args]
        self.proc = subprocess.Popen(net.exec_argv(client_node, argv), stdout=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, preexec_fn=preexec_fn)
        self.result = None

    def done(self):
        if self.result is None and self.proc.poll() is not None:
            out = self.proc.stdout.read().decode().strip()
            self.result = json.loads(out) if out else {"fail": f"exit {self.proc.returncode}"}
        return self.result

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Writer:
    """A writer process in a client namespace, and what it has recorded so far."""

    def __init__(self, name, proxy, key, out_path):
        self.name, self.proxy, self.key, self.out_path = name, proxy, key, out_path
        self.proc = None
        self.events = []
        self._offset = 0
        self._partial = b""

    def start(self, net, client_node, host, port, interval_ms=5, timeout=3.0,
              preexec_fn=None, sentinels=None):
        """`sentinels` ("ip:port,..."): write through redis-py's Sentinel support instead
        of to host:port (Debian's interpreter, which has python3-redis)."""
        argv = [sys.executable, os.path.abspath(__file__), "writer", "--host", host,
                "--port", str(port), "--key", self.key, "--out", self.out_path,
                "--interval-ms", str(interval_ms), "--timeout", str(timeout)]
        if sentinels:
            argv[0] = "/usr/bin/python3"
            argv += ["--sentinels", sentinels]
        open(self.out_path, "w").close()
        self.proc = subprocess.Popen(net.exec_argv(client_node, argv),
                                     stdin=subprocess.DEVNULL, preexec_fn=preexec_fn)

    def poll(self):
        """Reads the lines written since the last call (a partial last line waits)."""
        with open(self.out_path, "rb") as f:
            f.seek(self._offset)
            data = f.read()
        self._offset += len(data)
        data = self._partial + data
        lines = data.split(b"\n")
        self._partial = lines.pop()
        self.events.extend(json.loads(line) for line in lines if line)
        return self.events

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)   # at most one reply timeout
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.poll()

    # -- what the harness waits for

    def acks_after(self, t):
        return [e for e in self.poll() if e["e"] == "ack" and e["t"] > t]

    def errors_after(self, t, kinds=None):
        return [e for e in self.poll() if e["e"] in ("err", "fail", "connect-fail")
                and e["t"] > t and (kinds is None or e.get("k") in kinds)]


# --------------------------------------------------------------------------- observer

class Observer:
    """Polls every server and proxy every 100 ms from outside the faults; one thread per
    target so a slow target delays only its own samples."""

    def __init__(self, group, redis_nodes, proxy_nodes):
        self.group = group
        self.redis = {n: [] for n in redis_nodes}     # node -> [(t, info dict)]
        self.proxies = {n: [] for n in proxy_nodes}   # node -> [(t, master, epoch, fenced)]
        self._stop = threading.Event()
        self._threads = []

    def start(self):
        for n in self.redis:
            self._spawn(self._poll_redis, n)
        for n in self.proxies:
            self._spawn(self._poll_proxy, n)

    def _spawn(self, fn, node):
        t = threading.Thread(target=fn, args=(node,), daemon=True)
        t.start()
        self._threads.append(t)

    def _poll_redis(self, node):
        c = resp.Client(self.group.ip(node), 6379, timeout=1.0, connect_timeout=1.0)
        while not self._stop.wait(POLL_INTERVAL):
            try:
                info = resp.parse_info(c.call("INFO", "replication"))
            except resp.ConnectionFailed:
                continue
            self.redis[node].append((now_ms(), info))
        c.close()

    def _poll_proxy(self, node):
        if self.group.stack == "redis-sentinel":
            while not self._stop.wait(POLL_INTERVAL):
                try:
                    topo = self.group.topology(node)
                except (resp.ConnectionFailed, TypeError, IndexError):
                    continue
                self.proxies[node].append((now_ms(), topo["master"], topo["epoch"], False))
            return
        c = resp.Client(self.group.ip(node), 26380, timeout=1.0, connect_timeout=1.0)
        while not self._stop.wait(POLL_INTERVAL):
            try:
                topo = resp.pairs(c.call("PROXY", "TOPOLOGY"))
                info = resp.parse_info(c.call("PROXY", "INFO"))
            except resp.ConnectionFailed:
                continue
            master = self.group.net.node_of_ip(topo.get("master-host"))
            self.proxies[node].append((now_ms(), master, topo.get("epoch"),
                                       info.get("writes_fenced") == "1"))
        c.close()

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=3)

    # -- questions about the samples

    def first_fenced_after(self, proxy, t):
        for ts, _, _, fenced in list(self.proxies[proxy]):
            if ts >= t and fenced:
                return ts
        return None

    def promotion_seen(self, node, after):
        """When the observer first saw `node` turn from replica to master after `after`
        (a master that merely went on calling itself master, cut off with a minority,
        is not a promotion)."""
        previous = None
        for ts, info in list(self.redis[node]):
            role = info.get("role")
            if ts >= after and previous == "slave" and role == "master":
                return ts
            previous = role
        return None

    def dump(self, path):
        """Every sample, one JSON line each, for a post-mortem."""
        with open(path, "w") as f:
            for node, samples in self.redis.items():
                for ts, info in samples:
                    f.write(json.dumps({"t": ts, "node": node, "role": info.get("role"),
                                        "master_repl_offset": info.get("master_repl_offset"),
                                        "slave_repl_offset": info.get("slave_repl_offset"),
                                        "master_host": info.get("master_host"),
                                        "link": info.get("master_link_status")}) + "\n")
            for node, samples in self.proxies.items():
                for ts, master, epoch, fenced in samples:
                    f.write(json.dumps({"t": ts, "node": node, "master": master,
                                        "epoch": epoch, "fenced": fenced}) + "\n")

    def last_offset_before(self, node, t, role):
        """The node's last offset sampled before t while it had `role` (None if none):
        master_repl_offset for a master, slave_repl_offset for a replica."""
        field = "master_repl_offset" if role == "master" else "slave_repl_offset"
        best = None
        for ts, info in list(self.redis[node]):
            if ts >= t:
                break
            if info.get("role") == role and field in info:
                best = (ts, int(info[field]))
        return best

    def last_master_offset(self, node):
        """The node's last master_repl_offset sampled while it called itself master."""
        best = None
        for ts, info in list(self.redis[node]):
            if info.get("role") == "master":
                best = (ts, int(info["master_repl_offset"]))
        return best


# --------------------------------------------------------------------- the switches

def switches_from_histories(histories, node_of, observer):
    """The group's master switches, oldest first, merged from every proxy's PROXY
    FAILOVER HISTORY: {old, new, epoch, at (earliest promotion anyone saw), swapped
    (proxy -> the time it moved its clients)}."""
    by_epoch = {}
    for proxy, records in histories.items():
        for r in records:
            if r.get("outcome") != "switched":
                continue
            epoch = r.get("config-epoch")
            sw = by_epoch.setdefault(epoch, {
                "epoch": epoch, "old": node_of(r.get("old-master", "").rsplit(":", 1)[0]),
                "new": node_of(r.get("new-master", "").rsplit(":", 1)[0]),
                "at_candidates": [], "swapped": {}, "offset_lost": {}, "leader": None})
            start = r.get("started-at", -1)
            for key in ("promoted-ms", "swapped-ms"):
                if start > 0 and r.get(key, -1) >= 0:
                    sw["at_candidates"].append(start + r[key])
            if start > 0 and r.get("swapped-ms", -1) >= 0:
                sw["swapped"][proxy] = start + r["swapped-ms"]
            sw["offset_lost"][proxy] = r.get("offset-lost")
            if r.get("leader") == "yes":
                sw["leader"] = proxy
    out = []
    for sw in by_epoch.values():
        seen = observer.promotion_seen(sw["new"], min(sw["at_candidates"]) - 5000) \
            if sw["at_candidates"] else None
        candidates = sw.pop("at_candidates") + ([seen] if seen else [])
        sw["at"] = min(candidates) if candidates else None
        sw["observer_saw_promotion"] = seen
        out.append(sw)
    out.sort(key=lambda s: (s["at"] or 0))
    return out


def offset_window(observer, sw):
    """Bytes the promoted replica was behind the old master when it was promoted (last
    samples before the switch), and how far the old master went on as master after."""
    if sw["at"] is None:
        return {}
    old = observer.last_offset_before(sw["old"], sw["at"], "master")
    new = observer.last_offset_before(sw["new"], sw["at"], "slave")
    final_old = observer.last_master_offset(sw["old"])
    w = {"old_master_offset": old[1] if old else None,
         "promoted_offset": new[1] if new else None}
    if old and new:
        w["window_bytes"] = old[1] - new[1]
    if final_old and new:
        w["old_master_final_offset"] = final_old[1]
        w["diverged_bytes"] = final_old[1] - new[1]
    return w


def routing_from_history(proxy, initial_master, switches):
    """[(t, master)] for the proxy: the initial master, then each switch at the time the
    proxy itself reports it moved its clients."""
    out = [(0, initial_master)]
    for sw in switches:
        t = sw["swapped"].get(proxy)
        if t is not None:
            out.append((t, sw["new"]))
    out.sort()
    return out


def master_at(routing, t):
    i = bisect.bisect_right([ts for ts, _ in routing], t) - 1
    return routing[max(i, 0)][1]


# --------------------------------------------------------------------------- analysis

def longest_gap(ack_times, start, end):
    """Longest stretch in [start, end] without an acknowledgement."""
    points = [start] + sorted(t for t in ack_times if start <= t <= end) + [end]
    return max(b - a for a, b in zip(points, points[1:])) if end > start else 0


def switch_replacing(master, t, switches):
    """The switch that replaced `master` in the term it held at time t: the first one
    with it as old master after the last switch before t that made it master."""
    became = max((sw["at"] for sw in switches
                  if sw["new"] == master and sw["at"] and sw["at"] <= t), default=0)
    return next((sw for sw in switches
                 if sw["old"] == master and sw["at"] and sw["at"] > became), None)


def classify_lost(event, routing, switches):
    """Why an acknowledged value is missing from the final master (see module doc)."""
    master = master_at(routing, event["t"])
    replaced = switch_replacing(master, event["t"], switches)
    if replaced is None:
        return "unexplained", master
    if event["t"] > replaced["at"]:
        return "replaced-master", master
    # Unknown offsets (a sample missing) do not turn an early ack into a finding; a
    # known window of 0 bytes does: nothing was left behind to lose.
    if (replaced.get("window") or {}).get("diverged_bytes", 1) > 0:
        return "explained", master
    return "unexplained", master


def analyze(scenario, writers, final_master, final_lists, replica_lists, observer,
            histories, node_of, initial_master, marks):
    """The report of one scenario: a dict (see `summary_line` for the headline)."""
    switches = switches_from_histories(histories, node_of, observer)
    for sw in switches:
        sw["window"] = offset_window(observer, sw)
    start = marks["writers_started"]
    end = marks["writers_stopped"]
    faults = marks.get("faults") or [(start, "start")]

    def since_fault(t):
        """'+N ms after <the last fault before t>', to read a loss against its cause."""
        ft, what = max((f for f in faults if f[0] <= t), default=faults[0])
        return f"{t - ft:+d} ms after '{what}'"

    report = {"scenario": scenario, "final_master": final_master, "switches": switches,
              "acknowledged": 0, "lost": 0, "lost_explained": 0, "lost_unexplained": 0,
              "acked_by_replaced_master": 0, "indeterminate": 0, "indeterminate_applied": 0,
              "duplicates": 0, "errors": {}, "disconnects": 0, "longest_gap_ms": 0,
              "replicas_diverged": 0, "writers": {}, "marks": marks, "lost_samples": []}
    all_acks = []
    for w in writers:
        present = final_lists.get(w.key, [])
        present_set = set(present)
        routing = routing_from_history(w.proxy, initial_master, switches)
        acks = [e for e in w.events if e["e"] == "ack"]
        ws = {"proxy": w.proxy, "acknowledged": len(acks), "lost": 0, "explained": 0,
              "unexplained": 0, "replaced_master": 0, "errors": {}, "disconnects": 0,
              "indeterminate": 0, "longest_gap_ms": longest_gap([e["t"] for e in acks],
                                                                start, end)}
        for e in acks:
            if str(e["v"]) in present_set:
                continue
            ws["lost"] += 1
            why, master = classify_lost(e, routing, switches)
            ws[why.replace("-", "_")] += 1
            ws.setdefault("lost_by", {}).setdefault((why, master), []).append(e)
        for e in w.events:
            if e["e"] in ("err", "fail", "connect-fail"):
                ws["errors"][e["k"]] = ws["errors"].get(e["k"], 0) + 1
            if e["e"] == "fail":
                ws["disconnects"] += 1
                ws["indeterminate"] += 1
                if str(e["v"]) in present_set:
                    report["indeterminate_applied"] += 1
        for (why, master), events in sorted(ws.pop("lost_by", {}).items()):
            report["lost_samples"].append({
                "writer": w.name, "why": why, "via": master, "count": len(events),
                "values": f"{events[0]['v']}..{events[-1]['v']}",
                "first_ack": since_fault(events[0]["t"]),
                "last_ack": since_fault(events[-1]["t"])})
        report["duplicates"] += len(present) - len(present_set)
        report["writers"][w.name] = ws
        all_acks.extend(e["t"] for e in acks)
        report["acknowledged"] += ws["acknowledged"]
        report["lost"] += ws["lost"]
        report["lost_explained"] += ws["explained"]
        report["lost_unexplained"] += ws["unexplained"]
        report["acked_by_replaced_master"] += ws["replaced_master"]
        report["disconnects"] += ws["disconnects"]
        report["indeterminate"] += ws["indeterminate"]
        for k, n in ws["errors"].items():
            report["errors"][k] = report["errors"].get(k, 0) + n
        for node, lists in replica_lists.items():
            if lists.get(w.key) != present:
                report["replicas_diverged"] += 1
    report["longest_gap_ms"] = longest_gap(all_acks, start, end)
    return report


# ---------------------------------------------------------------------------- printing

def summary_line(r):
    errs = ", ".join(f"{k} {n}" for k, n in sorted(r["errors"].items())) or "none"
    sw = "; ".join(f"{s['old']}->{s['new']} (epoch {s['epoch']})" for s in r["switches"])
    return (f"{r['scenario']}: {r['acknowledged']} acknowledged, {r['lost']} lost "
            f"({r['lost_explained']} explained by async replication, "
            f"{r['acked_by_replaced_master']} acked by a replaced master, "
            f"{r['lost_unexplained']} unexplained), {r['indeterminate']} indeterminate "
            f"({r['indeterminate_applied']} applied), {r['disconnects']} disconnects, "
            f"longest gap {r['longest_gap_ms']} ms; errors: {errs}; "
            f"switches: {sw or 'none'}; final master {r['final_master']}")


def table(r):
    """The report as a small fixed-width table, one row per writer and a total."""
    cols = ["writer", "proxy", "acked", "lost", "explained", "replaced", "unexpl",
            "indet", "disc", "gap_ms", "errors"]
    rows = []
    for name, w in sorted(r["writers"].items()):
        errs = " ".join(f"{k}:{n}" for k, n in sorted(w["errors"].items())) or "-"
        rows.append([name, w["proxy"], w["acknowledged"], w["lost"], w["explained"],
                     w["replaced_master"], w["unexplained"], w["indeterminate"],
                     w["disconnects"], w["longest_gap_ms"], errs])
    errs = " ".join(f"{k}:{n}" for k, n in sorted(r["errors"].items())) or "-"
    rows.append(["all", "", r["acknowledged"], r["lost"], r["lost_explained"],
                 r["acked_by_replaced_master"], r["lost_unexplained"], r["indeterminate"],
                 r["disconnects"], r["longest_gap_ms"], errs])
    widths = [max(len(str(x)) for x in [c] + [row[i] for row in rows])
              for i, c in enumerate(cols)]
    fmt = lambda row: "  ".join(str(x).ljust(wd) for x, wd in zip(row, widths)).rstrip()
    lines = [f"== {r['scenario']}", fmt(cols)] + [fmt(row) for row in rows]
    for sw in r["switches"]:
        win = sw.get("window") or {}
        swapped = " ".join(f"{p}:+{t - sw['at']}ms" for p, t in sorted(sw["swapped"].items())) \
            if sw["at"] else "-"
        lines.append(f"switch {sw['old']}->{sw['new']} epoch {sw['epoch']} leader "
                     f"{sw['leader']} at {sw['at']}; proxies moved {swapped}; offsets "
                     f"old {win.get('old_master_offset')} promoted "
                     f"{win.get('promoted_offset')} window {win.get('window_bytes')} B, "
                     f"old master went on to {win.get('old_master_final_offset')} "
                     f"(diverged {win.get('diverged_bytes')} B); offset-lost by proxy "
                     f"{sw['offset_lost']}")
    for key, value in r.get("facts", {}).items():
        lines.append(f"{key}: {value}")
    if r["duplicates"] or r["replicas_diverged"]:
        lines.append(f"duplicates {r['duplicates']}, lists differing on a replica "
                     f"{r['replicas_diverged']}")
    for s in r["lost_samples"]:
        lines.append(f"lost by {s['writer']}: {s['count']} acknowledged via {s['via']} "
                     f"({s['why']}), values {s['values']}, acknowledged from "
                     f"{s['first_ack']} to {s['last_ack']}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="(internal) writers and probes for "
                                             "partition_test.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("writer")
    w.add_argument("--host", required=True)
    w.add_argument("--port", type=int, required=True)
    w.add_argument("--key", required=True)
    w.add_argument("--out", required=True)
    w.add_argument("--interval-ms", type=float, default=5)
    w.add_argument("--timeout", type=float, default=3.0)
    w.add_argument("--sentinels", help="ip:port,...: through redis-py's Sentinel support")
    p = sub.add_parser("probe")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--timeout", type=float, default=15.0)
    p.add_argument("command", nargs="+")
    args = ap.parse_args()
    if args.cmd == "writer" and args.sentinels:
        sentinel_writer_main(args.sentinels, args.key, args.out, args.interval_ms, args.timeout)
    elif args.cmd == "writer":
        writer_main(args.host, args.port, args.key, args.out, args.interval_ms, args.timeout)
    else:
        probe_main(args.host, args.port, args.timeout, args.command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
