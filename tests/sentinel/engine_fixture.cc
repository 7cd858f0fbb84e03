#include "tests/sentinel/engine_fixture.h"

#include "sentinel/hello.h"

namespace sp::sentinel {

std::string EngineFixture::run_id_for(int port) {
  std::string id = std::to_string(port);
  return std::string(40 - id.size(), 'f') + id;
}

GroupConfig EngineFixture::default_group() const {
  GroupConfig group;
  group.name = "mymaster";
  group.address = addr(6379);
  group.quorum = 2;
  group.down_after = ms(3000);
  group.failover_timeout = ms(15000);
  return group;
}

void EngineFixture::start(GroupConfig group) {
  if (redis_.empty()) {
    redis_[addr(6379)] = fake_master(run_id_for(6379));
    redis_[addr(6380)] = fake_replica(run_id_for(6380), addr(6379), 100);
    redis_[addr(6381)] = fake_replica(run_id_for(6381), addr(6379), 90);
  }
  config_.myid = kMyId;
  config_.announce_ip = "127.0.0.1";
  config_.port = 26379;
  config_.groups = {std::move(group)};
  engine_ = std::make_unique<Engine>(config_, persisted_, 42, now_);
  drain();
}

void EngineFixture::run_for(Duration duration, Duration step) {
  TimePoint end = now_ + duration;
  while (now_ < end) {
    now_ += step;
    engine_->tick(now_);
    drain();
  }
}

void EngineFixture::run_until_notice(const std::string& type, Duration limit, Duration step) {
  TimePoint end = now_ + limit;
  while (now_ < end && !has_notice_type(type)) {
    now_ += step;
    engine_->tick(now_);
    drain();
  }
}

void EngineFixture::deliver(const Event& event) {
  engine_->on_event(event, now_);
  drain();
}

void EngineFixture::drain() {
  for (int round = 0; round < 10; ++round) {
    std::vector<Action> actions = engine_->take_actions();
    if (actions.empty()) return;
    for (const auto& action : actions) {
      log_.push_back(action);
      if (const auto* n = std::get_if<Notice>(&action)) notices_.push_back(*n);
      if (const auto* p = std::get_if<PersistState>(&action)) persisted_ = p->state;
    }
    for (const auto& action : actions) respond(action);
  }
}

void EngineFixture::respond(const Action& action) {
  if (const auto* ping = std::get_if<SendPing>(&action)) {
    if (ping->to.kind == InstanceKind::kSentinel) {
      if (peers_[ping->to.addr].alive) engine_->on_event(PingReply{ping->to}, now_);
    } else if (redis_[ping->to.addr].alive) {
      engine_->on_event(PingReply{ping->to, redis_[ping->to.addr].ping_reply}, now_);
    }
  } else if (const auto* info = std::get_if<SendInfo>(&action)) {
    if (redis_[info->to.addr].alive) {
      engine_->on_event(InfoReply{info->to, info_text(info->to.addr)}, now_);
    }
  } else if (const auto* hello = std::get_if<PublishHello>(&action)) {
    bool alive = hello->to.kind == InstanceKind::kSentinel ? peers_[hello->to.addr].alive
                                                           : redis_[hello->to.addr].alive;
    bool ok = hello->to.kind == InstanceKind::kSentinel || redis_[hello->to.addr].publish_ok;
    if (alive) engine_->on_event(PublishReply{hello->to, ok}, now_);
  } else if (const auto* ask = std::get_if<AskMasterDown>(&action)) {
    respond_ask(*ask);
  } else if (const auto* slaveof = std::get_if<SendReplicaOf>(&action)) {
    FakeRedis& r = redis_[slaveof->to.addr];
    if (!r.alive || r.ignores_replicaof) return;
    if (slaveof->new_master) {
      r.role = Role::kSlave;
      r.master = *slaveof->new_master;
      r.link_up = redis_[r.master].alive;
    } else {
      r.role = Role::kMaster;
    }
    engine_->on_event(CommandReply{slaveof->to}, now_);
  }
}

void EngineFixture::respond_ask(const AskMasterDown& ask) {
  FakePeer& peer = peers_[ask.to.addr];
  if (!peer.alive) return;
  std::uint64_t epoch = std::stoull(ask.args[4]);
  const std::string& runid = ask.args[5];
  if (runid != "*" && peer.grants_votes && epoch > peer.voted_epoch) {
    peer.voted = runid;
    peer.voted_epoch = epoch;
  }
  engine_->on_event(MasterDownReply{ask.to, peer.says_down, peer.voted.empty() ? "*" : peer.voted,
                                    peer.voted_epoch},
                    now_);
}

void EngineFixture::add_peer(const std::string& id, int port, std::uint64_t epoch,
                             std::uint64_t config_epoch) {
  peers_[addr(port)].id = id;
  Address master = engine_->master_address("mymaster").value();
  deliver(HelloReceived{hello_from(id, port, epoch, master.port, config_epoch), true});
}

std::string EngineFixture::hello_from(const std::string& id, int port, std::uint64_t epoch,
                                      int master_port, std::uint64_t config_epoch) const {
  return format_hello(
      Hello{"127.0.0.1", port, id, epoch, "mymaster", "127.0.0.1", master_port, config_epoch});
}

// Redis 7.0's INFO replication layout, reduced to the lines Sentinel reads.
std::string EngineFixture::info_text(const Address& address) const {
  const FakeRedis& r = redis_.at(address);
  std::string text =
      "# Server\r\nredis_version:7.0.15\r\nrun_id:" + r.run_id + "\r\n\r\n# Replication\r\n";
  if (r.role == Role::kMaster) {
    text += "role:master\r\nmaster_repl_offset:" + std::to_string(r.offset) + "\r\n";
    int n = 0;
    for (const auto& [other, o] : redis_) {
      if (o.alive && o.role == Role::kSlave && o.master == address) {
        text += "slave" + std::to_string(n++) + ":ip=" + other.host() +
                ",port=" + std::to_string(other.port) +
                ",state=online,offset=" + std::to_string(o.acked.value_or(o.offset)) + ",lag=0\r\n";
      }
    }
    return text;
  }
  bool up = r.link_up && redis_.contains(r.master) && redis_.at(r.master).alive;
  text += "role:slave\r\nmaster_host:" + r.master.host() +
          "\r\nmaster_port:" + std::to_string(r.master.port) +
          "\r\nmaster_link_status:" + (up ? "up" : "down") + "\r\n";
  if (!up) text += "master_link_down_since_seconds:5\r\n";
  text += "slave_priority:" + std::to_string(r.priority) +
          "\r\nslave_repl_offset:" + std::to_string(r.offset) + "\r\nreplica_announced:1\r\n";
  return text;
}

std::vector<std::string> EngineFixture::notice_types() const {
  std::vector<std::string> out;
  for (const auto& n : notices_) out.emplace_back(to_string(n.kind));
  return out;
}

bool EngineFixture::has_notice(const std::string& type, const std::string& text) const {
  for (const auto& n : notices_) {
    if (to_string(n.kind) == type && to_text(n) == text) return true;
  }
  return false;
}

bool EngineFixture::has_notice_type(const std::string& type) const {
  for (const auto& n : notices_) {
    if (to_string(n.kind) == type) return true;
  }
  return false;
}

}  // namespace sp::sentinel
