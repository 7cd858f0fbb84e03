#include "proxy/session/pending_replies.h"

#include <algorithm>

namespace sp::proxy {

std::string_view to_string(CommandRole role) {
  switch (role) {
    case CommandRole::kPlain:
      return "plain";
    case CommandRole::kPubsub:
      return "pubsub";
    case CommandRole::kPassthrough:
      return "passthrough";
    case CommandRole::kReplication:
      return "replication";
    case CommandRole::kHello:
      return "hello";
    case CommandRole::kReset:
      return "reset";
  }
  return "unknown";
}

void PendingReplies::on_forwarded(CommandRole role, std::uint32_t slot, Clock::time_point start,
                                  int hello_proto, PubsubRequest pubsub, bool tracks_state,
                                  std::string_view request, bool durable_write,
                                  LateReply late_reply) {
  if (passthrough_) return;
  if (role == CommandRole::kPassthrough || role == CommandRole::kReplication) {
    // Commands already pending are still matched; from here on frames are not.
    passthrough_ = true;
    replication_ = role == CommandRole::kReplication;
    return;
  }
  std::uint32_t kept = 0;
  if (!request.empty() && requests_.size() - requests_begin_ + request.size() <= kRetainLimit) {
    requests_.append(request);
    kept = static_cast<std::uint32_t>(request.size());
  }
  pending_.push_back({.start = start,
                      .slot = slot,
                      .role = role,
                      .tracks_state = tracks_state,
                      .durable_write = durable_write,
                      .late_reply = late_reply,
                      .hello_proto = static_cast<std::int8_t>(hello_proto),
                      .scope = pubsub.scope,
                      .confirms_left = pubsub.names,
                      .request_length = kept});
}

bool PendingReplies::head_is_durable_write() const {
  return !pending_.empty() && pending_.front().durable_write;
}

bool late_reply_kept(LateReply kind, std::string_view frame, bool is_error) {
  switch (kind) {
    case LateReply::kRanTooLate:
      return false;
    case LateReply::kKept:
      return true;
    case LateReply::kKeptIfRefused:
      return is_error || frame == "*-1\r\n" || frame == "_\r\n";
    case LateReply::kKeptIfQueued:
      return is_error || frame == "+QUEUED\r\n";
  }
  return false;
}

LateReply PendingReplies::head_late_reply() const {
  return pending_.empty() ? LateReply::kRanTooLate : pending_.front().late_reply;
}

bool PendingReplies::take_for_retry(RetryBatch& batch) {
  if (pending_.empty() || passthrough_) return false;
  for (const Pending& p : pending_) {
    if (p.durability_wait) continue;
    if (p.local || p.substituted || p.tracks_state || p.role != CommandRole::kPlain ||
        p.request_length == 0) {
      return false;
    }
  }
  // Kept bytes are those of pending commands only, so all of them are taken.
  batch.requests.append(requests_, requests_begin_);
  for (const Pending& p : pending_) {
    if (!p.durability_wait) {
      batch.commands.push_back({p.start, p.slot, p.request_length, p.durable_write, p.late_reply});
    }
  }
  pending_.clear();
  requests_.clear();
  requests_begin_ = 0;
  return true;
}

std::string_view PendingReplies::head_request() const {
  if (pending_.empty()) return {};
  return std::string_view(requests_).substr(requests_begin_, pending_.front().request_length);
}

void PendingReplies::release_request(std::uint32_t length) {
  if (length == 0) return;
  requests_begin_ += length;
  if (requests_begin_ == requests_.size()) {
    requests_.clear();
    requests_begin_ = 0;
  } else if (requests_begin_ > kRetainLimit / 2) {
    requests_.erase(0, requests_begin_);
    requests_begin_ = 0;
  }
}

void PendingReplies::on_substituted(std::string reply, std::uint32_t slot, Clock::time_point start,
                                    bool tracks_state) {
  if (passthrough_) return;
  substitutes_.push_back(std::move(reply));
  // (The DISCARD sent in its place changes nothing wherever it runs.)
  pending_.push_back({.start = start,
                      .slot = slot,
                      .tracks_state = tracks_state,
                      .substituted = true,
                      .late_reply = LateReply::kKept});
}

void PendingReplies::on_probe(std::uint32_t slot, Clock::time_point start) {
  if (passthrough_) return;
  substitutes_.emplace_back();
  pending_.push_back({.start = start, .slot = slot, .substituted = true, .probe = true});
}

bool PendingReplies::head_is_probe() const {
  return !pending_.empty() && pending_.front().probe;
}

void PendingReplies::fill_head_probe(std::string reply) {
  if (head_is_probe()) substitutes_.front() = std::move(reply);
}

void PendingReplies::defer_head_probe() {
  if (!head_is_probe()) return;
  Pending& head = pending_.front();
  head.probe = head.substituted = false;
  head.local = head.deferred = true;
  substitutes_.pop_front();
  // Local replies are kept in the order of their entries: this one goes before any queued.
  local_replies_.emplace_front();
}

bool PendingReplies::head_is_deferred() const {
  return !pending_.empty() && pending_.front().deferred;
}

void PendingReplies::fill_deferred(std::string reply, std::string& out) {
  std::size_t locals = 0;
  for (Pending& p : pending_) {
    if (!p.local) continue;
    if (p.deferred) {
      p.deferred = false;
      p.error = reply.starts_with("-");
      local_replies_[locals] = std::move(reply);
      break;
    }
    ++locals;
  }
  emit_ready_locals(out);
}

void PendingReplies::on_hidden(Clock::time_point start) {
  if (passthrough_) return;
  pending_.push_back({.start = start, .hidden = true});
}

void PendingReplies::on_durability_wait(Clock::time_point start) {
  if (passthrough_) return;
  pending_.push_back({.start = start, .hidden = true, .durability_wait = true});
}

bool PendingReplies::head_is_durability_wait() const {
  return !pending_.empty() && pending_.front().durability_wait;
}

bool PendingReplies::is_resp2_message(std::string_view head) const {
  return resp_version_ == 2 && subscribed() &&
         classify_pubsub_frame(head).kind == PubsubFrame::kMessage;
}

bool PendingReplies::head_is_hidden() const {
  return !pending_.empty() && pending_.front().hidden;
}

void PendingReplies::complete_hidden(std::string& out) {
  if (!head_is_hidden()) return;
  pending_.pop_front();
  emit_ready_locals(out);
}

const std::string* PendingReplies::head_substitute() const {
  if (pending_.empty() || !pending_.front().substituted) return nullptr;
  return &substitutes_.front();
}

void PendingReplies::on_local(std::string reply, std::uint32_t slot, Clock::time_point start,
                              bool close_after, bool error, std::string& out) {
  if (pending_.empty()) {
    out += reply;
    completed_.push_back({start, slot, error});
    close_requested_ = close_requested_ || close_after;
    return;
  }
  local_replies_.push_back(std::move(reply));
  pending_.push_back(
      {.start = start, .slot = slot, .local = true, .close_after = close_after, .error = error});
}

bool PendingReplies::resp2_pubsub_possible() const {
  // Messages only follow a confirmation, so until something is subscribed a frame is the
  // reply of the command at the head, and a Pub/Sub frame only if that command is one
  // (an LRANGE pipelined before a SUBSCRIBE may well return ["message", "ch", "x"]).
  if (resp_version_ != 2) return false;
  if (subscribed()) return true;
  return head_awaits_confirmation();
}

bool PendingReplies::head_awaits_confirmation() const {
  return !pending_.empty() && !pending_.front().local &&
         pending_.front().role == CommandRole::kPubsub;
}

void PendingReplies::count_subscriptions(const PubsubFrameInfo& confirm) {
  if (confirm.count < 0) return;  // not within the frame's head: unchanged
  if (confirm.kind == PubsubFrame::kShardConfirm) {
    shards_ = confirm.count;
    return;
  }
  const std::int64_t change = confirm.count - (channels_ + patterns_);
  std::int64_t& moved = confirm.pattern ? patterns_ : channels_;
  moved = std::max<std::int64_t>(0, moved + change);
  if (confirm.count == 0) channels_ = patterns_ = 0;
}

void PendingReplies::on_frame(std::string_view head, bool is_push, bool is_error,
                              std::string& out) {
  // In passthrough mode the commands still pending were sent before it began, so their
  // replies still come first and one each; only later frames go unmatched.
  PubsubFrameInfo pubsub;
  if (is_push || (!is_error && resp2_pubsub_possible())) pubsub = classify_pubsub_frame(head);
  if (pubsub.kind == PubsubFrame::kConfirm || pubsub.kind == PubsubFrame::kShardConfirm) {
    const bool matched = head_awaits_confirmation();
    if (matched && pending_.front().confirms_left == 0) {
      // An unsubscribe from everything: Redis confirms each name it had, or once if none.
      const PubsubScope scope = pending_.front().scope;
      const std::int64_t names = scope == PubsubScope::kShards     ? shards_
                                 : scope == PubsubScope::kPatterns ? patterns_
                                                                   : channels_;
      pending_.front().confirms_left = static_cast<std::uint32_t>(std::max<std::int64_t>(1, names));
    }
    count_subscriptions(pubsub);
    if (matched && --pending_.front().confirms_left == 0) {
      complete_head(false);
      emit_ready_locals(out);
    }
    return;  // not the last confirmation: nothing completes
  }
  if (is_push || pubsub.kind == PubsubFrame::kMessage) return;
  if (pending_.empty()) return;  // a reply nobody asked for: forwarded, not counted
  complete_head(is_error, head);
  emit_ready_locals(out);
}

void PendingReplies::complete_head(bool error, std::string_view reply) {
  const Pending head = pending_.front();
  pending_.pop_front();
  release_request(head.request_length);
  if (head.local) return;  // emitted by emit_ready_locals
  if (head.substituted) substitutes_.pop_front();
  if (head.tracks_state) {
    // A null array is EXEC's "nothing ran"; no other state command answers one.
    const bool nothing_ran = reply == "*-1\r\n" || reply == "_\r\n";
    state_replies_.push_back(error         ? StateReply::kError
                             : nothing_ran ? StateReply::kNothingRan
                                           : StateReply::kSuccess);
  }
  if (!error && head.role == CommandRole::kHello && head.hello_proto != 0) {
    resp_version_ = head.hello_proto;
  }
  if (!error && head.role == CommandRole::kReset) {
    resp_version_ = 2;
    channels_ = patterns_ = shards_ = 0;
  }
  completed_.push_back({head.start, head.slot, error});
}

void PendingReplies::emit_ready_locals(std::string& out) {
  while (!pending_.empty() && pending_.front().local && !pending_.front().deferred) {
    const Pending head = pending_.front();
    pending_.pop_front();
    completed_.push_back({head.start, head.slot, head.error});
    close_requested_ = close_requested_ || head.close_after;
    out += local_replies_.front();
    local_replies_.pop_front();
  }
}

}  // namespace sp::proxy
