#include "proxy/links/control_link.h"

#include <array>

#include <asio/ip/address.hpp>
#include <asio/write.hpp>

#include "common/asio_util.h"
#include "protocol/writer.h"
#include "proxy/links/backend_connect.h"

namespace sp::proxy {
namespace {

// Replies to control commands are small; a sentinel's SENTINEL master is under 2 KB.
constexpr std::size_t kReadChunk = 4096;

}  // namespace

ControlLink::ControlLink(asio::any_io_executor executor, tls::TlsStore* tls)
    : stream_(executor), tls_(tls) {}

asio::awaitable<std::error_code> ControlLink::connect(const std::string& host, std::uint16_t port,
                                                      std::chrono::milliseconds timeout) {
  close();
  std::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    asio::ip::tcp::resolver resolver(stream_.get_executor());
    auto [resolve_ec, results] =
        co_await resolver.async_resolve(host, std::to_string(port), use_nothrow);
    if (resolve_ec) co_return resolve_ec;
    if (results.empty()) co_return std::make_error_code(std::errc::host_unreachable);
    address = results.begin()->endpoint().address();
  }
  co_return co_await connect_with_timeout(stream_, asio::ip::tcp::endpoint(address, port), timeout,
                                          tls_);
}

std::string ControlLink::command(std::initializer_list<std::string_view> args) {
  std::string out;
  protocol::RespWriter(out).command(args);
  return out;
}

asio::awaitable<std::error_code> ControlLink::send(std::string bytes) {
  auto [ec, written] = co_await stream_.write_all(asio::buffer(bytes));
  (void)written;
  co_return ec;
}

asio::awaitable<std::pair<std::error_code, protocol::Value>> ControlLink::next_value(
    Clock::time_point deadline) {
  std::array<char, kReadChunk> room{};
  while (true) {
    const auto result = parser_.parse(in_);
    if (result.status == protocol::ParseStatus::kError) {
      co_return std::pair{std::make_error_code(std::errc::bad_message), protocol::Value{}};
    }
    if (result.status == protocol::ParseStatus::kComplete) {
      auto value = protocol::decode_value(std::string_view(in_).substr(0, result.consumed));
      in_.erase(0, result.consumed);
      parser_.reset();
      if (!value)
        co_return std::pair{std::make_error_code(std::errc::bad_message), protocol::Value{}};
      co_return std::pair{std::error_code{}, std::move(*value)};
    }
    auto [ec, n] = co_await read_some_until(stream_, room, deadline);
    if (!ec && n == 0) ec = asio::error::eof;
    if (ec) co_return std::pair{ec, protocol::Value{}};
    in_.append(room.data(), n);
  }
}

asio::awaitable<std::pair<std::error_code, protocol::Value>> ControlLink::call(
    std::string bytes, Clock::time_point deadline) {
  if (auto ec = co_await send(std::move(bytes))) co_return std::pair{ec, protocol::Value{}};
  co_return co_await next_value(deadline);
}

asio::awaitable<std::error_code> ControlLink::authenticate(const std::string& user,
                                                           const std::string& pass,
                                                           Clock::time_point deadline) {
  if (pass.empty()) co_return std::error_code{};
  const std::string auth = user.empty() ? command({"AUTH", pass}) : command({"AUTH", user, pass});
  if (auto ec = co_await send(auth)) co_return ec;
  auto [read_ec, reply] = co_await next_value(deadline);
  if (!read_ec && reply.is_error()) read_ec = asio::error::access_denied;
  co_return read_ec;
}

std::string ControlLink::remote_ip() const {
  std::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string();
}

void ControlLink::close() {
  std::error_code ignored;
  stream_.close(ignored);
  in_.clear();
  parser_.reset();
}

}  // namespace sp::proxy
