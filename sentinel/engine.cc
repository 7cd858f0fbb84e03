#include "sentinel/engine.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "sentinel/notices.h"

namespace sp::sentinel {

namespace {

constexpr int kMyidLength = 40;

std::string random_hex_id(Rng& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(kMyidLength);
  for (int i = 0; i < kMyidLength; ++i) id.push_back(kHex[rng.below(16)]);
  return id;
}

const PersistedGroup* find_persisted(const std::optional<PersistedState>& state,
                                     const std::string& name) {
  if (!state) return nullptr;
  for (const auto& group : state->groups) {
    if (group.name == name) return &group;
  }
  return nullptr;
}

}  // namespace

Engine::Engine(EngineConfig config, std::optional<PersistedState> persisted, std::uint64_t rng_seed,
               TimePoint now)
    : config_(std::move(config)), rng_(rng_seed), previous_tick_(now) {
  myid_ = persisted && !persisted->myid.empty() ? persisted->myid : config_.myid;
  if (persisted) current_epoch_ = persisted->current_epoch;
  init_groups(persisted, now);
  if (myid_.empty()) {
    // A new identity is persisted before anything else goes out (§11.1).
    myid_ = random_hex_id(rng_);
    persist();
  }
  for (const auto& group : groups_) {
    Notice n = about(NoticeKind::kMonitor, group, group.master);
    n.quorum = group.config.quorum;
    notice(std::move(n));
  }
}

// Builds every group from its config, then overlays the persisted state (the
// rewritten monitor line, epochs, known replicas and sentinels).
void Engine::init_groups(const std::optional<PersistedState>& persisted, TimePoint now) {
  for (const auto& group_config : config_.groups) {
    Group group;
    group.config = group_config;
    const PersistedGroup* saved = find_persisted(persisted, group_config.name);
    Address addr = saved ? saved->master : group_config.address;
    group.master = make_instance(InstanceKind::kMaster, group_config.name, addr, now);
    if (saved) {
      group.config_epoch = saved->config_epoch;
      group.leader_epoch = saved->leader_epoch;
      // config-epoch also raises current-epoch when loaded (§11.1).
      if (saved->config_epoch > current_epoch_) current_epoch_ = saved->config_epoch;
      for (const auto& replica : saved->known_replicas) {
        group.replicas.emplace(
            replica.to_string(),
            make_instance(InstanceKind::kReplica, replica_name(replica), replica, now));
      }
      for (const auto& peer : saved->known_sentinels) {
        if (peer.id == myid_) continue;
        Instance instance = make_instance(InstanceKind::kSentinel, peer.id, peer.addr, now);
        instance.run_id = peer.id;
        // The file does not say whether it ever answered: counted, as the safe side of
        // fence-on-minority (see reaches_majority).
        instance.answered = true;
        group.sentinels.emplace(peer.id, std::move(instance));
      }
    }
    groups_.push_back(std::move(group));
  }
}

// mirrors sentinelTimer + sentinelHandleDictOfRedisInstances
void Engine::tick(TimePoint now) {
  check_tilt(now);
  for (auto& group : groups_) {
    handle_instance(group, group.master, now);
    for (auto& [key, replica] : group.replicas) handle_instance(group, replica, now);
    for (auto& [key, peer] : group.sentinels) handle_instance(group, peer, now);
  }
  // The switch is done after the walk because it rebuilds the replica table.
  for (auto& group : groups_) {
    if (group.failover_state == FailoverState::kUpdateConfig) switch_to_promoted(group, now);
  }
}

// mirrors sentinelCheckTiltCondition: a negative or too large gap between two
// ticks means our clock or our process cannot be trusted for a while.
void Engine::check_tilt(TimePoint now) {
  Duration delta = now - previous_tick_;
  if (delta > kEngineStall) {
    stall_began_ = previous_tick_;
    stall_ended_ = now;
  }
  if (delta < ms(0) || delta > config_.timings.tilt_trigger) {
    tilt_ = true;
    tilt_start_ = now;
    notice(Notice{.kind = NoticeKind::kTilt});
  }
  previous_tick_ = now;
}

TimePoint Engine::reach_judged_at(TimePoint now) const {
  if (now - previous_tick_ > kEngineStall) return previous_tick_;  // the tick is overdue
  if (stall_ended_ != kNever && now >= stall_ended_ && now - stall_ended_ <= kStallCatchUp) {
    return stall_began_;
  }
  return now;
}

// mirrors sentinelHandleRedisInstance: the monitoring half always runs, the
// acting half not in TILT.
void Engine::handle_instance(Group& group, Instance& instance, TimePoint now) {
  reconnect_instance(group, instance, now);
  send_periodic_commands(group, instance, now);
  if (tilt_) {
    if (now - tilt_start_ < config_.timings.tilt_period) return;
    tilt_ = false;
    notice(Notice{.kind = NoticeKind::kTiltEnded});
  }
  check_subjectively_down(group, instance, now);
  if (instance.kind != InstanceKind::kMaster) return;
  check_objectively_down(group, now);
  if (start_failover_if_needed(group, now)) ask_master_state(group, /*forced=*/true, now);
  failover_state_machine(group, now);
  ask_master_state(group, /*forced=*/false, now);
}

void Engine::on_event(const Event& event, TimePoint now) {
  if (const auto* hello = std::get_if<HelloReceived>(&event)) {
    process_hello(hello->payload, hello->via_pubsub, now);
    return;
  }
  std::visit(
      [&](const auto& e) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(e)>, HelloReceived>) {
          on_reply(e.from, event, now);
        }
      },
      event);
}

