#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "common/tls/stream.h"
#include "protocol/reply_parser.h"
#include "protocol/request_parser.h"
#include "proxy/admin/proxy_access.h"
#include "proxy/links/shared_link.h"
#include "proxy/session/io_buffer.h"
#include "proxy/session/pending_replies.h"
#include "proxy/session/session_machine.h"
#include "proxy/session/session_state.h"
#include "proxy/session/unconfirmed_replies.h"
#include "proxy/topology/topology.h"

namespace sp::proxy {

class Worker;
struct CommandClass;

// "ip:port" of a socket's peer, for log lines ("?" once it is gone).
std::string peer_name(const asio::ip::tcp::socket& socket);
inline std::string peer_name(const Stream& stream) {
  return peer_name(stream.socket());
}

// One client connection and its own backend connection to the group's master, on one
// worker thread. Owned by shared_ptr: each of its three coroutines holds one.
//   client_reader   frames requests, forwards them unchanged in batches, answers PROXY/QUIT
//   backend_reader  frames replies, appends them to the client's output, matches them
//   client_writer   writes the client's output, counts completed commands
// Backpressure: the client reader awaits its backend write, so a backend that does not
// read stops the client being read; the backend reader pauses while the client's output
// is over kOutputHighWater.
//
// Failover (session_failover.cc, README.md "Failover as your clients see it"): when a new
// master is published, a session with nothing in flight moves to it and replays its state
// (SessionState); one with commands in flight on the old master is closed, since their
// outcome is unknown. While there is no master to send to, commands are held in the input
// buffer (the client is not read meanwhile) for up to failover-hold-ms.
//
// Pooled mode (backend-pool-size, README.md "Pooled mode"): a session starts without a
// connection of its own; its commands go over one of the worker's SharedLinks, which
// hands the replies back (on_link_replies) instead of a backend reader. The first command
// that binds state to the connection (CommandClass::pins) waits for the replies before it,
// then the session gets its own connection, as a move would, and keeps it.
class Session : public std::enable_shared_from_this<Session>, public SharedLinkUser {
 public:
  static constexpr std::size_t kOutputHighWater = 64 * 1024;

  // `tls`: the client came to the TLS port; the session begins with the handshake.
  Session(Worker& worker, asio::ip::tcp::socket client, bool tls = false);
  ~Session();

  void start();
  // Closes both connections now; pending output is dropped.
  void close();
  // Stops reading the client; closes once the replies already asked for are written.
  void drain();
  // After an upgrade's hand-over, called every few tens of milliseconds: drains once the
  // client has been quiet for kQuietBeforeLeaving with nothing in flight (no command
  // awaiting its reply or arriving, no transaction open), and a subscriber at once.
  // Closing between commands rather than in the middle of one lets a client that sent a
  // request just before the hand-over (or has just connected) have its reply.
  void leave_when_idle(Clock::time_point now);
  static constexpr auto kQuietBeforeLeaving = std::chrono::milliseconds(100);
  // Once a second from the worker: idle timeout and the output soft limit.
  void on_cron(Clock::time_point now);
  // From the worker, once it took a new topology snapshot.
  void on_topology();
  // From the worker, once it took new settings: a held session looks at its deadline again.
  void on_settings();

  // SharedLinkUser: replies to the commands this session sent over its shared link.
  void on_link_replies(std::string_view bytes, std::uint64_t ticket) override;
  void on_link_lost(std::string_view why, std::uint64_t ticket) override;
  void on_link_read_done() override;
  bool awaits_link(std::uint64_t ticket) const override {
    return !closed_ && ticket == backend_generation_;
  }

 private:
  static asio::awaitable<void> run(std::shared_ptr<Session> self);
  // The TLS handshake with a client of the TLS port (counted, and logged when it fails);
  // false when the session is closed.
  asio::awaitable<bool> accept_tls();
  static constexpr auto kTlsHandshakeTimeout = std::chrono::seconds(10);
  static asio::awaitable<void> client_reader(std::shared_ptr<Session> self);
  static asio::awaitable<void> backend_reader(std::shared_ptr<Session> self,
                                              std::uint64_t generation);
  static asio::awaitable<void> client_writer(std::shared_ptr<Session> self);

