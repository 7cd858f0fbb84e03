// Hello reception: sentinel discovery and configuration propagation (§4.3).
#include "sentinel/engine.h"
#include "sentinel/hello.h"
#include "sentinel/notices.h"

namespace sp::sentinel {

namespace {

// At most one -hello-rejected notice a second: anyone who can PUBLISH on a master can send
// hellos, and the log must not grow at the sender's pace (the count is exact regardless).
constexpr Duration kRejectReportPeriod = ms(1000);
constexpr std::size_t kRejectShownBytes = 160;

// The payload as one printable log word: control bytes escaped, long ones cut.
std::string printable(std::string_view payload) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : payload.substr(0, kRejectShownBytes)) {
    const auto u = static_cast<unsigned char>(c);
    if (u > ' ' && u < 0x7f && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  if (payload.size() > kRejectShownBytes) out += "...";
  return out;
}

}  // namespace

// mirrors sentinelProcessHelloMessage, with every field checked first (a hello comes from
// anyone who can PUBLISH on a monitored instance or reach our sentinel port).
void Engine::process_hello(std::string_view payload, bool via_pubsub, TimePoint now) {
  // Our own hellos come back through the master and its replicas.
  if (via_pubsub && payload.find(myid_) != std::string_view::npos) return;
  Hello parsed;
  if (const HelloError error = parse_hello(payload, parsed); error != HelloError::kNone) {
    reject_hello(to_string(error), payload, now);
    return;
  }
  const Hello* const hello = &parsed;
  // Only a forgery (or a copied config) names our id on another path.
  if (hello->sentinel_id == myid_) {
    reject_hello("our own sentinel id", payload, now);
    return;
  }
  // A name we do not monitor is no sign of hostility: a server may carry the hellos of
  // several groups, each sentinel matching its own by name (§12.4).
  Group* group = find_group(hello->master_name);
  if (group == nullptr) return;
  // A sender whose address cannot become an instance (a hostname without
  // resolve-hostnames) adds no sentinel and its configuration is ignored (§12.3).
  std::optional<Address> sender =
      make_address(hello->sentinel_ip, hello->sentinel_port, /*accept_unresolved=*/true);
  Instance* peer = nullptr;
  if (sender) {
    auto known = group->sentinels.find(hello->sentinel_id);
    if (known != group->sentinels.end() && same_address(known->second.addr, *sender)) {
      peer = &known->second;
    } else {
      peer = learn_sentinel(*group, *sender, hello->sentinel_id, now);
    }
  }
  if (hello->current_epoch > current_epoch_) {
    current_epoch_ = hello->current_epoch;
    persist();
    Notice n = about(NoticeKind::kNewEpoch, *group);
    n.epoch = current_epoch_;
    notice(std::move(n));
  }
  if (peer != nullptr && group->config_epoch < hello->master_config_epoch) {
    group->config_epoch = hello->master_config_epoch;
    // Deviation (safety): Sentinel compares with the configured address only,
    // so a leader whose own failover is still running keeps it and later
    // switches to its promoted replica under the newer epoch — two addresses
    // at one config epoch, which never converge (§12.11). A newer
    // configuration wins over our failover: compare with the address we
    // currently announce, and drop an unfinished failover.
    const Address current = current_master_address(*group);
    if (hello->master_port != current.port || !equals_host(current, hello->master_ip)) {
      notice(NoticeKind::kConfigUpdateFrom, *group, *peer);
      Notice n = about(NoticeKind::kSwitchMaster, *group);
      n.to = ShownAddress{hello->master_ip, hello->master_port};
      notice(std::move(n));
      peer->last_hello_time = now;
      // A hostname we may not accept leaves the address as it was (as Sentinel's
      // failing sentinelResetMasterAndChangeAddress does); the epoch is kept.
      std::optional<Address> master =
          make_address(hello->master_ip, hello->master_port, /*accept_unresolved=*/false);
      if (master) {
        reset_master_and_change_address(*group, *master, now);  // invalidates `peer`
      } else {
        persist();
      }
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

void Engine::reject_hello(std::string_view why, std::string_view payload, TimePoint now) {
  ++hellos_rejected_;
  if (hello_rejected_notice_time_ != kNever &&
      now - hello_rejected_notice_time_ < kRejectReportPeriod) {
    return;
  }
  Notice n{.kind = NoticeKind::kHelloRejected};
  n.reason = std::string(why) + " " + printable(payload);
  n.count = hellos_rejected_ - hellos_rejected_reported_ - 1;  // not reported before
  hellos_rejected_reported_ = hellos_rejected_;
  hello_rejected_notice_time_ = now;
  notice(std::move(n));
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
    Notice n = about(NoticeKind::kSentinelAddressSwitch, group, group.master);
    n.to = ShownAddress{addr.host(), addr.port};
    n.run_id = id;
    notice(std::move(n));
  } else {
    for (auto& [other_id, other] : group.sentinels) {
      if (!same_address(other.addr, addr)) continue;
      notice(NoticeKind::kSentinelInvalidAddr, group, other);
      remove_sentinel_everywhere(std::string(other_id));
      break;
    }
  }
  Instance instance = make_instance(InstanceKind::kSentinel, id, addr, now);
  instance.run_id = id;
  auto [it, inserted] = group.sentinels.emplace(id, std::move(instance));
  Instance& peer = it->second;
  if (!removed) {
    notice(NoticeKind::kSentinel, group, peer);
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
    Notice n = about(NoticeKind::kSentinelAddressUpdate, group, peer);
    n.count = static_cast<std::uint64_t>(updated);
    notice(std::move(n));
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
