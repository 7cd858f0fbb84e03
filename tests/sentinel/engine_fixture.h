#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/engine.h"

namespace sp::sentinel {

// A fake Redis instance as the fixture's auto-responder sees it.
struct FakeRedis {
  bool alive = true;
  bool ignores_replicaof = false;  // a replica that never acts on SLAVEOF
  Role role = Role::kSlave;
  std::string run_id;
  Address master;
  bool link_up = true;
  int priority = 100;
  std::int64_t offset = 0;
  // A replica's offset as its master's INFO reports it acknowledged (nullopt: `offset`).
  std::optional<std::int64_t> acked;
  PingReplyKind ping_reply = PingReplyKind::kPong;
  bool publish_ok = true;
};

inline FakeRedis fake_master(std::string run_id) {
  FakeRedis r;
  r.role = Role::kMaster;
  r.run_id = std::move(run_id);
  return r;
}

inline FakeRedis fake_replica(std::string run_id, Address master, std::int64_t offset) {
  FakeRedis r;
  r.role = Role::kSlave;
  r.run_id = std::move(run_id);
  r.master = std::move(master);
  r.offset = offset;
  return r;
}

// A fake peer sentinel: answers PING, and is-master-down-by-addr with its
// opinion and the vote rule (first asker of a new epoch wins).
struct FakePeer {
  std::string id;
  bool alive = true;
  bool says_down = true;
  bool grants_votes = true;
  std::string voted;
  std::uint64_t voted_epoch = 0;
};

inline const std::string kMyId = "0000000000000000000000000000000000000001";
inline const std::string kPeer1 = "1111111111111111111111111111111111111111";
inline const std::string kPeer2 = "2222222222222222222222222222222222222222";

// Drives one Engine against fake instances with a fake clock. Every action is
// answered synchronously by the fakes (zero network delay).
class EngineFixture : public ::testing::Test {
 protected:
  static Address addr(int port) { return Address{"127.0.0.1", port}; }
  static std::string run_id_for(int port);

  // One group "mymaster" at :6379 with replicas :6380 and :6381 (not yet
  // discovered: the master's INFO lists them).
  GroupConfig default_group() const;
  void start(GroupConfig group);
  void start() { start(default_group()); }

  // Ticks every `step` for `duration`, answering every action.
  void run_for(Duration duration, Duration step = ms(100));
  void run_until_notice(const std::string& type, Duration limit, Duration step = ms(100));
  void deliver(const Event& event);
  void drain();

  void add_peer(const std::string& id, int port, std::uint64_t epoch = 0,
                std::uint64_t config_epoch = 0);
  std::string hello_from(const std::string& id, int port, std::uint64_t epoch, int master_port,
                         std::uint64_t config_epoch) const;
  std::string info_text(const Address& address) const;

  std::vector<std::string> notice_types() const;
  bool has_notice(const std::string& type, const std::string& text) const;
  bool has_notice_type(const std::string& type) const;
  template <typename T>
  std::vector<T> actions_of() const {
    std::vector<T> out;
    for (const auto& a : log_) {
      if (const T* t = std::get_if<T>(&a)) out.push_back(*t);
    }
    return out;
  }
  void clear_log() {
    log_.clear();
    notices_.clear();
  }
  const Group& group() const { return *engine_->group("mymaster"); }

  TimePoint now_ = TimePoint{} + ms(1'000'000'000);
  EngineConfig config_;
  std::optional<PersistedState> persisted_;
  std::unique_ptr<Engine> engine_;
  std::map<Address, FakeRedis> redis_;
  std::map<Address, FakePeer> peers_;
  std::vector<Action> log_;
  std::vector<Notice> notices_;

 private:
  void respond(const Action& action);
  void respond_ask(const AskMasterDown& ask);
};

}  // namespace sp::sentinel
