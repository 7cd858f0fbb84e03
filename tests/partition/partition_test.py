#!/usr/bin/python3
"""Partitions over real links, and what the clients of sentinel-proxy were told.

  /usr/bin/python3 tests/partition/partition_test.py --binary build/sentinel-proxy
                   [--scenarios a,b] [--long] [--minutes N] [--seed S] [--keep]
                   [--durability async|replica|all] [--stack redis-sentinel]

Each scenario gets a fresh group on one network of namespaces (partition.py): r1 the
master, r2 and r3 its replicas, p1..p3 sentinel-proxies (sentinel inside, quorum 2,
down-after-milliseconds 1000, failover-timeout 6000, fence-on-minority yes), c1..c3
clients; ci writes through pi (checker.py). A scenario waits for the group to be ready,
starts the writers, applies its faults, heals, waits for the group to converge, stops
the writers and checks every acknowledged write on the final master. Every wait polls a
condition under a deadline; the only fixed durations are how long a fault lasts.

Default (CI) scenarios:
  minority-master  r1 with p1 and c1 cut off from the rest (once the sentinels' links are
                   older than 15 s, as in a group that has run a while): p1 must stop
                   acknowledging within down-after + FENCE_MARGIN_MS and, once it refused
                   a write, acknowledge none until the heal; p2/p3 promote a replica and
                   their clients write again; after healing nothing acknowledged through
                   the majority is lost, and whatever c1 lost was acknowledged by r1
                   before the promotion, with the promoted replica behind it
  proxy-cut        p1 cut from everything but its client: c1 gets errors while cut, no
                   failover, nothing acknowledged is lost, p1 follows the master again
--long adds:
  minority-master-replica
                   r1 with its replica r2, p1 and c1 cut off: the majority promotes r3;
                   whatever is lost was acknowledged by r1 before the promotion (with
                   --durability replica too: r2 confirmed it; not with --durability all)
  kill-master      SIGKILL of r1 (started again, empty, once a replica is promoted): every
                   proxy follows the promoted replica, and whatever is lost was
                   acknowledged by r1 within the replication window
  majority-master  r1 with r2, p1, p2 and their clients; r3, p3, c3 cut off: p3 fences,
                   no failover, nothing lost
  one-way          everything r1 sends to r2 and r3 is lost for 8 s: no failover, the
                   replicas catch up after healing, nothing lost
  netem-master     r1's packets delayed 200 ms and 10% lost for 20 s: whatever the
                   sentinels decide, nothing acknowledged is lost unexplained
  random           random cuts, splits, one-way losses and delays for --minutes

--durability replica runs the proxies with `write-durability replica` (a write is
acknowledged only once a replica has it), --durability all with
`write-durability-replicas 2` as well (once both have it): then every scenario must also
lose no acknowledged write at all. (With one replica, a split that leaves the master with
the replica that confirmed could lose writes the other replica, promoted, lacks; none of
these scenarios makes one.)

--stack redis-sentinel runs the comparable scenarios (minority-master, kill-master,
minority-master-replica) with three redis-sentinel in place of the proxies and writers
that find the master with redis-py's Sentinel support (Debian's python3-redis), for the
same figures side by side; the proxies' expectations are then reported, not enforced.

Expectations that guard against a proxy bug this harness found name it (KNOWN_BUGS below:
fence-relapse, fence-after-promotion, both fixed in sentinel/instance.cc, peer_in_reach);
they fail the run like any other unless the name is given to --xfail (for a binary older
than the fix), which prints them as XFAIL (or XPASS when they held) instead.

Exit status: 0 every expectation held, 1 one did not (its logs are printed), 77 network
namespaces cannot be created here (not root, no `ip netns`).
"""
import argparse
import os
import random
import shutil
import sys
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
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 6000
# How long past down-after-milliseconds a proxy cut off with the old master may still
# acknowledge writes: a peer counts as silent down-after ms after the first PING it left
# unanswered, and PINGs go out once a second, so up to 1000 ms more when the cut comes
# right after a reply; the rest is room for the once-every-100-ms check and a busy
# 2-core machine.
FENCE_MARGIN_MS = 2000
# A sentinel closes a link whose PING has been unanswered for down-after/2 only when the
# link is older than this (Sentinel's SENTINEL_MIN_LINK_RECONNECT_PERIOD), then opens it
# again: a partition of a group started a few seconds earlier takes another path than
# one of a group that has run for a while, so the minority scenario waits this long.
MIN_LINK_RECONNECT_PERIOD_S = 15
CLIENT_TIMEOUT_S = 3.0      # the writers' reply timeout: below the hold, as a real client
WRITE_INTERVAL_MS = 5
DEFAULT_SCENARIOS = ["minority-master", "proxy-cut"]
# Proxy bugs this harness found; an expectation that names one fails the run unless the
# name is given to --xfail (for landing the harness before the fix, visibly).
KNOWN_BUGS = {
    # Fixed: a peer counts once it answered on its reopened link.
    "fence-relapse": "a fenced proxy accepted writes again for ~0.5 s while still cut off: "
                     "the sentinel closes a peer's stuck link after down-after/2, and the "
                     "reconnect marked it connected before any reply until the peer's +sdown",
    # Fixed: peers are pinged four times per down-after and one with a PING waiting half of
    # down-after is out of reach, so the minority fences before the majority can promote.
    "fence-after-promotion": "nothing ordered the minority proxy's fence before the "
                             "majority's promotion (both waited down-after from PINGs sent "
                             "once a second, at unrelated phases): writes acknowledged by "
                             "the old master after the promotion were lost",
    # Fixed: a peer back after a gap counts once it sent a hello since (sentinel/instance.cc).
    "fence-lifted-before-news": "after the heal the minority proxy reached a majority and "
                                "took writes again ~0.5 s before a hello told it of the "
                                "promotion: the replaced master acknowledged them (14 lost "
                                "in one run of minority-master-replica)",
}
# What --stack redis-sentinel runs (the others wait for a proxy's fence).
COMPARABLE_SCENARIOS = ["minority-master", "kill-master", "minority-master-replica"]
# Scenarios whose faults may leave the master with a replica on the minority side: that
# replica may confirm writes (write-durability replica) the promoted one never gets.
MASTER_MAY_KEEP_A_REPLICA = {"minority-master-replica", "random"}
LONG_SCENARIOS = ["kill-master", "minority-master-replica", "majority-master", "one-way", "netem-master", "random"]


