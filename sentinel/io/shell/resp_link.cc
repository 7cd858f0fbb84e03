#include "sentinel/io/shell/resp_link.h"

#include "common/asio_util.h"
#include "common/tls/tls_store.h"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>
#include <vector>

namespace sp::sentinel::io {
namespace {

protocol::Value to_value(const redisReply& reply) {
  protocol::Value value;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      value.type = protocol::RespType::kBulkString;
      value.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      value.type = protocol::RespType::kSimpleString;
      value.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      value.type = protocol::RespType::kError;
      value.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      value.type = protocol::RespType::kInteger;
      value.integer = reply.integer;
      break;
    case REDIS_REPLY_NIL:
      value.type = protocol::RespType::kBulkString;
      value.null = true;
      break;
    case REDIS_REPLY_ARRAY:
      value.type = protocol::RespType::kArray;
      value.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        value.elements.push_back(to_value(*reply.element[i]));
      }
      break;
    default:
      break;
  }
  return value;
}

bool is_pubsub_message(const protocol::Value& v) {
  if (v.type != protocol::RespType::kArray || v.elements.empty()) return false;
  const std::string& kind = v.elements[0].text;
  return kind == "message" || kind == "pmessage";
}

}  // namespace

std::shared_ptr<RespLink> RespLink::create(asio::any_io_executor executor, std::string name) {
  return std::shared_ptr<RespLink>(new RespLink(std::move(executor), std::move(name)));
}

RespLink::RespLink(asio::any_io_executor executor, std::string name)
    : stream_(executor),
      wake_writer_(executor),
      name_(std::move(name)),
      reader_(redisReaderCreate()) {}

RespLink::~RespLink() {
  redisReaderFree(reader_);
}

void RespLink::start(std::string host, std::uint16_t port,
                     std::chrono::milliseconds connect_timeout, MessageHandler on_message,
                     CloseHandler on_close, tls::TlsStore* tls) {
  on_message_ = std::move(on_message);
  on_close_ = std::move(on_close);
  asio::co_spawn(stream_.get_executor(),
                 run(shared_from_this(), std::move(host), port, connect_timeout, tls),
                 LogStrayException{"sentinel link"});
}

std::string RespLink::local_ip() const {
  std::error_code ec;
  const auto endpoint = stream_.socket().local_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string();
}

void RespLink::send(std::span<const std::string> args, ReplyHandler on_reply) {
  if (closed_) {
    asio::post(stream_.get_executor(), [h = std::move(on_reply)] { h(nullptr); });
    return;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  char* formatted = nullptr;
  const int length = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), argv.data(),
                                            lengths.data());
  if (length < 0) {
    asio::post(stream_.get_executor(), [h = std::move(on_reply)] { h(nullptr); });
    return;
  }
  outbox_.append(formatted, static_cast<std::size_t>(length));
  std::free(formatted);
  handlers_.push_back(std::move(on_reply));
  wake_writer_.cancel();
}

void RespLink::close() {
  fail(asio::error::operation_aborted);
}

void RespLink::fail(const std::error_code& ec) {
  if (closed_) return;
  closed_ = true;
  std::error_code ignored;
  stream_.close(ignored);
  wake_writer_.cancel();
  auto handlers = std::move(handlers_);
  handlers_.clear();
  for (auto& h : handlers) h(nullptr);
  if (on_close_) on_close_(ec);
}

asio::awaitable<void> RespLink::run(std::shared_ptr<RespLink> self, std::string host,
                                    std::uint16_t port, std::chrono::milliseconds timeout,
                                    tls::TlsStore* tls) {
  std::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) {
    self->fail(ec);
    co_return;
  }
  // A connect that hangs (a SIGSTOPped or black-holed host) is cut by closing the socket;
  // the TLS handshake, when there is one, is within the same time.
  const auto until = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer deadline(self->stream_.get_executor(), until);
  deadline.async_wait([weak = std::weak_ptr<RespLink>(self)](const std::error_code& e) {
    if (auto link = weak.lock(); !e && link && !link->connected_) {
      link->fail(asio::error::timed_out);
    }
  });
  auto [connect_ec] = co_await self->stream_.socket().async_connect(
      asio::ip::tcp::endpoint(address, port), use_nothrow);
  if (!connect_ec && !self->closed_ && tls != nullptr && tls->connects()) {
    connect_ec = co_await self->stream_.connect_tls(*tls, until);
  }
  deadline.cancel();
  if (connect_ec || self->closed_) {
    self->fail(connect_ec ? connect_ec : make_error_code(asio::error::operation_aborted));
    co_return;
  }
  self->connected_ = true;
  self->stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  asio::co_spawn(self->stream_.get_executor(), write_loop(self),
                 LogStrayException{"sentinel link writer"});
  co_await self->read_loop();
}

asio::awaitable<void> RespLink::write_loop(std::shared_ptr<RespLink> self) {
  std::string writing;
  while (!self->closed_) {
    if (self->outbox_.empty()) {
      self->wake_writer_.expires_at(asio::steady_timer::time_point::max());
      co_await self->wake_writer_.async_wait(use_nothrow);
      continue;
    }
    writing.clear();
    writing.swap(self->outbox_);
    auto [ec, n] = co_await self->stream_.write_all(asio::buffer(writing));
    if (ec) {
      self->fail(ec);
      co_return;
    }
  }
}

asio::awaitable<void> RespLink::read_loop() {
  char buffer[16 * 1024];
  while (!closed_) {
    auto [ec, n] = co_await stream_.read_some(asio::buffer(buffer));
    if (ec) {
      fail(ec);
      co_return;
    }
    if (redisReaderFeed(reader_, buffer, n) != REDIS_OK) {
      fail(asio::error::invalid_argument);
      co_return;
    }
    void* raw = nullptr;
    while (!closed_) {
      if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
        fail(asio::error::invalid_argument);
        co_return;
      }
      if (raw == nullptr) break;
      const protocol::Value reply = to_value(*static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      dispatch(reply);
    }
  }
}

void RespLink::dispatch(const protocol::Value& reply) {
  if (is_pubsub_message(reply) && on_message_) {
    on_message_(reply);
    return;
  }
  if (handlers_.empty()) return;  // an unsolicited reply: nothing waits for it
  ReplyHandler handler = std::move(handlers_.front());
  handlers_.pop_front();
  handler(&reply);
}

}  // namespace sp::sentinel::io
