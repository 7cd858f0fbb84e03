#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/small_fifo.h"
#include "proxy/session/pubsub_frame.h"
#include "proxy/session/session_state.h"

namespace sp::proxy {

using Clock = std::chrono::steady_clock;

// How a forwarded command's replies are recognised.
enum class CommandRole : std::uint8_t {
  kPlain,        // exactly one reply
  kPubsub,       // (P|S)(UN)SUBSCRIBE: confirmations, possibly pushes, possibly several
  kPassthrough,  // MONITOR, CLIENT REPLY OFF|SKIP: replies stop matching 1:1
  kReplication,  // SYNC, PSYNC: once earlier replies are out, the rest is a byte stream
  kHello,        // one reply; success switches the protocol version
  kReset,        // one reply; ends subscriptions and RESP3
};
std::string_view to_string(CommandRole role);

// What a (P|S)(UN)SUBSCRIBE names: Redis confirms each name with one frame, and an
// unsubscribe without names once per name of its scope subscribed then (once if none).
enum class PubsubScope : std::uint8_t { kChannels, kPatterns, kShards };
struct PubsubRequest {
  PubsubScope scope = PubsubScope::kChannels;
  std::uint32_t names = 0;  // 0: every name of the scope (an unsubscribe without arguments)
};

// A command whose reply has left (or is ready to leave) for the client: what the writer
// counts once the bytes are written.
struct CompletedCommand {
  Clock::time_point start;
  std::uint32_t slot;
  bool error;
};

// What a reply from a master replaced meanwhile (a planned switchover seen late) says of
// the command it answers.
enum class LateReply : std::uint8_t {
  kRanTooLate,     // any reply: the command ran there after the switch (a write)
  kKept,           // the reply is the client's: the command changes no data (a read, MULTI)
  kKeptIfRefused,  // EXEC: an error or a null reply proves nothing ran, an array that it ran
  kKeptIfQueued,   // behind MULTI: +QUEUED or an error; anything else, it ran (MULTI refused)
};

// Whether `frame`, a whole reply (`is_error`: an error reply) from a replaced master to a
// command of that kind, is still the client's rather than proof that it ran too late.
bool late_reply_kept(LateReply kind, std::string_view frame, bool is_error);

// Commands taken back from a backend that refused a write with -READONLY (a demoted
// master): their bytes, in order, to send again to the current master.
struct RetryBatch {
  struct Command {
    Clock::time_point start;
    std::uint32_t slot;
    std::uint32_t length;  // of its bytes in `requests`
    bool durable_write;    // its reply waits for a replica's confirmation (write-durability)
    LateReply late_reply;
  };
  std::string requests;
  std::vector<Command> commands;
  bool empty() const { return commands.empty(); }
};

// Matches the backend's reply frames to the client's commands in FIFO order, and keeps
// the proxy's own replies (PROXY, QUIT) in their place in that order. Sans-I/O: the session
// forwards the frame bytes itself and tells it what it saw; it appends
// local replies to the client's output and lists completed commands.
//
// Pub/Sub frames (RESP3 pushes, RESP2 message arrays while subscribed) are never matched;
// a subscribe-family command completes on its last confirmation (one per name) or an error,
// so that nothing answered locally after it overtakes its later confirmations. After MONITOR,
// CLIENT REPLY OFF|SKIP or SYNC, frames are passed through unmatched for the rest of the
// session: the bytes are still exact, only latency accounting stops.
class PendingReplies {
 public:
  // A command was forwarded to the backend. `hello_proto` is HELLO's requested version;
  // `pubsub` what a kPubsub command names.
  // `tracks_state`: the command changes the session's state (SessionState), and its
  // outcome is listed in state_replies() when its reply is complete.
  // `request`, when not empty, is the command's bytes, kept until its reply so that it can
  // be sent again (take_for_retry); kept only while under kRetainLimit in all.
  // `durable_write`: a write whose reply waits for the WAIT behind it (write-durability).
  // `late_reply`: what a reply to it from a replaced master says.
  void on_forwarded(CommandRole role, std::uint32_t slot, Clock::time_point start,
                    int hello_proto = 0, PubsubRequest pubsub = {}, bool tracks_state = false,
                    std::string_view request = {}, bool durable_write = false,
                    LateReply late_reply = LateReply::kRanTooLate);
  bool head_is_durable_write() const;
  // What a reply to the command at the head from a replaced master says.
  LateReply head_late_reply() const;

  // The command at the head met -READONLY: when every command awaiting a reply can be sent
  // again as it is (plain commands whose bytes were kept: no state, Pub/Sub, transaction or
  // local reply among them), they are moved to `batch` and forgotten here, and the replies
  // still to come from this backend belong to nobody. The durability WAITs among them are
  // dropped (the session sends a new one behind the batch). False, and nothing changes,
  // otherwise.
  bool take_for_retry(RetryBatch& batch);
  // The kept bytes of the command at the head ("" when none are kept).
  std::string_view head_request() const;
  static constexpr std::size_t kRetainLimit = 1024 * 1024;