class ExpectationFailed(Exception):
    pass


class Run:
    """One scenario: its group, writers, observer, the times of its steps and the
    expectations it checked."""

    def __init__(self, name, net, binary, rootdir, durability="async", stack="sentinel-proxy"):
        self.name, self.net = name, net
        self.workdir = os.path.join(rootdir, name)
        os.makedirs(self.workdir)
        self.group = Group(net, binary, self.workdir, DOWN_AFTER_MS, FAILOVER_TIMEOUT_MS,
                           durability, stack)
        self.observer = checker.Observer(self.group, REDIS_NODES, PROXY_NODES)
        self.writers = {c: checker.Writer(c, p, f"{name}:{c}",
                                          os.path.join(self.workdir, f"writer-{c}.jsonl"))
                        for c, p in zip(CLIENT_NODES, PROXY_NODES)}
        self.marks = {}
        self.expectations = []   # (ok, text, known bug or None)
        self.facts = {}
        self.probes = []
        self.report = None

    # -- steps

    def mark(self, what):
        self.marks[what] = now_ms()
        return self.marks[what]

    def since(self, what):
        return now_ms() - self.marks[what]

    def start(self):
        """The group ready, the observer polling, every writer acknowledged."""
        self.group.start()
        self.mark("proxies_started")
        self.group.wait_ready(timeout=30)
        self.observer.start()
        self.mark("writers_started")
        for client, w in self.writers.items():
            sentinels = None
            if self.group.stack == "redis-sentinel":
                # Its own node's sentinel first, as an application beside it would list it.
                order = [w.proxy] + [p for p in PROXY_NODES if p != w.proxy]
                sentinels = ",".join(f"{self.group.ip(p)}:{partition.SENTINEL_PORT}"
                                     for p in order)
            w.start(self.net, client, self.group.ip(w.proxy), CLIENT_PORT,
                    interval_ms=WRITE_INTERVAL_MS, timeout=CLIENT_TIMEOUT_S,
                    preexec_fn=partition.die_with_parent, sentinels=sentinels)
        wait_until("every writer to be acknowledged",
                   lambda: all(len(w.acks_after(0)) >= 20 for w in self.writers.values()),
                   15)

    def fault(self, description, apply):
        """Applies a fault; returns when it was in place (the bounds are counted from
        then: installing it is the harness's time, not the proxies'). Errors are explained
        from its start."""
        print(f"  fault: {description}", flush=True)
        t = self.mark("fault")
        self.marks.setdefault("faults", []).append((t, description))
        apply()
        in_place = self.mark("fault_in_place")
        self.facts["fault"] = description
        self.facts["fault in place after"] = f"{in_place - t} ms"
        return in_place

    def heal(self):
        t = self.mark("heal")
        self.net.heal()
        print(f"  healed after {t - self.marks['fault']} ms", flush=True)
        return t

    def hold(self, seconds):
        """How long a fault lasts (a duration of the scenario, not a wait for a state);
        a writer process that dies meanwhile ends it early."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.check_processes()
            time.sleep(0.1)

    def check_processes(self):
        gone = self.group.procs.exited()
        if gone:
            raise ExpectationFailed(f"processes exited: {gone}")

    def age_sentinel_links(self):
        """Lets the sentinels' links grow older than MIN_LINK_RECONNECT_PERIOD_S, as in a
        group that has run for a while (a precondition, not a wait for a state)."""
        left = MIN_LINK_RECONNECT_PERIOD_S + 1 - self.since("proxies_started") / 1000
        if left > 0:
            print(f"  letting the sentinels' links age {left:.1f} s", flush=True)
            self.hold(left)

    def writer(self, client):
        return self.writers[client]

    def acked_after(self, clients, t):
        return all(self.writer(c).acks_after(t) for c in clients)

    def finish(self, converge_timeout=30):
        """Stops the writers once the group converged, reads every list, analyzes."""
        final = self.group.wait_converged(converge_timeout)
        for w in self.writers.values():
            w.stop()
        self.mark("writers_stopped")
        # The last writes must reach the replicas before their lists are compared.
        final = self.group.wait_converged(converge_timeout)
        self.observer.stop()
        self.observer.dump(os.path.join(self.workdir, "observer.jsonl"))
        final_lists = self.read_lists(final)
        replica_lists = {r: self.read_lists(r) for r in REDIS_NODES if r != final}
        histories = {p: self.group.failover_history(p) for p in PROXY_NODES}
        self.report = checker.analyze(self.name, list(self.writers.values()), final,
                                      final_lists, replica_lists, self.observer, histories,
                                      self.net.node_of_ip, "r1", self.marks)
        self.report["facts"] = self.facts
        return self.report

    def read_lists(self, node):
        c = resp.Client(self.group.ip(node), partition.REDIS_PORT, timeout=5)
        try:
            return {w.key: c.call("LRANGE", w.key, 0, -1) for w in self.writers.values()}
        finally:
            c.close()

    def expect(self, ok, text, bug=None):
        """One expectation; `bug` names a known proxy bug (KNOWN_BUGS) it depends on."""
        self.expectations.append((bool(ok), text, bug))

    def close(self):
        for p in self.probes:
            p.stop()
        self.observer.stop()
        for w in self.writers.values():
            w.stop()
        self.group.stop()

    # -- facts the scenarios share

    def last_ack_between(self, client, t0, t1):
        acks = [e["t"] for e in self.writer(client).events if e["e"] == "ack" and t0 < e["t"] < t1]
        return max(acks) if acks else None

    def proxies_route_to_new_master(self, proxies, old):
        """The master the given proxies all route to, if it is not `old` (else None)."""
        masters = {self.group.topology(p)["master"] for p in proxies}
        if len(masters) == 1 and old not in masters:
            return masters.pop()
        return None


# ------------------------------------------------------------------------- scenarios

def minority_master(run):
    """r1 isolated with p1 and c1 (a minority of the sentinels)."""
    minority = ["r1", "p1", "c1"]
    majority = [n for n in ALL_NODES if n not in minority]
    run.age_sentinel_links()
    t_fault = run.fault("split {r1 p1 c1} | {r2 r3 p2 p3 c2 c3}",
                        lambda: run.net.split(minority, majority))
    new = wait_until("p2 and p3 to route to a promoted replica",
                     lambda: run.proxies_route_to_new_master(["p2", "p3"], "r1"), 20)
    t_switch = run.mark("majority_switched")
    if run.group.durability == "all":
        # The promoted replica's only replica is cut off: nothing is confirmed until then.
        wait_until("c2 and c3 to be refused -NOREPLICAS after the switch",
                   lambda: all(run.writer(c).errors_after(t_switch, {"NOREPLICAS"})
                               for c in ("c2", "c3")), 15)
    else:
        wait_until("c2 and c3 to be acknowledged after the switch",
                   lambda: run.acked_after(["c2", "c3"], t_switch), 15)
    if run.group.stack == "redis-sentinel":
        # No fence: c1 goes on writing to r1 through the split, as redis-py does.
        run.hold(2)
        t_heal = run.heal()
        wait_until("c1 to be acknowledged again after healing",
                   lambda: run.writer("c1").acks_after(t_heal), 30)
        report = run.finish()
        run.facts["p2/p3 routed to the new master"] = f"+{t_switch - t_fault} ms"
        last = run.last_ack_between("c1", t_fault, t_heal)
        run.facts["c1 last ack via r1 after the split"] = \
            f"+{last - t_fault} ms" if last else "none"
        run.expect(new in ("r2", "r3"), f"the majority promoted a replica ({new})")
        run.expect(report["final_master"] == new,
                   f"the group converged on {new} ({report['final_master']})")
        return
    wait_until("c1 to be refused as fenced",
               lambda: run.writer("c1").errors_after(t_fault, {"MASTERDOWN fenced"}), 10)
    run.hold(2)   # both sides at work a while: p1 must go on refusing
    t_heal = run.heal()
    wait_until("c1 to be acknowledged again after healing",
               lambda: run.writer("c1").acks_after(t_heal), 30)
    report = run.finish()

    bound = DOWN_AFTER_MS + FENCE_MARGIN_MS
    last = run.last_ack_between("c1", t_fault, t_heal)
    fenced_at = run.observer.first_fenced_after("p1", t_fault)
    run.facts["p1 last ack after the split"] = f"+{last - t_fault} ms" if last else "none"
    run.facts["p1 fenced (observer)"] = f"+{fenced_at - t_fault} ms" if fenced_at else "never"
    run.facts["p2/p3 routed to the new master"] = f"+{t_switch - t_fault} ms"
    run.expect(last is None or last - t_fault <= bound,
               f"p1 stopped acknowledging within {bound} ms of the split "
               f"(last ack +{last - t_fault if last else 0} ms)")
    run.expect(fenced_at is not None, "the observer saw p1 fenced (writes_fenced:1)")
    first_refusal = min((e["t"] for e in run.writer("c1").errors_after(
        t_fault, {"MASTERDOWN fenced"})), default=None)
    relapse = [e for e in run.writer("c1").events
               if e["e"] == "ack" and first_refusal and first_refusal < e["t"] < t_heal]
    run.facts["p1 first refused a write"] = \
        f"+{first_refusal - t_fault} ms" if first_refusal else "never"
    run.expect(not relapse, f"once p1 refused a write as fenced it acknowledged none until "
               f"the heal ({len(relapse)} acknowledged"
               + (f", from +{relapse[0]['t'] - t_fault} to +{relapse[-1]['t'] - t_fault} ms"
                  if relapse else "") + ")", bug="fence-relapse")
    run.expect(new in ("r2", "r3"), f"the majority promoted a replica ({new})")
    run.expect(report["final_master"] == new,
               f"the group converged on {new} ({report['final_master']})")
    majority_lost = sum(report["writers"][c]["lost"] for c in ("c2", "c3"))
    run.expect(majority_lost == 0, f"nothing acknowledged through p2/p3 lost ({majority_lost})")
    run.expect(report["lost_unexplained"] == 0,
               f"every lost write explained ({report['lost_explained']} of "
               f"{report['lost']} by async replication, {report['acked_by_replaced_master']} "
               f"acked by a replaced master, {report['lost_unexplained']} unexplained)")
    run.expect(report["acked_by_replaced_master"] == 0,
               f"no write acknowledged by r1 after the promotion "
               f"({report['acked_by_replaced_master']})", bug="fence-after-promotion")
    run.expect(len(report["switches"]) == 1, f"one switch ({len(report['switches'])})")


def minority_master_replica(run):
    """r1 isolated with its replica r2, p1 and c1 (a minority of the sentinels)."""
    minority = ["r1", "r2", "p1", "c1"]
    majority = [n for n in ALL_NODES if n not in minority]
    run.age_sentinel_links()
    t_fault = run.fault("split {r1 r2 p1 c1} | {r3 p2 p3 c2 c3}",
                        lambda: run.net.split(minority, majority))
    new = wait_until("p2 and p3 to route to r3",
                     lambda: run.proxies_route_to_new_master(["p2", "p3"], "r1"), 20)
    t_switch = run.mark("majority_switched")
    if run.group.durability == "async":
        wait_until("c2 and c3 to be acknowledged after the switch",
                   lambda: run.acked_after(["c2", "c3"], t_switch), 15)
    else:
        # r3 has no replica on its side: no write can be confirmed there until the heal.
        wait_until("c2 and c3 to be refused -NOREPLICAS after the switch",
                   lambda: all(run.writer(c).errors_after(t_switch, {"NOREPLICAS"})
                               for c in ("c2", "c3")), 15)
    run.hold(2)
    t_heal = run.heal()
    wait_until("every writer to be acknowledged again after healing",
               lambda: run.acked_after(CLIENT_NODES, t_heal), 30)
    report = run.finish()
    last = run.last_ack_between("c1", t_fault, t_heal)
    run.facts["p1 last ack after the split"] = f"+{last - t_fault} ms" if last else "none"
    run.facts["p2/p3 routed to the new master"] = f"+{t_switch - t_fault} ms"
    run.expect(new == "r3", f"the majority promoted r3 ({new})")
    run.expect(report["lost_unexplained"] == 0,
               f"every lost write explained ({report['lost_explained']} of "
               f"{report['lost']} by async replication, {report['lost_unexplained']} "
               f"unexplained)")
    run.expect(report["acked_by_replaced_master"] == 0,
               f"no write acknowledged by r1 after the promotion "
               f"({report['acked_by_replaced_master']})", bug="fence-lifted-before-news")


def proxy_cut(run):
    """p1 cut from every other node; its client still reaches it."""
    t_fault = run.fault("cut p1 (c1 keeps its link to p1)",
                        lambda: run.net.cut("p1", keep=["c1"]))
    wait_until("p1 to be fenced (observer)",
               lambda: run.observer.first_fenced_after("p1", t_fault), 10)
    # What a client with a patient timeout is told by a proxy that is both fenced and
    # cut from its master (the writers give up after CLIENT_TIMEOUT_S).
    probe = checker.Probe(run.net, "c1", run.group.ip("p1"), CLIENT_PORT,
                          3 * FAILOVER_TIMEOUT_MS / 1000, "RPUSH", f"{run.name}:probe", "x",
                          preexec_fn=partition.die_with_parent)
    run.probes.append(probe)
    wait_until("c1 to get errors while cut",
               lambda: len(run.writer("c1").errors_after(t_fault)) >= 2, 15)
    t_ok = now_ms()
    wait_until("c2 and c3 to be acknowledged while p1 is cut",
               lambda: run.acked_after(["c2", "c3"], t_ok), 10)
    result = wait_until("the probe's reply", probe.done, 3 * FAILOVER_TIMEOUT_MS / 1000 + 5)
    run.facts["a write to fenced, cut p1 (patient client)"] = \
        f"{result.get('reply', result.get('fail'))!r} after {result['ms']} ms"
    t_heal = run.heal()
    wait_until("c1 to be acknowledged again after healing",
               lambda: run.writer("c1").acks_after(t_heal), 30)
    report = run.finish()

    bound = DOWN_AFTER_MS + FENCE_MARGIN_MS
    c1_errors = run.writer("c1").errors_after(t_fault)
    c1_errors = [e for e in c1_errors if e["t"] < t_heal]
    late = run.last_ack_between("c1", t_fault + bound, t_heal)
    run.facts["c1 errors while cut"] = len(c1_errors)
    run.facts["p1 fenced (observer)"] = \
        f"+{run.observer.first_fenced_after('p1', t_fault) - t_fault} ms"
    run.expect(len(c1_errors) > 0, f"c1 got errors while p1 was cut ({len(c1_errors)})")
    # Fenced and cut from its master, p1 refuses a write as fenced rather than holding it
    # for failover-hold-ms; a new connection first tries the master for connect-timeout.
    probe_reply = str(result.get("reply", ""))
    run.expect(probe_reply.startswith("MASTERDOWN") and "fence-on-minority" in probe_reply and
               result["ms"] <= 2000 + 1500,
               f"a write to the fenced, cut p1 is refused as fenced within connect-timeout "
               f"({probe_reply[:40]!r} after {result['ms']} ms)")
    run.expect(late is None, "p1 acknowledged nothing while cut (past the fence bound)")
    run.expect(report["lost"] == 0, f"nothing acknowledged lost ({report['lost']})")
    run.expect(not report["switches"], f"no failover ({len(report['switches'])} switches)")
    run.expect(report["final_master"] == "r1" and
               run.group.topology("p1")["master"] == "r1",
               "p1 routes to the master r1 again")


def kill_master(run):
    """SIGKILL of the master r1, started again once a replica is promoted."""
    run.hold(3)   # the writers at work a while, with writes in flight at the kill
    t_fault = run.fault("SIGKILL r1", lambda: run.group.kill("r1"))
    new = wait_until("every proxy to route to a promoted replica",
                     lambda: run.proxies_route_to_new_master(PROXY_NODES, "r1"), 20)
    t_switch = run.mark("switched")
    run.facts["every proxy routed to the new master"] = f"+{t_switch - t_fault} ms"
    if run.group.durability != "all":
        wait_until("every writer to be acknowledged after the switch",
                   lambda: run.acked_after(CLIENT_NODES, t_switch), 15)
    # As after a crash without persistence: an empty r1 with its old command line (a
    # master), which the sentinels turn into a replica of the promoted one.
    t_restart = run.mark("r1_restarted")
    run.group.start_redis("r1")
    # With both replicas required, writes are acknowledged again once r1 has synced.
    wait_until("every writer to be acknowledged after r1 is back",
               lambda: run.acked_after(CLIENT_NODES, t_restart), 30)
    report = run.finish(converge_timeout=40)
    gaps = {c: report["writers"][c]["longest_gap_ms"] for c in CLIENT_NODES}
    run.facts["longest gap per writer"] = ", ".join(f"{c} {g} ms" for c, g in gaps.items())
    run.expect(new in ("r2", "r3"), f"a replica was promoted ({new})")
    run.expect(report["final_master"] == new,
               f"the group converged on {new} ({report['final_master']})")
    run.expect(report["lost_unexplained"] == 0,
               f"every lost write explained ({report['lost_explained']} of "
               f"{report['lost']} by async replication, {report['lost_unexplained']} "
               f"unexplained)")
    run.expect(len(report["switches"]) == 1, f"one switch ({len(report['switches'])})")


def majority_master(run):
    """r1 keeps the majority; r3, p3 and c3 are cut off."""
    minority = ["r3", "p3", "c3"]
    majority = [n for n in ALL_NODES if n not in minority]
    t_fault = run.fault("split {r1 r2 p1 p2 c1 c2} | {r3 p3 c3}",
                        lambda: run.net.split(majority, minority))
    wait_until("p3 to be fenced (observer)",
               lambda: run.observer.first_fenced_after("p3", t_fault), 10)
    # p3 cannot reach r1 either, so c3's writes are held, not refused (see proxy-cut).
    wait_until("c3 to get errors while cut off",
               lambda: len(run.writer("c3").errors_after(t_fault)) >= 2, 15)
    run.hold(3 * DOWN_AFTER_MS / 1000)   # time enough for a (wrong) failover to start
    t_heal = run.heal()
    wait_until("c3 to be acknowledged again", lambda: run.writer("c3").acks_after(t_heal), 30)
    report = run.finish()
    run.expect(report["lost"] == 0, f"nothing acknowledged lost ({report['lost']})")
    run.expect(not report["switches"], f"no failover ({len(report['switches'])} switches)")
    run.expect(run.acked_after(["c1", "c2"], t_fault + 2 * DOWN_AFTER_MS),
               "c1 and c2 kept writing through the split")


def one_way(run):
    """Everything r1 sends to its replicas is lost; they can still send to it."""
    run.fault("one-way loss r1 -> r2, r3", lambda: run.net.one_way_loss("r1", ["r2", "r3"]))
    run.hold(8)
    run.heal()
    report = run.finish(converge_timeout=60)
    run.expect(report["lost"] == 0, f"nothing acknowledged lost ({report['lost']})")
    run.expect(not report["switches"], f"no failover ({len(report['switches'])} switches)")


def netem_master(run):
    """r1's packets delayed 200 ms and 10% of them lost for 20 s."""
    mode = {}
    run.fault("netem r1 delay 200 ms loss 10% for 20 s",
              lambda: mode.setdefault("m", run.net.netem("r1", delay_ms=200, loss_pct=10)))
    run.facts["netem implementation"] = mode["m"]
    run.hold(20)
    run.heal()
    report = run.finish(converge_timeout=60)
    run.expect(report["lost_unexplained"] == 0,
               f"every lost write explained ({report['lost_explained']} of {report['lost']})")
    run.expect(report["acked_by_replaced_master"] == 0,
               f"no write acknowledged by a replaced master "
               f"({report['acked_by_replaced_master']})", bug="fence-after-promotion")