  // Connects to the master of the current topology; false (and why, in
  // unreachable_reason_) when it cannot.
  asio::awaitable<bool> connect_backend();
  // Pooled: takes a link of the worker's pool to the current master.
  asio::awaitable<bool> attach_link();
  void count_connect_failure();
  // A pooled session's link closed or went to a demoted master while nothing was in
  // flight on it: the next command attaches again.
  void leave_unusable_link();
  // Waits for the replies to the commands sent over the shared link, then attaches a
  // connection of the session's own (pin_requested_).
  asio::awaitable<void> pin_connection();
  // What a batch of replies read from the master leads to (both modes): false when the
  // session was closed.
  bool after_replies();
  // The master connection broke (both modes).
  void on_backend_lost(std::string_view why);
  // Frames the complete requests in in_ and forwards or answers them, holding them while
  // there is no master to send to. False: stop reading.
  asio::awaitable<bool> process_requests(Clock::time_point now);
  // One pass over in_: forwards or answers requests until one must be held. True when
  // one is held (it and what follows stay in in_).
  asio::awaitable<bool> forward_requests(Clock::time_point now);
  enum class Route { kForward, kAnswered, kSubstituted };
  // One complete request, classified once (`command`): answer or forward it, and record it.
  // `request`: the command's bytes, kept for a -READONLY retry when it can be retried.
  // A write the fence refuses now (fence-on-minority, outside a transaction).
  bool refused_by_fence(const CommandClass& command) const;
  Route route_request(std::span<const std::string_view> args, const CommandClass& command,
                      std::string_view request, Clock::time_point start);
  void note_state_replies();

  // --- durability mode (write-durability replica)
  // Queues a WAIT behind the writes forwarded so far in this batch (batch_writes_): the
  // batch's bytes of in_ up to `offset` go first.
  void queue_confirmation(std::string_view data, std::size_t& range_start, std::size_t offset,
                          Clock::time_point now);
  // The reply to such a WAIT: the replies held behind it go to the client, confirmed or not.
  void on_confirmation(std::string_view reply);
  // The -NOREPLICAS error an unconfirmed write gets; `why`: what the WAIT answered.
  std::string unconfirmed_reply(std::string_view why) const;
  // Follows MULTI / EXEC / DISCARD / RESET as they are forwarded (transaction_sent_).
  void note_transaction(const CommandClass& command);
  // The WAIT the proxy sends, from the settings of the moment.
  const std::string& wait_command();
  // Writes held behind a WAIT were refused: counted, and logged (rate-limited).
  void count_unconfirmed(std::size_t refused, std::string_view why);
  // Where the client's output goes now (held while a WAIT is pending).
  std::string& reply_sink() { return unconfirmed_.sink(out_); }

  // --- the proxy's own commands (session_proxy_command.cc)
  // PROXY ...: answered now when the client may (or may not) have it; otherwise a probe
  // goes to the master in the command's place, and answer_probe() decides.
  Route route_proxy_command(std::span<const std::string_view> args, Clock::time_point start);
  // The master's reply to the probe at the head: the PROXY command's reply, or Redis's
  // refusal; nullopt when the reply comes later (PROXY FAILOVER, from the sentinel inside,
  // through on_deferred_reply).
  std::optional<std::string> answer_probe(std::string_view probe_reply);
  void on_deferred_reply(std::string reply);
  // The client is one the master would refuse a command for lack of authentication:
  // Redis's limits for unauthenticated clients apply to it.
  bool unauthenticated() const;

