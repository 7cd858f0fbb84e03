// Hello reception: sentinel discovery and configuration propagation (§4.3).
#include "sentinel/engine.h"
#include "sentinel/hello.h"
#include "sentinel/notices.h"

namespace sp::sentinel {

// mirrors sentinelProcessHelloMessage
void Engine::process_hello(std::string_view payload, bool via_pubsub, TimePoint now) {
  // Our own hellos come back through the master and its replicas.
  if (via_pubsub && payload.find(myid_) != std::string_view::npos) return;
  std::optional<Hello> hello = parse_hello(payload);
  if (!hello || hello->sentinel_id == myid_) return;
  Group* group = find_group(hello->master_name);
  if (group == nullptr) return;
  Address sender{hello->sentinel_ip, hello->sentinel_port};
  Instance* peer = nullptr;
  auto known = group->sentinels.find(hello->sentinel_id);
  if (known != group->sentinels.end() && known->second.addr == sender) {
    peer = &known->second;
  } else {
    peer = learn_sentinel(*group, sender, hello->sentinel_id, now);
  }
  if (hello->current_epoch > current_epoch_) {
    current_epoch_ = hello->current_epoch;
    persist();
    notice(*group, "+new-epoch", std::to_string(current_epoch_));
  }
  if (peer != nullptr && group->config_epoch < hello->master_config_epoch) {
    group->config_epoch = hello->master_config_epoch;
    Address announced{hello->master_ip, hello->master_port};
    // Deviation (safety): Sentinel compares with the configured address only,
    // so a leader whose own failover is still running keeps it and later
    // switches to its promoted replica under the newer epoch — two addresses
    // at one config epoch, which never converge (§12.11). A newer
    // configuration wins over our failover: compare with the address we
    // currently announce, and drop an unfinished failover.
    if (announced != current_master_address(*group)) {
      notice("+config-update-from", instance_details(*group, *peer));
      notice("+switch-master", group->config.name + " " + group->master.addr.ip + " " +
                                   std::to_string(group->master.addr.port) + " " + announced.ip +
                                   " " + std::to_string(announced.port));
      peer->last_hello_time = now;
      reset_master_and_change_address(*group, announced, now);  // invalidates `peer`
      return;
    }
    if (group->failover_in_progress() && group->failover_state < FailoverState::kReconfSlaves) {
      abort_failover(*group, now);
    }
    // Deviation: Sentinel does not persist an epoch-only change; we do, so
    // that config epochs never go backwards across a restart.
    persist();
  }
  if (peer != nullptr) peer->last_hello_time = now;
}

// A hello from an id/address pair we do not know: handle address changes and
// id changes as Sentinel does (step 3 of §4.3), then add the sentinel.
Instance* Engine::learn_sentinel(Group& group, const Address& addr, const std::string& id,
                                 TimePoint now) {
  bool removed = false;
  if (auto old = group.sentinels.find(id); old != group.sentinels.end()) {
    close_link(group, old->second);
    group.sentinels.erase(old);
    removed = true;
  }
  if (removed) {
    notice("+sentinel-address-switch", instance_details(group, group.master) + " ip " + addr.ip +
                                           " port " + std::to_string(addr.port) + " for " + id);
  } else {
    for (auto& [other_id, other] : group.sentinels) {
      if (other.addr != addr) continue;
      notice("+sentinel-invalid-addr", instance_details(group, other));
      remove_sentinel_everywhere(std::string(other_id));
      break;
    }
  }
  Instance instance = make_instance(InstanceKind::kSentinel, id, addr, now);
  instance.run_id = id;
  auto [it, inserted] = group.sentinels.emplace(id, std::move(instance));
  Instance& peer = it->second;
  if (!removed) {
    notice("+sentinel", instance_details(group, peer));
  } else {
    // The same sentinel moved: update it under every other group too.
    int updated = 0;
    for (auto& other_group : groups_) {
      if (&other_group == &group) continue;
      auto found = other_group.sentinels.find(id);
      if (found == other_group.sentinels.end()) continue;
      close_link(other_group, found->second);
      found->second.addr = addr;
      ++updated;
    }
    notice("+sentinel-address-update", instance_details(group, peer) + " " +
                                           std::to_string(updated) +
                                           " additional matching instances");
  }
  persist();
  return &peer;
}

void Engine::remove_sentinel_everywhere(const std::string& id) {
  for (auto& group : groups_) {
    auto it = group.sentinels.find(id);
    if (it == group.sentinels.end()) continue;
    close_link(group, it->second);
    group.sentinels.erase(it);
  }
}

// mirrors sentinelForceHelloUpdateForMaster: hellos go out on the next walk.
void Engine::force_hello_update(Group& group) {
  Duration past = config_.timings.publish_period + ms(1);
  auto rewind = [&](Instance& instance) {
    if (instance.last_pub_time > kNever + past)
      instance.last_pub_time -= past;
    else
      instance.last_pub_time = kNever;
  };
  rewind(group.master);
  for (auto& [key, replica] : group.replicas) rewind(replica);
  for (auto& [key, peer] : group.sentinels) rewind(peer);
}

}  // namespace sp::sentinel