def random_faults(run, minutes, rng):
    """Random faults of every kind, each healed and followed by convergence."""
    sites = [["r1"], ["r2"], ["r3"], ["p1", "c1"], ["p2", "c2"], ["p3", "c3"]]
    deadline = time.monotonic() + minutes * 60
    n = 0
    while time.monotonic() < deadline:
        n += 1
        kind = rng.choice(["cut", "split", "one-way", "netem"])
        if kind == "cut":
            node = rng.choice(REDIS_NODES + PROXY_NODES)
            keep = ["c" + node[1]] if node.startswith("p") else []
            run.fault(f"#{n} cut {node}", lambda: run.net.cut(node, keep=keep))
        elif kind == "split":
            rng.shuffle(sites)
            k = rng.randint(1, len(sites) - 1)
            a = [x for s in sites[:k] for x in s]
            b = [x for s in sites[k:] for x in s]
            run.fault(f"#{n} split {a} | {b}", lambda: run.net.split(a, b))
        elif kind == "one-way":
            src = rng.choice(REDIS_NODES + PROXY_NODES)
            dsts = rng.sample([x for x in REDIS_NODES + PROXY_NODES if x != src],
                              rng.randint(1, 3))
            run.fault(f"#{n} one-way loss {src} -> {dsts}",
                      lambda: run.net.one_way_loss(src, dsts))
        else:
            node = rng.choice(REDIS_NODES + PROXY_NODES)
            delay, loss = rng.choice([50, 100, 200, 300]), rng.choice([0, 2, 5, 10])
            run.fault(f"#{n} netem {node} {delay} ms {loss}%",
                      lambda: run.net.netem(node, delay_ms=delay, loss_pct=loss))
        run.hold(rng.uniform(2, 8))
        run.heal()
        run.group.wait_converged(60)
    run.facts["faults"] = n
    report = run.finish(converge_timeout=60)
    run.expect(report["lost_unexplained"] == 0,
               f"every lost write explained ({report['lost_explained']} of {report['lost']} by"
               f" async replication, {report['lost_unexplained']} unexplained)")
    run.expect(report["acked_by_replaced_master"] == 0,
               f"no write acknowledged by a replaced master "
               f"({report['acked_by_replaced_master']})", bug="fence-after-promotion")