  // A command was forwarded in another form (EXEC sent as DISCARD when a failover broke the
  // transaction): the backend's one reply to it is replaced by `reply` for the client.
  void on_substituted(std::string reply, std::uint32_t slot, Clock::time_point start,
                      bool tracks_state);
  // The reply that replaces the next frame, when the command at the head was substituted.
  const std::string* head_substitute() const;
  // A probe was sent in a command's place (a PROXY command the master must vouch for):
  // its reply is for the proxy, and the client gets what fill_head_probe() gives instead.
  void on_probe(std::uint32_t slot, Clock::time_point start);
  bool head_is_probe() const;
  void fill_head_probe(std::string reply);
  // The probe at the head was answered and its command goes on elsewhere (PROXY FAILOVER,
  // to the sentinel): its reply comes later, by fill_deferred(). Until then it stays at the
  // head, and what the backend sends for the commands behind it waits (head_is_deferred).
  void defer_head_probe();
  bool head_is_deferred() const;
  // The first deferred reply is known: it goes to `out`, with the local replies behind it.
  void fill_deferred(std::string reply, std::string& out);
  // A command the proxy sent for itself (a ROLE check after AUTH): its reply goes to no
  // client. complete_hidden() takes that reply off the head.
  void on_hidden(Clock::time_point start);
  bool head_is_hidden() const;
  void complete_hidden(std::string& out);
  // A WAIT the proxy sent behind writes (write-durability): hidden, as above, and told
  // apart from a ROLE check by head_is_durability_wait().
  void on_durability_wait(Clock::time_point start);
  bool head_is_durability_wait() const;
  // A message (message, pmessage, smessage) to a RESP2 subscriber: `head` is no reply.
  bool is_resp2_message(std::string_view head) const;

  // The proxy answered a command itself. The reply goes to `out` now if nothing before it
  // awaits the backend, otherwise when the reply before it is complete.
  void on_local(std::string reply, std::uint32_t slot, Clock::time_point start, bool close_after,
                bool error, std::string& out);

  // One complete backend frame was appended to the client's output. `head` holds its first
  // bytes (the whole frame, or at least 64 bytes of it).
  void on_frame(std::string_view head, bool is_push, bool is_error, std::string& out);

  // Commands completed since the last call, moved out.
  std::vector<CompletedCommand>& completed() { return completed_; }
  // How the commands forwarded with `tracks_state` were answered, in their order, since
  // the last call; the caller clears it.
  std::vector<StateReply>& state_replies() { return state_replies_; }

  bool idle() const { return pending_.empty(); }
  std::size_t pending() const { return pending_.size(); }
  bool subscribed() const { return channels_ > 0 || patterns_ > 0 || shards_ > 0; }
  bool passthrough() const { return passthrough_; }
  // After SYNC/PSYNC, once every earlier command has its reply: what the master sends from
  // here on is an RDB payload (a bulk with no CRLF after it, or `$EOF:<mark>`), newlines
  // while it prepares one, then its command feed. None of it is RESP frames.
  bool replication_stream() const { return replication_ && pending_.empty(); }
  int resp_version() const { return resp_version_; }
  // A QUIT's +OK has been put in the output: close once it is written.
  bool close_requested() const { return close_requested_; }

 private:
  struct Pending {
    Clock::time_point start;
    std::uint32_t slot = 0;
    CommandRole role = CommandRole::kPlain;
    bool local = false;
    bool close_after = false;
    bool error = false;  // of a local reply
    bool tracks_state = false;
    bool substituted = false;
    bool probe = false;
    bool hidden = false;
    bool deferred = false;         // a local reply not known yet
    bool durability_wait = false;  // hidden: a WAIT behind writes
    bool durable_write = false;
    LateReply late_reply = LateReply::kRanTooLate;
    std::int8_t hello_proto = 0;
    PubsubScope scope = PubsubScope::kChannels;
    std::uint32_t confirms_left = 0;   // kPubsub: 0 until known (an unsubscribe from everything)
    std::uint32_t request_length = 0;  // bytes kept in requests_ (0: not kept, cannot be retried)
  };

  // `reply`: the reply's frame (its head when streamed), looked at only for a command that
  // tracks state (StateReply); empty for a confirmation.
  void complete_head(bool error, std::string_view reply = {});
  void release_request(std::uint32_t length);
  void emit_ready_locals(std::string& out);
  bool resp2_pubsub_possible() const;
  bool head_awaits_confirmation() const;
  void count_subscriptions(const PubsubFrameInfo& confirm);

  SmallFifo<Pending> pending_;
  SmallFifo<std::string> local_replies_;
  SmallFifo<std::string> substitutes_;
  // The kept bytes of pending commands, oldest first from requests_begin_.
  std::string requests_;
  std::size_t requests_begin_ = 0;
  std::vector<StateReply> state_replies_;
  std::vector<CompletedCommand> completed_;
  // Subscriptions, from the counts in confirmations (Redis counts channels and patterns
  // together; each confirmation's change tells which of them moved).
  std::int64_t channels_ = 0;
  std::int64_t patterns_ = 0;
  std::int64_t shards_ = 0;
  int resp_version_ = 2;
  bool passthrough_ = false;
  bool replication_ = false;
  bool close_requested_ = false;
};

}  // namespace sp::proxy
