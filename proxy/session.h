#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "protocol/reply_parser.h"
#include "protocol/request_parser.h"
#include "proxy/io_buffer.h"
#include "proxy/reply_router.h"
#include "proxy/topology.h"

namespace sp::proxy {

class Worker;

// One client connection and its own backend connection to the group's master, on one
// worker thread. Owned by shared_ptr: each of its three coroutines holds one.
//   client_reader   frames requests, forwards them unchanged in batches, answers PROXY/QUIT
//   backend_reader  frames replies, appends them to the client's output, matches them
//   client_writer   writes the client's output, counts completed commands
// Backpressure: the client reader awaits its backend write, so a backend that does not
// read stops the client being read; the backend reader pauses while the client's output
// is over kOutputHighWater.
class Session : public std::enable_shared_from_this<Session> {
 public:
  static constexpr std::size_t kOutputHighWater = 64 * 1024;

  Session(Worker& worker, asio::ip::tcp::socket client);
  ~Session();

  void start();
  // Closes both connections now; pending output is dropped.
  void close();
  // Stops reading the client; closes once the replies already asked for are written.
  void drain();
  // Once a second from the worker: idle timeout and the output soft limit.
  void on_cron(Clock::time_point now);

 private:
  static asio::awaitable<void> run(std::shared_ptr<Session> self);
  static asio::awaitable<void> client_reader(std::shared_ptr<Session> self);
  static asio::awaitable<void> backend_reader(std::shared_ptr<Session> self);
  static asio::awaitable<void> client_writer(std::shared_ptr<Session> self);

  // Connects to the master of the current topology; false (and why, in
  // unreachable_reason_) when it cannot.
  asio::awaitable<bool> connect_backend();
  // Frames the complete requests in in_ and forwards or answers them. False: stop reading.
  asio::awaitable<bool> process_requests(Clock::time_point now);
  // One complete request: classify and record it. False when it is answered locally.
  bool route_request(std::span<const std::string_view> args, Clock::time_point start);
  // Frames what the backend sent; false on a malformed reply stream.
  bool process_replies();
  void answer_locally(std::string reply, std::uint32_t slot, Clock::time_point start,
                      bool close_after, bool error);
  void wake_writer();
  std::size_t output_held() const { return out_.size() + writing_.size(); }
  bool check_output_limit();
  void close_when_flushed();

  Worker& worker_;
  asio::ip::tcp::socket client_;
  asio::ip::tcp::socket backend_;
  TopologyPtr topology_;

  IoBuffer in_;
  IoBuffer backend_in_;
  protocol::RequestParser request_parser_;
  protocol::ReplyParser reply_parser_;
  ReplyRouter router_;
  std::vector<asio::const_buffer> batch_;

  std::string out_;      // client output not yet handed to a write
  std::string writing_;  // the write in progress
  std::vector<CompletedCommand> writing_completed_;
  std::string stream_head_;  // first bytes of a reply being streamed through in parts
  asio::steady_timer write_signal_;
  asio::steady_timer drained_signal_;

  std::string unreachable_reason_;
  Clock::time_point last_activity_;
  Clock::time_point partial_start_;
  Clock::time_point soft_limit_since_{};
  bool have_partial_ = false;
  bool backend_connected_ = false;
  bool writer_waiting_ = false;
  bool backend_paused_ = false;
  bool stop_reading_ = false;
  bool flush_then_close_ = false;
  bool draining_ = false;
  bool closed_ = false;
};

}  // namespace sp::proxy