# ---------------------------------------------------------------------------- running

def namespaces_work():
    probe = f"spp{os.getpid()}-probe"
    ok = partition.run(["ip", "netns", "add", probe], check=False)[0] == 0
    partition.run(["ip", "netns", "del", probe], check=False)
    return ok and os.geteuid() == 0


def verdict(passed, bug, xfail):
    """[ok], [FAIL], or for an expectation that depends on a known bug named in
    --xfail: [XFAIL] (failed as expected) or [XPASS] (held this time); neither fails."""
    if bug and bug in xfail:
        return ("XPASS" if passed else "XFAIL"), True
    return ("ok" if passed else "FAIL"), passed


def run_scenario(name, fn, net, binary, rootdir, xfail=(), durability="async",
                 stack="sentinel-proxy"):
    what = "redis-sentinel and redis-py" if stack == "redis-sentinel" else \
        f"write-durability {durability}"
    print(f"\n### {name} ({what}): {fn.__doc__.strip()}", flush=True)
    started = time.monotonic()
    run = Run(name, net, binary, rootdir, durability, stack)
    error = None
    try:
        run.start()
        fn(run)
        run.check_processes()
        if durability == "all" or (durability == "replica" and
                                   name not in MASTER_MAY_KEEP_A_REPLICA):
            run.expect(run.report["lost"] == 0,
                       f"write-durability {durability}: no acknowledged write lost "
                       f"({run.report['lost']} of {run.report['acknowledged']})")
    except (TimeoutError, ExpectationFailed, resp.ConnectionFailed, RuntimeError) as e:
        error = f"{type(e).__name__}: {e}"
    except Exception:  # a bug of the harness: still a failed scenario, with its trace
        error = traceback.format_exc()
    finally:
        run.close()
        net.heal()
    ok = error is None
    if run.report:
        print(checker.table(run.report))
        print(checker.summary_line(run.report))
    for passed, text, bug in run.expectations:
        word, counts_as_ok = verdict(passed, bug, xfail)
        if stack == "redis-sentinel":
            # What the proxies promise is no expectation of redis-sentinel: reported only.
            word, counts_as_ok = ("held" if passed else "not held"), True
            bug = None
        ok = ok and counts_as_ok
        print(f"  [{word}] {text}" + (f" (known bug: {bug})" if bug and not passed else ""))
    for bug in sorted({bug for passed, _, bug in run.expectations if bug and not passed}):
        print(f"  known bug {bug}: {KNOWN_BUGS[bug]}")
    if error:
        print(f"  [FAIL] {error}")
    print(f"  {name}: {'PASS' if ok else 'FAIL'} in {time.monotonic() - started:.1f} s",
          flush=True)
    if not ok:
        print(run.group.procs.log_tails(lines=30))
    return ok


