#pragma once

// A real redis-server master with two replicas, and three sentinels watching it (quorum 2,
// down-after-milliseconds 1000): sentinel-proxy processes, real redis-sentinel ones, or a
// mix; or, with start_proxies(), sentinel-proxy processes in proxy mode. Everything is
// stopped by pid when the group goes away; its temp dir is kept when the test failed.

#include <gtest/gtest.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/redis_process.h"

namespace sp::testing {

// Every sentinel knows the other two and both replicas, and both replicas finished
// their first sync (a failover before that would measure a full resync, not us).
inline bool group_discovered(const std::vector<int>& replica_ports,
                             const std::vector<int>& sentinel_ports) {
  for (int port : replica_ports) {
    auto r = call_value(port, {"ROLE"}, 500ms);
    if (!r || r->elements.size() < 4 || r->elements[3].text != "connected") return false;
  }
  for (int port : sentinel_ports) {
    auto m = call_value(port, {"SENTINEL", "MASTER", "mymaster"});
    if (!m || field(*m, "num-other-sentinels") != "2" || field(*m, "num-slaves") != "2") {
      return false;
    }
  }
  return true;
}

// "host:port" of the master a sentinel names ("" when none).
inline std::string sentinel_master_addr(int sentinel_port) {
  auto a = call_value(sentinel_port, {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"});
  if (!a || a->elements.size() != 2) return "";
  return a->elements[0].text + ":" + a->elements[1].text;
}

// What ROLE says: "master", or "slave of <host>:<port>" ("" when nothing answers).
inline std::string role_of(int port) {
  auto r = call_value(port, {"ROLE"}, 500ms);
  if (!r || r->elements.size() < 3) return r && !r->elements.empty() ? r->elements[0].text : "";
  if (r->elements[0].text != "slave") return r->elements[0].text;
  return "slave of " + r->elements[1].text + ":" + std::to_string(r->elements[2].integer);
}

struct RedisGroup {
  std::string dir = make_temp_dir();
  int master_port = free_loopback_port();
  std::vector<int> replica_ports = {free_loopback_port(), free_loopback_port()};
  std::vector<int> sentinel_ports = {free_loopback_port(), free_loopback_port(),
                                     free_loopback_port()};
  std::unique_ptr<ChildProcess> master;
  std::vector<std::unique_ptr<ChildProcess>> replicas;
  std::vector<std::unique_ptr<ChildProcess>> sentinels;

  // `real[i]`: sentinel i is a real redis-sentinel instead of a sentinel-proxy.
  explicit RedisGroup(std::vector<bool> real = {false, false, false}, bool start_sentinels = true) {
    master = start_redis_on(master_port, dir);
    for (int port : replica_ports) {
      replicas.push_back(
          start_redis_on(port, dir, {"--replicaof", "127.0.0.1", std::to_string(master_port)}));
    }
    for (std::size_t i = 0; start_sentinels && i < sentinel_ports.size(); ++i) {
      const int port = sentinel_ports[i];
      write_sentinel_conf(conf(port), port, master_port);
      sentinels.push_back(real[i] ? start_redis_sentinel(conf(port), port)
                                  : start_sentinel_proxy(conf(port), port));
    }
  }
  ~RedisGroup() {
    sentinels.clear();
    replicas.clear();
    master.reset();
    std::error_code ignored;
    // Kept for a look at the logs when the test failed (or SP_KEEP_TEST_DIRS is set).
    if (!::testing::Test::HasFailure() && std::getenv("SP_KEEP_TEST_DIRS") == nullptr) {
      std::filesystem::remove_all(dir, ignored);
    }
  }

  // Three sentinel-proxy processes in proxy mode (the sentinel inside) instead of plain
  // sentinels: sentinel i on sentinel_ports[i], its client port returned in the same order.
  std::vector<int> start_proxies(const std::string& extra_config = "") {
    std::vector<int> client_ports;
    for (int port : sentinel_ports) {
      const int client_port = free_loopback_port();
      // The proxy's `port` is its client port; the sentinel's is `sentinel-port`.
      write_sentinel_conf(conf(port), client_port, master_port);
      std::ofstream(conf(port), std::ios::app) << "sentinel-port " << port << "\nmetrics-port 0\n"
                                               << "pidfile " << pidfile(port) << "\n"
                                               << extra_config;
      sentinels.push_back(start_proxy_with_sentinel(conf(port), port, client_port));
      client_ports.push_back(client_port);
    }
    return client_ports;
  }

  std::string conf(int port) const { return dir + "/sentinel-" + std::to_string(port) + ".conf"; }
  // A proxy's pidfile (start_proxies), by its sentinel port.
  std::string pidfile(int port) const { return dir + "/proxy-" + std::to_string(port) + ".pid"; }

  std::optional<protocol::Value> master_fields(int sentinel_port) const {
    return call_value(sentinel_port, {"SENTINEL", "MASTER", "mymaster"});
  }

  bool all_discovered() const { return group_discovered(replica_ports, sentinel_ports); }

  std::string master_addr(int sentinel_port) const { return sentinel_master_addr(sentinel_port); }

  // Every sentinel names the same master, other than `old`; returns it ("" if not).
  std::string agreed_master_other_than(const std::string& old) const {
    const std::string first = master_addr(sentinel_ports[0]);
    for (int port : sentinel_ports) {
      if (master_addr(port) != first) return "";
    }
    return first == old ? "" : first;
  }

  std::string role_of(int port) const { return sp::testing::role_of(port); }
};

}  // namespace sp::testing
