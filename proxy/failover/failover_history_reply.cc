#include "proxy/failover/failover_history_reply.h"

#include "protocol/writer.h"

namespace sp::proxy {

std::string failover_history_reply(const FailoverRecorder& recorder, int resp_version) {
  using protocol::RespVersion;
  const std::vector<FailoverRecord> records = recorder.history();
  std::string out;
  protocol::RespWriter w(out, resp_version == 3 ? RespVersion::kResp3 : RespVersion::kResp2);
  w.array(records.size());
  for (const auto& r : records) {
    w.map(15);
    w.bulk_string("id").integer(static_cast<std::int64_t>(r.id));
    w.bulk_string("outcome").bulk_string(to_string(r.outcome));
    w.bulk_string("reason").bulk_string(r.reason);
    w.bulk_string("old-master").bulk_string(r.old_master);
    w.bulk_string("new-master").bulk_string(r.new_master);
    w.bulk_string("config-epoch").integer(static_cast<std::int64_t>(r.config_epoch));
    w.bulk_string("leader").bulk_string(r.leader ? "yes" : "no");
    w.bulk_string("started-at").integer(r.started_at_unix_ms);
    w.bulk_string("sdown-ms").integer(r.ms(FailoverMilestone::kSdown));
    w.bulk_string("odown-ms").integer(r.ms(FailoverMilestone::kOdown));
    w.bulk_string("elected-ms").integer(r.ms(FailoverMilestone::kElected));
    w.bulk_string("promoted-ms").integer(r.ms(FailoverMilestone::kPromoted));
    w.bulk_string("swapped-ms").integer(r.ms(FailoverMilestone::kSwapped));
    w.bulk_string("total-ms").integer(r.ms(FailoverMilestone::kEnded));
    w.bulk_string("offset-lost").integer(r.offset_lost);
  }
  return out;
}

std::string failover_info_fields(const FailoverRecorder& recorder) {
  const FailoverTotals totals = recorder.totals();
  std::int64_t failovers = 0;
  for (auto n : totals.outcomes) failovers += n;
  const auto& last = totals.last;
  return "failovers_total:" + std::to_string(failovers) +
         "\r\nlast_failover_outcome:" + std::string(last ? to_string(last->outcome) : "none") +
         "\r\nlast_failover_total_ms:" +
         std::to_string(last ? last->ms(FailoverMilestone::kEnded) : -1) +
         "\r\nlast_offset_lost:" + std::to_string(totals.last_offset_lost) + "\r\n";
}

}  // namespace sp::proxy
