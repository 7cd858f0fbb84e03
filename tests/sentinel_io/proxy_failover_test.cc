// Failover as a client of the proxy sees it (README.md, "Failover as your clients see it"):
// three sentinel-proxy processes in proxy mode in front of a real master and two replicas,
// clients connected through one of them, then the master killed or hung. Idle sessions keep
// their connection and state, commands sent while there is no master are held and answered
// by the new one, open transactions fail as Redis fails them, and only a session with a
// command in flight on a hung master is closed.
#include <signal.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/sentinel_io/proxy_client.h"
#include "tests/sentinel_io/redis_group.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/processes.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

using Clock = std::chrono::steady_clock;

using Client = ProxyClient;

std::string bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

// The port the proxy routes to now, from PROXY TOPOLOGY.
std::string routed_port(int client_port) {
  auto t = call_value(client_port, {"PROXY", "TOPOLOGY"});
  return t ? field(*t, "master-port") : "";
}

// Waits until the proxy on `client_port` routes to a master other than `old_port`;
// returns the new port ("" if it never did).
std::string wait_for_new_master(int client_port, int old_port) {
  std::string port;
  wait_until(
      [&] {
        port = routed_port(client_port);
        return !port.empty() && port != std::to_string(old_port);
      },
      30s);
  return port == std::to_string(old_port) ? "" : port;
}

// Stops and joins a test's client threads however the test ends: an ASSERT returns early,
// and a joinable std::thread destroyed then would end the process before the group's
// servers are stopped.
class ThreadsStopper {
 public:
  ThreadsStopper(std::atomic<bool>& stop, std::vector<std::thread*> threads)
      : stop_(stop), threads_(std::move(threads)) {}
  ~ThreadsStopper() { join(); }
  ThreadsStopper(const ThreadsStopper&) = delete;
  ThreadsStopper& operator=(const ThreadsStopper&) = delete;
  void join() {
    stop_ = true;
    for (std::thread* t : threads_) {
      if (t->joinable()) t->join();
    }
  }

 private:
  std::atomic<bool>& stop_;
  std::vector<std::thread*> threads_;
};

