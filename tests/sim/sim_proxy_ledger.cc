#include "tests/sim/sim_proxy_ledger.h"

#include <algorithm>

namespace sp::sentinel::sim {

namespace {

constexpr std::size_t kTraceLines = 10;

std::string at(SimTime now) {
  return "t=" + std::to_string(now) + " ";
}

}  // namespace

void ProxyFigures::add(const ProxyFigures& o) {
  new_masters += o.new_masters;
  starts += o.starts;
  sent += o.sent;
  acknowledged += o.acknowledged;
  lost_at_promotion += o.lost_at_promotion;
  kept_after_undone_promotion += o.kept_after_undone_promotion;
  at_risk_at_end += o.at_risk_at_end;
  refused_readonly += o.refused_readonly;
  hold_timeouts += o.hold_timeouts;
  unknown += o.unknown;
  unconfirmed += o.unconfirmed;
  scenarios_durable_one += o.scenarios_durable_one;
  lost_at_promotion_durable_one += o.lost_at_promotion_durable_one;
  scenarios_durable_all += o.scenarios_durable_all;
  lost_at_promotion_durable_all += o.lost_at_promotion_durable_all;
  scenarios_with_loss += o.scenarios_with_loss;
  scenarios_fenced += o.scenarios_fenced;
  lost_at_promotion_fenced += o.lost_at_promotion_fenced;
  refused_fenced += o.refused_fenced;
  acks_while_cut_off += o.acks_while_cut_off;
  acks_cut_off_not_judged += o.acks_cut_off_not_judged;
  acks_cut_off_not_judged_late += o.acks_cut_off_not_judged_late;
  slowest_fence = std::max(slowest_fence, o.slowest_fence);
  stale_acks_fenced_majority_side += o.stale_acks_fenced_majority_side;
  stale_acks_fenced_within_bound += o.stale_acks_fenced_within_bound;
  stale_acks_fenced_not_judged += o.stale_acks_fenced_not_judged;
}

void ProxyLedger::name_master(const Address& addr, std::uint64_t epoch, SimTime now,
                              const char* how) {
  auto [it, inserted] = named_.emplace(addr, epoch);
  if (!inserted && it->second >= epoch) return;
  it->second = epoch;
  namings_.push_back(at(now) + addr.to_string() + " master of epoch " + std::to_string(epoch) +
                     " (" + how + ")");
  if (namings_.size() > kTraceLines) namings_.pop_front();
}

void ProxyLedger::promotion_applied(const Address& addr, std::uint64_t epoch) {
  auto [it, inserted] = promotions_applied_.emplace(addr, epoch);
  if (!inserted) it->second = std::max(it->second, epoch);
}

std::optional<std::uint64_t> ProxyLedger::master_epoch(const Address& addr) const {
  auto it = named_.find(addr);
  if (it == named_.end()) return std::nullopt;
  return it->second;
}

bool ProxyLedger::stale_master(const Address& at, const std::vector<Address>& masters) const {
  const std::uint64_t mine = master_epoch(at).value_or(0);
  for (const auto& m : masters) {
    auto promoted = promotions_applied_.find(m);
    if (m != at && promoted != promotions_applied_.end() && promoted->second > mine) return true;
  }
  return false;
}

void ProxyLedger::master_demoted(const Address& addr, const std::vector<Address>& masters) {
  if (auto it = at_risk_.find(addr); it != at_risk_.end()) {
    figures_.lost_at_promotion += it->second;
    at_risk_.erase(it);
  }
  for (auto it = at_risk_.begin(); it != at_risk_.end();) {
    if (stale_master(it->first, masters)) {
      ++it;
    } else {
      figures_.kept_after_undone_promotion += it->second;
      it = at_risk_.erase(it);
    }
  }
}

void ProxyLedger::finish() {
  for (const auto& [addr, count] : at_risk_) figures_.at_risk_at_end += count;
  at_risk_.clear();
}

void ProxyLedger::on_restart(int proxy) {
  proxies_[proxy].running_epoch.reset();
  ++figures_.starts;
  remember(proxy, "process started (with its sentinel)");
}

std::string ProxyLedger::on_route(int proxy, const proxy::Topology& topology, SimTime now,
                                  const char* why) {
  PerProxy& p = proxies_[proxy];
  const std::string where = topology.master_ip + ":" + std::to_string(topology.master_port);
  remember(proxy, at(now) + "routes to " + where + " at epoch " + std::to_string(topology.epoch) +
                      " (" + why + ")");
  std::string failure;
  if (p.running_epoch && topology.epoch < *p.running_epoch) {
    failure = "proxy " + std::to_string(proxy) + ": routed epoch went back from " +
              std::to_string(*p.running_epoch) + " to " + std::to_string(topology.epoch);
  }
  if (p.running_epoch) ++figures_.new_masters;
  p.running_epoch = topology.epoch;
  p.high_epoch = std::max(p.high_epoch, topology.epoch);
  return failure.empty() ? failure : failure + history(proxy);
}

std::string ProxyLedger::on_send(int proxy, const Address& to, std::uint64_t value, SimTime now) {
  ++figures_.sent;
  const PerProxy& p = proxies_[proxy];
  auto epoch = master_epoch(to);
  if (epoch && *epoch >= p.high_epoch) return {};
  remember(proxy, at(now) + "sends write " + std::to_string(value) + " to " + to.to_string());
  return "proxy " + std::to_string(proxy) + " sent write " + std::to_string(value) + " to " +
         to.to_string() + ", " +
         (epoch ? "master of epoch " + std::to_string(*epoch) + " only" : "never a master") +
         ", after it routed at epoch " + std::to_string(p.high_epoch) + history(proxy);
}

std::string ProxyLedger::on_ack_while_cut_off(int proxy, SimTime cut_off_for, SimTime now) {
  ++figures_.acks_while_cut_off;
  figures_.slowest_fence = std::max(figures_.slowest_fence, cut_off_for);
  if (cut_off_for <= kFenceBound) return {};
  remember(proxy,
           at(now) + "write acknowledged, cut off for " + std::to_string(cut_off_for) + " ms");
  return "proxy " + std::to_string(proxy) + " (fence-on-minority) got a write acknowledged " +
         std::to_string(cut_off_for) + " ms after it was cut off from the majority, bound " +
         std::to_string(kFenceBound) + " ms" + history(proxy);
}

void ProxyLedger::remember(int proxy, std::string line) {
  auto& trace = proxies_[proxy].trace;
  trace.push_back(std::move(line));
  if (trace.size() > kTraceLines) trace.pop_front();
}

std::string ProxyLedger::history(int proxy) const {
  std::string text = "\n  proxy " + std::to_string(proxy) + ":";
  for (const auto& line : proxies_[proxy].trace) text += "\n    " + line;
  text += "\n  masters named:";
  for (const auto& line : namings_) text += "\n    " + line;
  return text;
}

}  // namespace sp::sentinel::sim
