#include "proxy/session/unconfirmed_replies.h"

#include "common/parse_number.h"

namespace sp::proxy {

void UnconfirmedReplies::note_write_reply(std::size_t begin) {
  if (begin < held_.size()) write_replies_.emplace_back(begin, held_.size());
}

void UnconfirmedReplies::hold_completed(std::vector<CompletedCommand>& completed) {
  completed_.insert(completed_.end(), completed.begin(), completed.end());
  completed.clear();
}

std::int64_t UnconfirmedReplies::replicas_in(std::string_view frame) {
  if (frame.size() < 4 || frame.front() != ':' || !frame.ends_with("\r\n")) return -1;
  const auto n = parse_number<std::int64_t>(frame.substr(1, frame.size() - 3));
  return n ? *n : -1;
}

std::size_t UnconfirmedReplies::on_wait_reply(bool confirmed, std::string_view refusal,
                                              std::string& out,
                                              std::vector<CompletedCommand>& completed) {
  if (waits_ > 0) --waits_;
  return release(confirmed, refusal, out, completed);
}

std::size_t UnconfirmedReplies::refuse_all(std::string_view refusal, std::string& out,
                                           std::vector<CompletedCommand>& completed) {
  waits_ = 0;
  return release(false, refusal, out, completed);
}

std::size_t UnconfirmedReplies::release(bool confirmed, std::string_view refusal, std::string& out,
                                        std::vector<CompletedCommand>& completed) {
  const std::size_t refused = confirmed ? 0 : write_replies_.size();
  if (confirmed || write_replies_.empty()) {
    out.append(held_);
  } else {
    std::size_t at = 0;
    for (const auto& [begin, end] : write_replies_) {
      out.append(held_, at, begin - at);
      out.append(refusal);
      at = end;
    }
    out.append(held_, at);
  }
  // A refused write completes as an error; which of the held ones were writes is not kept
  // with the completions, so the count moves to the metrics' own counter instead.
  completed.insert(completed.end(), completed_.begin(), completed_.end());
  completed_.clear();
  held_.clear();
  write_replies_.clear();
  return refused;
}

}  // namespace sp::proxy