std::vector<Action> Engine::take_actions() {
  std::vector<Action> out;
  out.swap(actions_);
  return out;
}

PersistedState Engine::persisted_state() const {
  PersistedState state;
  state.myid = myid_;
  state.current_epoch = current_epoch_;
  for (const auto& group : groups_) {
    PersistedGroup saved;
    saved.name = group.config.name;
    saved.master = current_master_address(group);
    saved.config_epoch = group.config_epoch;
    saved.leader_epoch = group.leader_epoch;
    for (const auto& [key, replica] : group.replicas) {
      // The promoted replica mid-failover is written as the old master (§11.2).
      saved.known_replicas.push_back(same_address(replica.addr, saved.master) ? group.master.addr
                                                                              : replica.addr);
    }
    // Only peers that answered are kept: a sentinel named by a forged hello, which never
    // answers, must not come back from the file as one that did (see reaches_majority).
    for (const auto& [id, peer] : group.sentinels) {
      if (peer.answered) saved.known_sentinels.push_back({peer.addr, id});
    }
    state.groups.push_back(std::move(saved));
  }
  return state;
}

std::optional<Address> Engine::master_address(std::string_view name) const {
  const Group* found = group(name);
  if (found == nullptr) return std::nullopt;
  return current_master_address(*found);
}

const Group* Engine::group(std::string_view name) const {
  for (const auto& g : groups_) {
    if (g.config.name == name) return &g;
  }
  return nullptr;
}

Group* Engine::find_group(std::string_view name) {
  return const_cast<Group*>(std::as_const(*this).group(name));
}

Instance* Engine::find_instance(Group& group, const Endpoint& endpoint) {
  switch (endpoint.kind) {
    case InstanceKind::kMaster:
      return group.master.addr == endpoint.addr ? &group.master : nullptr;
    case InstanceKind::kReplica: {
      auto it = group.replicas.find(endpoint.addr.to_string());
      return it == group.replicas.end() ? nullptr : &it->second;
    }
    case InstanceKind::kSentinel:
      for (auto& [id, peer] : group.sentinels) {
        if (peer.addr == endpoint.addr) return &peer;
      }
      return nullptr;
  }
  return nullptr;
}

// mirrors sentinelInstanceMapCommand (rename-command)
// (the names compared without regard to case, as Sentinel's dict compares them: the file
// keeps the operator's spelling, which the rewrite writes back).
std::string Engine::command_name(const Group& group, std::string_view command) const {
  auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (const auto& [name, renamed] : group.config.rename_commands) {
    if (same(name, command)) return renamed;
  }
  return std::string(command);
}

Endpoint Engine::endpoint_of(const Group& group, const Instance& instance) const {
  return Endpoint{group.config.name, instance.kind, instance.addr};
}

void Engine::notice(Notice notice) {
  actions_.emplace_back(std::move(notice));
}

void Engine::notice(NoticeKind kind, const Group& group, const Instance& instance) {
  notice(about(kind, group, instance));
}

Notice Engine::about(NoticeKind kind, const Group& group, const Instance& instance) const {
  return instance_notice(kind, group, instance, config_.hostnames);
}

Notice Engine::about(NoticeKind kind, const Group& group) const {
  return group_notice(kind, group, config_.hostnames);
}

std::optional<Address> Engine::make_address(std::string_view host, int port,
                                            bool accept_unresolved) const {
  return sp::sentinel::make_address(host, port, accept_unresolved, config_.hostnames, resolver_);
}

// A replica is named by its address in the form announced when it was created (the
// table key stays the address as given).
std::string Engine::replica_name(const Address& addr) const {
  return Address{announced(addr), addr.port}.to_string();
}

bool Engine::equals_host(const Address& addr, std::string_view host) const {
  return address_equals_host(addr, host, config_.hostnames, resolver_);
}

void Engine::persist() {
  actions_.emplace_back(PersistState{persisted_state()});
}

}  // namespace sp::sentinel