TEST(ProxyFailover, SessionsLiveThroughAKilledMaster) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const int proxy = client_ports[0];

  Client with_state(proxy);
  ASSERT_EQ(with_state.ask({"SELECT", "3"}), "+OK\r\n");
  ASSERT_EQ(with_state.ask({"CLIENT", "SETNAME", "app-a"}), "+OK\r\n");
  ASSERT_EQ(with_state.ask({"SET", "k3", "v3"}), "+OK\r\n");
  ASSERT_EQ(with_state.ask({"WAIT", "2", "5000"}), ":2\r\n");
  Client subscriber(proxy);
  ASSERT_EQ(subscriber.ask({"SUBSCRIBE", "news"}), "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
  Client resp3(proxy);
  ASSERT_TRUE(resp3.ask({"HELLO", "3"}).starts_with("%"));
  Client in_multi(proxy);
  ASSERT_EQ(in_multi.ask({"MULTI"}), "+OK\r\n");
  ASSERT_EQ(in_multi.ask({"SET", "m1", "1"}), "+QUEUED\r\n");
  Client watching(proxy);
  ASSERT_EQ(watching.ask({"WATCH", "w"}), "+OK\r\n");
  Client held(proxy);
  ASSERT_EQ(held.ask({"PING"}), "+PONG\r\n");

  const auto killed = Clock::now();
  g.master->kill();
  // Once the session has seen its master connection go, a command is held, not failed,
  // and answered by the new master.
  ASSERT_TRUE(wait_until([&] { return held.link_status() == "down"; }, 5s));
  held.send({"SET", "held", "1"});
  Client opened_during_outage(proxy);
  opened_during_outage.send({"SET", "fresh", "1"});
  const auto held_reply = held.reply(30s);
  const double window = std::chrono::duration<double>(Clock::now() - killed).count();
  ASSERT_TRUE(held_reply.has_value()) << "the held command was never answered";
  EXPECT_EQ(*held_reply, "+OK\r\n");
  EXPECT_EQ(opened_during_outage.reply(10s).value_or("<no reply>"), "+OK\r\n");
  std::printf("SIGKILL of the master: a held SET answered after %.2f s\n", window);

  const std::string new_port = wait_for_new_master(proxy, g.master_port);
  ASSERT_FALSE(new_port.empty());
  auto on_new = call_value(std::stoi(new_port), {"GET", "held"});
  ASSERT_TRUE(on_new.has_value());
  EXPECT_EQ(on_new->text, "1") << "the held write did not land on the new master";

  // Idle sessions kept their connection, database, name and protocol.
  EXPECT_EQ(with_state.ask({"CLIENT", "GETNAME"}), bulk("app-a"));
  EXPECT_EQ(with_state.ask({"GET", "k3"}), bulk("v3"));
  EXPECT_TRUE(resp3.ask({"HELLO"}).starts_with("%")) << "the session fell back to RESP2";
  // ... and their subscriptions: a message published after the move arrives.
  ASSERT_TRUE(wait_until(
      [&] {
        auto n = call_value(proxy, {"PUBLISH", "news", "after"});
        return n && n->integer >= 1;
      },
      10s));
  EXPECT_EQ(subscriber.reply(5s).value_or("<no message>"),
            "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nafter\r\n");

  // A transaction open at the move fails as Redis fails one that cannot run.
  EXPECT_EQ(in_multi.ask({"SET", "m2", "2"}), "+QUEUED\r\n");
  EXPECT_EQ(in_multi.ask({"EXEC"}),
            "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(in_multi.ask({"GET", "m2"}), "$-1\r\n");
  EXPECT_EQ(watching.ask({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(watching.ask({"SET", "w", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(watching.ask({"EXEC"}), "*-1\r\n");
  EXPECT_EQ(watching.ask({"GET", "w"}), "$-1\r\n");
  // The next transaction runs normally.
  EXPECT_EQ(watching.ask({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(watching.ask({"SET", "w", "2"}), "+QUEUED\r\n");
  EXPECT_EQ(watching.ask({"EXEC"}), "*1\r\n+OK\r\n");

  for (Client* c : {&with_state, &subscriber, &resp3, &in_multi, &watching, &held}) {
    EXPECT_FALSE(c->closed());
  }
  const std::string info = call(proxy, {"PROXY", "INFO"});
  EXPECT_GE(std::stoi("0" + info_field(info, "sessions_migrated")), 6) << info;
  EXPECT_EQ(info_field(info, "transactions_aborted"), "2") << info;
  EXPECT_EQ(info_field(info, "sessions_closed_at_swap"), "0") << info;
}

TEST(ProxyFailover, AHungMasterClosesOnlySessionsWithCommandsInFlight) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const int proxy = client_ports[0];
  Client idle(proxy);
  ASSERT_EQ(idle.ask({"SELECT", "2"}), "+OK\r\n");
  Client busy(proxy);
  ASSERT_EQ(busy.ask({"PING"}), "+PONG\r\n");

  g.master->signal(SIGSTOP);
  busy.send({"SET", "busy", "1"});  // reaches the hung master: its outcome is unknown
  const std::string new_port = wait_for_new_master(proxy, g.master_port);
  ASSERT_FALSE(new_port.empty());
  const auto rest = busy.until_closed(10s);
  ASSERT_TRUE(rest.has_value()) << "the session with a command in flight stayed open";
  EXPECT_EQ(*rest, "") << "no reply can be given for a command whose outcome is unknown";
  // ... and it is gone from the proxy, though the hung master never answers (in pooled
  // mode, the shared connection to it is closed once no session awaits it).
  EXPECT_TRUE(wait_until(
      [&] {
        return info_field(call(proxy, {"PROXY", "INFO"}), "connected_clients") == "2";
      },
      10s))
      << call(proxy, {"PROXY", "INFO"});

  EXPECT_EQ(idle.ask({"SET", "idle", "1"}, 10s), "+OK\r\n");
  EXPECT_NE(idle.ask({"CLIENT", "INFO"}).find(" db=2 "), std::string::npos);
  EXPECT_FALSE(idle.closed());

  // The old master wakes up still calling itself master: no session goes back to it.
  g.master->signal(SIGCONT);
  Client after(proxy);
  EXPECT_EQ(after.ask({"SET", "after", "1"}), "+OK\r\n");
  auto on_new = call_value(std::stoi(new_port), {"GET", "after"});
  ASSERT_TRUE(on_new.has_value());
  EXPECT_EQ(on_new->text, "1");
  const std::string info = call(proxy, {"PROXY", "INFO"});
  EXPECT_EQ(info_field(info, "sessions_closed_at_swap"), "1") << info;
}

TEST(ProxyFailover, HeldCommandsFailPastTheBoundAndGoOnWhenTheMasterReturns) {
  // One proxy, quorum 2: the master's death is never objective, so nothing is promoted.
  TempDir dir;
  const int master_port = free_loopback_port();
  const int client_port = free_loopback_port();
  const int sentinel_port = free_loopback_port();
  auto master = start_redis_on(master_port, dir.path);
  const std::string conf = dir.path + "/proxy.conf";
  write_sentinel_conf(conf, client_port, master_port);
  std::ofstream(conf, std::ios::app)
      << "sentinel-port " << sentinel_port << "\nmetrics-port 0\nfailover-hold-ms 1500\n";
  auto proxy = start_proxy_with_sentinel(conf, sentinel_port, client_port);

  Client c(client_port);
  ASSERT_EQ(c.ask({"SELECT", "1"}), "+OK\r\n");
  master->kill();
  ASSERT_TRUE(wait_until([&] { return c.link_status() == "down"; }, 5s));
  const auto sent = Clock::now();
  c.send({"SET", "k", "v"});
  // Held, and counted as such while it is.
  EXPECT_TRUE(wait_until(
      [&] {
        return info_field(call(client_port, {"PROXY", "INFO"}), "held_commands") == "1";
      },
      1s));
  EXPECT_EQ(c.reply(20s),
            "-MASTERDOWN sentinel-proxy: no master for 'mymaster' after holding the command for "
            "1500 ms (failover-hold-ms)\r\n");
  EXPECT_GE(Clock::now() - sent, 1400ms) << "answered before the bound";
  EXPECT_EQ(info_field(call(client_port, {"PROXY", "INFO"}), "held_commands"), "0");

  // The master comes back at the same address: the session reconnects, state and all.
  master = start_redis_on(master_port, dir.path);
  EXPECT_EQ(c.ask({"SET", "k", "v"}, 10s), "+OK\r\n");
  EXPECT_NE(c.ask({"CLIENT", "INFO"}).find(" db=1 "), std::string::npos);
  EXPECT_FALSE(c.closed());
  const std::string info = call(client_port, {"PROXY", "INFO"});
  EXPECT_EQ(info_field(info, "hold_timeouts"), "1") << info;
}

// PROXY FAILOVER <replica>: a planned switchover from the client port. The named replica
// is promoted, every proxy moves to it, an idle session keeps its connection and state,
// and the healthy old master is made a replica during the failover, not 8 s after it.
TEST(ProxyFailover, PlannedSwitchoverToANamedReplica) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const int proxy = client_ports[0];
  Client session(proxy);
  ASSERT_EQ(session.ask({"SELECT", "1"}), "+OK\r\n");
  ASSERT_EQ(session.ask({"SET", "planned", "before"}), "+OK\r\n");

  EXPECT_EQ(call(proxy, {"PROXY", "FAILOVER", "10.0.0.1:1"}),
            "-ERR No such replica of this master\r\n");
  const int target = g.replica_ports[1];
  const auto asked = Clock::now();
  ASSERT_EQ(
      failover_when_possible(proxy, {"PROXY", "FAILOVER", "127.0.0.1:" + std::to_string(target)}),
      "+OK\r\n");
  for (int port : client_ports) {
    EXPECT_EQ(wait_for_new_master(port, g.master_port), std::to_string(target));
  }
  // The old master was fenced during the reconfiguration.
  const std::string follows_target = "slave of 127.0.0.1:" + std::to_string(target);
  EXPECT_TRUE(wait_until([&] { return g.role_of(g.master_port) == follows_target; }, 5s));
  const double seconds = std::chrono::duration<double>(Clock::now() - asked).count();
  std::printf("PROXY FAILOVER to old master demoted: %.2f s\n", seconds);

  EXPECT_EQ(session.ask({"GET", "planned"}), "$6\r\nbefore\r\n");
  EXPECT_EQ(session.ask({"SET", "planned", "after"}), "+OK\r\n");
  EXPECT_FALSE(session.closed());
  EXPECT_EQ(call(target, {"SELECT", "1"}), "+OK\r\n");
  TestConnection direct(target);
  direct.send("SELECT 1\r\nGET planned\r\n");
  EXPECT_EQ(direct.read_until_suffix("after\r\n", 5s), "+OK\r\n$5\r\nafter\r\n");
}

// A planned switchover as a client of another proxy lives it: that proxy does not hold,
// so its client's writes reach the old master while its writes are paused. The pause is
// lifted behind the demotion and they meet -READONLY, proof that they did not run; the
// proxy sends them again to the new master, with the reads pipelined behind them, in
// order. The client sees no error and no disconnect, and loses no acknowledged write.
TEST(ProxyFailover, WritesRefusedByTheDemotedMasterAreSentToTheNewOne) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const int leader = client_ports[0];
  const int bystander = client_ports[1];

  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::string wrong;  // the first unexpected reply, written by the writer only
  bool closed = false;
  // Reads and PUBLISH pipelined through the same proxy: a reply to them from the demoted
  // master is still the client's, and a -LOADING from it (its resync) is retried.
  std::string wrong_read;
  bool reader_closed = false;
  int reads = 0;
  std::thread reader([&] {
    Client c(bystander);
    while (!stop && wrong_read.empty()) {
      for (int i = 0; i < 8; ++i) c.send({"EXISTS", "counter"});
      c.send({"PUBLISH", "news", "read"});
      for (int i = 0; i < 9 && wrong_read.empty(); ++i) {
        const std::string r = c.reply(10s).value_or("<no reply>");
        if (r.empty() || r[0] != ':') wrong_read = "reply " + std::to_string(i) + ": " + r;
      }
      ++reads;
    }
    reader_closed = c.closed();
  });
  // Transactions pipelined whole: MULTI's and the queued commands' replies from the
  // demoted master change nothing; its EXEC either ran before the pause or is refused
  // (-EXECABORT, its write queued as -READONLY), as with Redis alone. Never a close.
  std::string wrong_transaction;
  bool transactions_closed = false;
  std::thread transactions([&] {
    Client c(bystander);
    while (!stop && wrong_transaction.empty()) {
      c.send({"MULTI"});
      c.send({"INCR", "transactions"});
      c.send({"EXEC"});
      const std::string multi = c.reply(10s).value_or("<no reply>");
      const std::string incr = c.reply(10s).value_or("<no reply>");
      const std::string exec = c.reply(10s).value_or("<no reply>");
      const bool ran = incr == "+QUEUED\r\n" && exec.starts_with("*1\r\n:");
      const bool refused = (incr == "+QUEUED\r\n" || incr.starts_with("-READONLY ")) &&
                           exec.starts_with("-EXECABORT ");
      if (multi != "+OK\r\n" || !(ran || refused)) wrong_transaction = multi + incr + exec;
    }
    transactions_closed = c.closed();
  });
  std::thread writer([&] {
    Client c(bystander);
    for (int i = 1; !stop && wrong.empty(); ++i) {
      c.send({"SET", "counter", std::to_string(i)});
      c.send({"GET", "counter"});
      const std::string set = c.reply(10s).value_or("<no reply>");
      const std::string get = c.reply(10s).value_or("<no reply>");
      if (set != "+OK\r\n" || get != bulk(std::to_string(i))) {
        wrong = "write " + std::to_string(i) + ": " + set + get;
      } else {
        acknowledged = i;
      }
    }
    closed = c.closed();
  });
  ThreadsStopper stopper(stop, {&reader, &transactions, &writer});
  const auto acknowledged_past = [&](int n, std::chrono::seconds deadline) {
    return wait_until([&] { return acknowledged > n; }, deadline);
  };
  EXPECT_TRUE(acknowledged_past(20, 10s));
  ASSERT_EQ(failover_when_possible(leader, {"PROXY", "FAILOVER"}), "+OK\r\n");
  const std::string promoted = wait_for_new_master(bystander, g.master_port);
  EXPECT_TRUE(acknowledged_past(acknowledged + 20, 10s));
  stopper.join();

  EXPECT_EQ(wrong, "");
  EXPECT_FALSE(closed);
  EXPECT_EQ(wrong_read, "") << "after " << reads << " batches";
  EXPECT_FALSE(reader_closed);
  EXPECT_EQ(wrong_transaction, "");
  EXPECT_FALSE(transactions_closed);
  ASSERT_FALSE(promoted.empty());
  EXPECT_EQ(call(std::stoi(promoted), {"GET", "counter"}), bulk(std::to_string(acknowledged)));
  const std::string info = call(bystander, {"PROXY", "INFO"});
  EXPECT_GE(std::stoi("0" + info_field(info, "commands_retried")), 1) << info;
  EXPECT_EQ(info_field(info, "sessions_closed_at_swap"), "0") << info;
  EXPECT_EQ(info_field(info, "held_commands"), "0") << info;
}

// Subscribers of another proxy through planned switchovers while messages keep coming:
// each session moves with its subscription replayed, and its client gets only messages,
// in the order they were published (some may be missed during the move), and keeps its
// connection. A message that arrives with the replayed subscription's confirmation must
// not throw the session's framing off (it once sent a subscriber the replayed ROLE's
// reply, then closed it).
TEST(ProxyFailover, SubscribersMoveAndGetOnlyMessagesInOrder) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const int leader = client_ports[0];
  const int bystander = client_ports[1];
  constexpr int kSubscribers = 4;
  std::vector<std::unique_ptr<Client>> subscribers;
  for (int i = 0; i < kSubscribers; ++i) {
    subscribers.push_back(std::make_unique<Client>(bystander));
    ASSERT_EQ(subscribers.back()->ask({"SUBSCRIBE", "feed"}),
              "*3\r\n$9\r\nsubscribe\r\n$4\r\nfeed\r\n:1\r\n");
  }
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    Client c(leader);
    for (int n = 1; !stop; ++n) {
      c.send({"PUBLISH", "feed", std::to_string(n)});
      if (!c.reply(10s)) break;
    }
  });
  std::vector<std::string> wrong(kSubscribers);
  std::vector<std::atomic<int>> received(kSubscribers);
  std::vector<std::thread> readers;
  for (int i = 0; i < kSubscribers; ++i) {
    readers.emplace_back([&, i] {
      const std::string prefix = "*3\r\n$7\r\nmessage\r\n$4\r\nfeed\r\n$";
      long last = 0;
      while (!stop) {
        const auto frame = subscribers[i]->reply(200ms);
        if (!frame) continue;
        const std::size_t payload = frame->find("\r\n", prefix.size()) + 2;
        const long n = frame->starts_with(prefix) ? std::atol(frame->c_str() + payload) : 0;
        if (n <= last) {
          wrong[i] = "after " + std::to_string(last) + ": " + *frame;
          return;
        }
        last = n;
        ++received[i];
      }
    });
  }
  std::vector<std::thread*> threads{&publisher};
  for (auto& r : readers) threads.push_back(&r);
  ThreadsStopper stopper(stop, threads);
  const auto each_received_more = [&](int than) {
    return wait_until(
        [&] {
          for (const auto& r : received) {
            if (r <= than) return false;
          }
          return true;
        },
        20s);
  };
  EXPECT_TRUE(each_received_more(50));
  int old_master = g.master_port;
  for (int round = 0; round < 2; ++round) {
    std::string asked;  // the previous round's failover may still be reconfiguring replicas
    wait_until(
        [&] {
          asked = failover_when_possible(leader, {"PROXY", "FAILOVER"});
          return !asked.starts_with("-INPROG");
        },
        30s);
    ASSERT_EQ(asked, "+OK\r\n") << "round " << round;
    const std::string promoted = wait_for_new_master(bystander, old_master);
    ASSERT_FALSE(promoted.empty());
    old_master = std::stoi(promoted);
    int least = received[0];
    for (const auto& r : received) least = std::min(least, r.load());
    EXPECT_TRUE(each_received_more(least + 50)) << "round " << round;
  }
  stopper.join();
  for (int i = 0; i < kSubscribers; ++i) {
    EXPECT_EQ(wrong[i], "") << "subscriber " << i;
    EXPECT_FALSE(subscribers[i]->closed()) << "subscriber " << i;
  }
}

// A master that answers -LOADING but was not replaced is loading its own files (restarted
// with them): the proxy sends the commands to it once more, in case it was a demoted master
// resyncing, then its client gets the -LOADING, as a direct one would, instead of a loop.
TEST(ProxyFailover, ALoadingMasterThatWasNotReplacedAnswersLoading) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const int proxy = client_ports[0];
  {
    TestConnection filler(g.master_port);
    std::string batch;
    for (int i = 0; i < 20000; ++i) {
      batch += resp({"SET", "key:" + std::to_string(i), "value"});
    }
    filler.send(batch + resp({"SAVE"}));
    std::string all_ok;
    for (int i = 0; i <= 20000; ++i) all_ok += "+OK\r\n";  // the SETs' and SAVE's
    ASSERT_EQ(filler.read_at_least(all_ok.size(), 30s), all_ok);
  }
  // Loading 20 000 keys at 200 us each takes 4 s; PING answers -LOADING meanwhile, which
  // the sentinels take for an answer.
  g.master->kill();
  auto loading = std::make_unique<ChildProcess>(
      std::vector<std::string>{"redis-server", "--port", std::to_string(g.master_port), "--bind",
                               "127.0.0.1", "--dir", g.dir, "--save", "", "--appendonly", "no",
                               "--key-load-delay", "200", "--loading-process-events-interval-bytes",
                               "1024"},
      g.dir + "/redis-loading.log");
  ASSERT_TRUE(wait_until(
      [&] { return call(g.master_port, {"PING"}, 300ms).starts_with("-LOADING"); }, 10s));
  Client c(proxy);
  const std::string reply = c.ask({"GET", "key:1"}, 10s);
  EXPECT_TRUE(reply.starts_with("-LOADING ")) << reply;
  EXPECT_FALSE(c.closed());
  const std::string info = call(proxy, {"PROXY", "INFO"});
  EXPECT_EQ(info_field(info, "commands_retried"), "1") << info;
  // Loaded, it answers as before.
  EXPECT_TRUE(wait_until([&] { return c.ask({"GET", "key:1"}) == "$5\r\nvalue\r\n"; }, 30s));
  g.master = std::move(loading);
}

// Clients blocked in a pop at a planned switchover: the demoted master ends their commands
// with -UNBLOCKED, proof that nothing was popped, and each proxy (the leader's and another)
// sends them again to the new master, with the time they have left. The clients never see
// the error: they get the elements pushed to the new master afterwards.
TEST(ProxyFailover, BlockedClientsAreIssuedAgainOnTheNewMaster) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const auto blocked_on = [](int port) {
    return info_field(call(port, {"INFO", "clients"}), "blocked_clients");
  };
  Client forever(client_ports[0]);  // a client of the leading proxy
  Client bounded(client_ports[1]);  // a client of another proxy, with a timeout
  forever.send({"BLPOP", "jobs", "0"});
  bounded.send({"BZPOPMIN", "ranked", "60"});
  ASSERT_TRUE(wait_until([&] { return blocked_on(g.master_port) == "2"; }, 10s));

  ASSERT_EQ(failover_when_possible(client_ports[0], {"PROXY", "FAILOVER"}), "+OK\r\n");
  const std::string promoted = wait_for_new_master(client_ports[1], g.master_port);
  ASSERT_FALSE(promoted.empty());
  const int new_master = std::stoi(promoted);
  EXPECT_TRUE(wait_until([&] { return blocked_on(new_master) == "2"; }, 10s))
      << blocked_on(new_master);

  ASSERT_EQ(call(new_master, {"RPUSH", "jobs", "first"}), ":1\r\n");
  ASSERT_EQ(call(new_master, {"ZADD", "ranked", "1", "m"}), ":1\r\n");
  EXPECT_EQ(forever.reply(10s).value_or("<no reply>"), "*2\r\n$4\r\njobs\r\n$5\r\nfirst\r\n");
  EXPECT_EQ(bounded.reply(10s).value_or("<no reply>"),
            "*3\r\n$6\r\nranked\r\n$1\r\nm\r\n$1\r\n1\r\n");
  EXPECT_FALSE(forever.closed());
  EXPECT_FALSE(bounded.closed());
  EXPECT_EQ(forever.ask({"PING"}), "+PONG\r\n");
  int retried = 0;
  for (int port : client_ports) {
    retried += std::stoi("0" + info_field(call(port, {"PROXY", "INFO"}), "commands_retried"));
  }
  EXPECT_EQ(retried, 2);
}

}  // namespace
}  // namespace sp::testing