  // --- failover (session_failover.cc): SessionMachine decides, these act.
  bool hold_enabled() const;
  SessionFacts facts() const;
  // The session has no backend connection, or it has one to a master that is no longer
  // the published one.
  bool needs_new_backend() const;
  // Whether a command for the backend must wait now.
  bool must_hold() const;
  // Connects to the published master, verifies it and replays the session's state.
  // `pinning`: a pooled session takes a connection of its own (not a move: no state lost).
  asio::awaitable<bool> attach_backend(bool pinning = false);
  asio::awaitable<bool> replay_state();
  static asio::awaitable<void> attach_in_background(std::shared_ptr<Session> self);
  // Starts a move to the published master when the session is at a command boundary and
  // nothing else is driving it; closes it when commands are in flight on the old master.
  void consider_swap(Clock::time_point now);
  static asio::awaitable<void> end_replaced_grace(std::shared_ptr<Session> self);
  // Closes the session, which has commands of unknown outcome on the replaced master.
  void abandon_replaced_master();
  // A live backend connection broke: true when the session stays, detached, to be moved.
  bool detach_backend(std::string_view why);
  void begin_hold(Clock::time_point now);
  void count_hold_begun();
  void end_hold(Clock::time_point now);
  // Brings the held-commands gauge up to date: retry_ plus the requests held in in_.
  void count_held_commands();
  // -READONLY from the backend: the write did not run, the master is a replica now (or
  // -LOADING: it is loading its new master's data; or -UNBLOCKED for a blocking command:
  // it popped nothing). Takes
  // back the commands awaiting replies (the refused one and those behind it, whose replies
  // from a replica must not reach the client ahead of it) and leaves the connection, to
  // send them to the current master once one answers ROLE as master. False when they
  // cannot all be sent again as they are: the client then gets the error.
  // `refusal` names the reply for the log.
  bool begin_retry(std::string_view refusal);
  // Whether a -LOADING is retried: always from a replaced master; from the current one
  // only once per failover-hold-ms and topology (a master restarted with its files would
  // otherwise be reconnected to for as long as it loads).
  bool loading_retryable(Clock::time_point now) const;
  // On a newly attached master: sends retry_ ahead of anything else.
  asio::awaitable<bool> send_retry();
  // Past failover-hold-ms without a master, retry_ is answered with the hold error.
  void expire_retry(Clock::time_point now);
  // Waits until the machine's next_wake() or a wake_resume(), whichever comes first.
  asio::awaitable<void> wait_resume();
  void wake_resume();
  // The reply to the ROLE sent behind an AUTH: the master is verified, or the session ends.
  void on_role_check(std::string_view reply);
  // Frames what the backend sent (backend_in_); false on a malformed reply stream.
  bool process_replies();
  // Frames `data` (backend_in_'s bytes, or a shared link's): how much of it was taken, or
  // nullopt on a malformed reply stream.
  std::optional<std::size_t> frame_replies(std::string_view data);
  void close_on_malformed_reply();
  // What framed replies lead to (both modes): false when the session was closed.
  bool replies_framed();
  void answer_locally(std::string reply, std::uint32_t slot, Clock::time_point start,
                      bool close_after, bool error);
  void wake_writer();
  // `bytes` of `written` reached the client, completing `completed`: counted, both emptied.
  void count_written(std::size_t bytes, std::vector<CompletedCommand>& completed,
                     std::string& written);
  // What the client's output limits count: the replies held for a WAIT too.
  std::size_t output_held() const { return output_queued() + unconfirmed_.held_bytes(); }
  // What the readers pause for: replies held for a WAIT leave only once the backend is
  // read again, so they do not count there.
  std::size_t output_queued() const { return out_.size() + writing_.size(); }
  bool check_output_limit();
  void close_when_flushed();

  Worker& worker_;
  Stream client_;
  Stream backend_;
  bool accept_tls_ = false;           // the handshake is still to be done
  std::shared_ptr<SharedLink> link_;  // pooled: the shared connection in use
  TopologyPtr topology_;