def main():
    global CLIENT_TIMEOUT_S
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default="build/sentinel-proxy")
    ap.add_argument("--scenarios", help="comma-separated, from: " +
                    ", ".join(DEFAULT_SCENARIOS + LONG_SCENARIOS))
    ap.add_argument("--long", action="store_true", help="add the bench scenarios")
    ap.add_argument("--minutes", type=float, default=2.0, help="length of `random`")
    ap.add_argument("--seed", type=int, default=None, help="seed of `random`")
    ap.add_argument("--keep", action="store_true", help="keep the logs' directory")
    ap.add_argument("--xfail", help="comma-separated known bugs whose expectations may "
                    "fail without failing the run: " + ", ".join(KNOWN_BUGS))
    ap.add_argument("--durability", choices=["async", "replica", "all"], default="async",
                    help="the proxies' write-durability")
    ap.add_argument("--stack", choices=["sentinel-proxy", "redis-sentinel"],
                    default="sentinel-proxy",
                    help="redis-sentinel: three redis-sentinel in place of the proxies, the "
                    "writers using redis-py's Sentinel support (for comparison; "
                    f"scenarios {', '.join(COMPARABLE_SCENARIOS)})")
    ap.add_argument("--client-timeout", type=float, default=CLIENT_TIMEOUT_S,
                    help="the writers' reply timeout in seconds")
    args = ap.parse_args()

    CLIENT_TIMEOUT_S = args.client_timeout
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"no executable at {binary}", file=sys.stderr)
        return 1
    if not namespaces_work():
        print("SKIP: network namespaces cannot be created here (needs root and ip netns)")
        return EXIT_SKIP
    names = args.scenarios.split(",") if args.scenarios else \
        DEFAULT_SCENARIOS + (LONG_SCENARIOS if args.long else [])
    if args.stack == "redis-sentinel":
        names = [n for n in names if n in COMPARABLE_SCENARIOS] if args.scenarios else \
            COMPARABLE_SCENARIOS
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    scenarios = {"minority-master": minority_master, "proxy-cut": proxy_cut,
                 "majority-master": majority_master, "one-way": one_way,
                 "netem-master": netem_master, "kill-master": kill_master,
                 "minority-master-replica": minority_master_replica,
                 "random": lambda run: random_faults(run, args.minutes, rng)}
    unknown = [n for n in names if n not in scenarios]
    if unknown:
        print(f"unknown scenarios: {unknown}", file=sys.stderr)
        return 1
    scenarios["random"].__doc__ = f"random faults for {args.minutes} min, seed {seed}"

    net, rootdir, cleanup = partition.network_for_run()
    started = time.monotonic()
    results = {}
    try:
        net.create()
        print(f"network {net.prefix}: {net.subnet}, bridge {net.bridge}, logs in {rootdir}")
        for name in names:
            results[name] = run_scenario(name, scenarios[name], net, binary, rootdir,
                                         xfail=set(args.xfail.split(",")) if args.xfail
                                         else set(), durability=args.durability,
                                         stack=args.stack)
    finally:
        cleanup()
        if all(results.values()) and results and not args.keep:
            shutil.rmtree(rootdir, ignore_errors=True)
    print(f"\n{sum(results.values())}/{len(results)} scenarios passed in "
          f"{time.monotonic() - started:.1f} s: " +
          ", ".join(f"{n} {'PASS' if ok else 'FAIL'}" for n, ok in results.items()))
    return 0 if results and all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
