// How the simulated network carries the engines' actions to Redis instances
// and peer sentinels, and their replies back.
#include <charconv>

#include "tests/sim/sim_world.h"

namespace sp::sentinel::sim {

bool SimWorld::resolve(const Endpoint& to, int& index, int& node, bool& alive,
                       int& incarnation) const {
  if (to.kind == InstanceKind::kSentinel) {
    index = sentinel_at(to.addr);
    if (index < 0) return false;
    const SimSentinel& s = sentinels_[index];
    node = s.node;
    alive = s.alive;
    incarnation = s.incarnation;
    return true;
  }
  index = redis_at(to.addr);
  if (index < 0) return false;
  node = redis_[index].node;
  alive = redis_[index].alive;
  incarnation = redis_[index].incarnation;
  return true;
}

// A connection to a dead but reachable process is refused; otherwise the
// link exists (possibly hanging behind a partition, as a TCP connect would).
void SimWorld::connect(int i, const Endpoint& to) {
  SimSentinel& s = sentinels_[i];
  int index = -1, node = 0, incarnation = 0;
  bool alive = false;
  std::string key = link_key(to);
  if (!resolve(to, index, node, alive, incarnation) || (!alive && net_.reachable(s.node, node))) {
    int inc = s.incarnation;
    net_.at(net_.now() + 1,
            [this, i, inc, key, to]() { deliver(i, inc, key, -1, LinkDisconnected{to}); });
    return;
  }
  s.links[key] = {incarnation, ++link_serial_};
}

void SimWorld::command(int i, const Endpoint& to,
                       std::function<std::optional<Event>(int target)> handle) {
  SimSentinel& s = sentinels_[i];
  std::string key = link_key(to);
  int index = -1, node = 0, incarnation = 0;
  bool alive = false;
  bool found = resolve(to, index, node, alive, incarnation);
  auto link = s.links.find(key);
  int inc = s.incarnation;
  if (link == s.links.end() || !found || !alive || link->second.first != incarnation) {
    // The process behind the link is gone: a reset, if the network lets it through.
    if (!found || net_.reachable(s.node, node)) {
      s.links.erase(key);
      net_.at(net_.now() + 1,
              [this, i, inc, key, to]() { deliver(i, inc, key, -1, LinkDisconnected{to}); });
    }
    return;
  }
  int serial = link->second.second;
  int from = s.node;
  auto broken = [this, i, inc, key, serial, to]() {
    deliver(i, inc, key, serial, LinkDisconnected{to});
  };
  net_.send(
      from, node,
      [this, i, inc, key, serial, to, index, node, from, incarnation, broken,
       handle = std::move(handle)]() {
        int idx = -1, n = 0, cur = 0;
        bool up = false;
        if (!resolve(to, idx, n, up, cur) || !up || cur != incarnation) return;
        std::optional<Event> reply = handle(index);
        if (!reply) return;
        net_.send(
            node, from,
            [this, i, inc, key, serial, reply = std::move(*reply)]() {
              deliver(i, inc, key, serial, reply);
            },
            broken);
      },
      broken);
}

void SimWorld::deliver(int i, int incarnation, const std::string& key, int serial,
                       const Event& event) {
  SimSentinel& s = sentinels_[i];
  if (!s.alive || s.incarnation != incarnation) return;
  if (serial >= 0) {
    auto link = s.links.find(key);
    if (link == s.links.end() || link->second.second != serial) return;
  }
  if (std::holds_alternative<LinkDisconnected>(event)) s.links.erase(key);
  s.engine->on_event(event, s.local(net_.now()));
  after_engine_call(i);
}

std::optional<Event> SimWorld::redis_handle(int target, int /*i*/, const Action& action) {
  SimRedis& r = redis_[target];
  if (const auto* a = std::get_if<SendPing>(&action)) return PingReply{a->to, PingReplyKind::kPong};
  if (const auto* a = std::get_if<SendInfo>(&action)) {
    std::string lines;
    int n = 0;
    for (const auto& o : redis_) {
      if (o.alive && o.role == Role::kSlave && o.master == r.addr && o.link_up) {
        lines += "slave" + std::to_string(n++) + ":ip=" + o.addr.ip +
                 ",port=" + std::to_string(o.addr.port) +
                 ",state=online,offset=" + std::to_string(o.offset) + ",lag=0\r\n";
      }
    }
    return InfoReply{a->to, r.info(net_.now(), lines)};
  }
  if (const auto* a = std::get_if<PublishHello>(&action)) {
    fan_out_hello(target, a->payload);
    return PublishReply{a->to, true};
  }
  if (const auto* a = std::get_if<SendReplicaOf>(&action)) {
    const bool was_master = r.role == Role::kMaster;
    r.apply_replica_of(a->new_master);
    if (was_master && a->new_master) ledger_.master_demoted(r.addr, masters());
    if (!r.link_up) r.link_down_since = net_.now();
    return CommandReply{a->to};
  }
  if (const auto* a = std::get_if<SendCommand>(&action)) return CommandReply{a->to};
  return std::nullopt;
}

std::optional<Event> SimWorld::sentinel_handle(int target, const Action& action) {
  SimSentinel& t = sentinels_[target];
  if (const auto* a = std::get_if<SendPing>(&action)) return PingReply{a->to, PingReplyKind::kPong};
  if (const auto* a = std::get_if<PublishHello>(&action)) {
    t.engine->on_event(HelloReceived{a->payload, false}, t.local(net_.now()));
    after_engine_call(target);
    if (!t.alive) return std::nullopt;
    return PublishReply{a->to, true};
  }
  if (const auto* a = std::get_if<AskMasterDown>(&action)) {
    const auto& args = a->args;
    int port = 0;
    std::uint64_t epoch = 0;
    std::from_chars(args[3].data(), args[3].data() + args[3].size(), port);
    std::from_chars(args[4].data(), args[4].data() + args[4].size(), epoch);
    IsMasterDownAnswer answer =
        t.engine->answer_is_master_down(args[2], port, epoch, args[5], t.local(net_.now()));
    after_engine_call(target);  // persists the vote before the reply leaves
    if (!t.alive) return std::nullopt;
    return MasterDownReply{a->to, answer.down, answer.leader, answer.leader_epoch};
  }
  return std::nullopt;
}

// PUBLISH on a Redis instance reaches the subscribers of that instance and,
// through replication, those of its in-sync replicas.
void SimWorld::fan_out_hello(int redis_index, const std::string& payload) {
  std::vector<int> reached{redis_index};
  for (std::size_t r = 0; r < redis_.size(); ++r) {
    const SimRedis& o = redis_[r];
    if (o.alive && o.role == Role::kSlave && o.link_up && o.master == redis_[redis_index].addr) {
      reached.push_back(static_cast<int>(r));
    }
  }
  for (std::size_t j = 0; j < sentinels_.size(); ++j) {
    SimSentinel& s = sentinels_[j];
    if (!s.alive) continue;
    for (int r : reached) {
      bool subscribed = false;
      for (const auto& [key, link] : s.links) {
        if (link.first == redis_[r].incarnation &&
            key.ends_with("/" + redis_[r].addr.to_string()) &&
            key.find("/sentinel/") == std::string::npos) {
          subscribed = true;
          break;
        }
      }
      if (!subscribed) continue;
      int inc = s.incarnation;
      int sj = static_cast<int>(j);
      net_.send(redis_[r].node, s.node, [this, sj, inc, payload]() {
        deliver(sj, inc, "", -1, HelloReceived{payload, true});
      });
    }
  }
}

}  // namespace sp::sentinel::sim