  IoBuffer in_;
  IoBuffer backend_in_;
  protocol::RequestParser request_parser_;
  protocol::ReplyParser reply_parser_;
  PendingReplies pending_;
  SessionState state_;
  std::vector<asio::const_buffer> batch_;
  RetryBatch retry_;                // taken back after a refusal, to send before anything else
  UnconfirmedReplies unconfirmed_;  // replies waiting for a durability WAIT
  std::string wait_command_;        // that WAIT, from the settings of the batch
  bool batch_writes_ = false;       // writes forwarded in this batch since its last WAIT
  // A MULTI was forwarded and no EXEC, DISCARD or RESET after it: a WAIT now would be
  // queued in the transaction. (Should the MULTI fail while the writes behind it run, as
  // only an ACL allowing them but not MULTI would do, those writes go unconfirmed.)
  bool transaction_sent_ = false;
  std::int64_t held_commands_ = 0;  // this session's share of the held-commands gauge
  // What the backend gets in place of a command answered by substitution (route_request).
  std::string_view substitute_bytes_;
  // PROXY commands waiting for their probe's reply, in order. A vector, not a deque: it is
  // empty in nearly every session (see common/small_fifo.h).
  struct ProbedCommand {
    std::vector<std::string> args;  // "proxy", the canonical subcommand, its arguments
    ProxyAccess access;
  };
  std::vector<ProbedCommand> probes_;

  std::string out_;      // client output not yet handed to a write
  std::string writing_;  // the write in progress
  std::vector<CompletedCommand> writing_completed_;
  std::string stream_head_;       // first bytes of a reply being streamed through in parts
  std::size_t stream_begin_ = 0;  // where that reply begins in reply_sink()
  asio::steady_timer write_signal_;
  asio::steady_timer drained_signal_;
  asio::steady_timer resume_signal_;    // wakes a held session
  asio::steady_timer deferred_signal_;  // wakes the backend reader once a deferred reply is in

  std::string unreachable_reason_;
  Clock::time_point last_activity_;
  Clock::time_point partial_start_;
  Clock::time_point soft_limit_since_{};
  SessionMachine machine_;
  std::uint64_t backend_generation_ = 0;  // which backend reader is the live one
  bool ever_attached_ = false;
  bool pooled_ = false;              // commands go over link_, not backend_
  bool pin_requested_ = false;       // a command that pins waits at the head of in_
  std::uint32_t batch_replies_ = 0;  // replies the batch being built is answered with
  bool in_requests_ = false;         // process_requests is running (it drives moves itself)
  bool resume_waiting_ = false;
  bool hold_expired_ = false;  // this pass answers held commands with an error
  bool have_partial_ = false;
  bool backend_connected_ = false;
  bool writer_waiting_ = false;
  bool backend_paused_ = false;
  bool client_paused_ = false;  // the client reader waits for its output to drain
  bool stop_reading_ = false;
  bool flush_then_close_ = false;
  // SYNC/PSYNC was forwarded: the client is a replica now, its bytes go on as they are.
  bool byte_pipe_ = false;
  // A request waits for an AUTH's reply, or a ROLE check's (forward_requests).
  bool awaiting_identity_ = false;
  // The replayed AUTH failed on a new master.
  bool credentials_refused_ = false;
  // When the commands were last taken back after a -LOADING from a master that was not
  // replaced, and the topology's epoch then: see loading_retryable().
  Clock::time_point loading_retried_at_{};
  std::uint64_t loading_retried_epoch_ = 0;
  // The master answered the attach's ROLE check -NOAUTH (the session had not authenticated):
  // the check is made again right behind the session's first AUTH, before anything else.
  bool role_unverified_ = false;
  bool role_check_after_ = false;    // the request being routed is that AUTH
  bool role_check_pending_ = false;  // its ROLE is in flight: requests wait
  bool draining_ = false;
  bool closed_ = false;
};

}  // namespace sp::proxy
