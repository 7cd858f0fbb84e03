#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sp::protocol::testing {

struct MalformedRequest {
  std::string name;
  std::string bytes;
  std::string message;
  std::size_t frames_before = 0;
};

// The messages are the ones redis-server 7.0.15 replies for the same bytes; the
// redis_compat_test replays these inputs against a live server.
inline std::vector<MalformedRequest> malformed_requests() {
  return {
      {"count not a number", "*abc\r\n", "Protocol error: invalid multibulk length"},
      {"count with plus", "*+1\r\n", "Protocol error: invalid multibulk length"},
      {"empty count", "*\r\n", "Protocol error: invalid multibulk length"},
      {"count over INT_MAX", "*2147483648\r\n", "Protocol error: invalid multibulk length"},
      {"simple string arg", "*1\r\n+PING\r\n", "Protocol error: expected '$', got '+'"},
      {"negative bulk", "*1\r\n$-1\r\n", "Protocol error: invalid bulk length"},
      {"bulk over 512MB", "*1\r\n$536870913\r\n", "Protocol error: invalid bulk length"},
      {"bulk length leading zero", "*1\r\n$04\r\nPING\r\n", "Protocol error: invalid bulk length"},
      {"unbalanced double quote", "SET k \"abc\r\n",
       "Protocol error: unbalanced quotes in request"},
      {"quote glued to text", "SET k 'a'b\r\n", "Protocol error: unbalanced quotes in request"},
      {"error after a good request", "PING\r\n*x\r\n", "Protocol error: invalid multibulk length",
       1},
      {"long inline line", std::string(64 * 1024 + 1, 'a'),
       "Protocol error: too big inline request"},
      {"long count line", "*" + std::string(64 * 1024, '1'),
       "Protocol error: too big mbulk count string"},
      {"long bulk count line", "*1\r\n$" + std::string(64 * 1024, '1'),
       "Protocol error: too big bulk count string"},
      // strchr stops at the NUL, so the line end is never seen and the line only grows.
      {"inline line with NUL", std::string("ECHO a\0b\r\n", 10) + std::string(64 * 1024, 'x'),
       "Protocol error: too big inline request"},
  };
}

// What a server that demands authentication refuses an unauthenticated client (parsed
// with ProtocolLimits::unauthenticated; replayed against a redis-server with requirepass).
inline std::vector<MalformedRequest> unauthenticated_requests() {
  return {
      {"11 arguments", "*11\r\n", "Protocol error: unauthenticated multibulk length"},
      {"a huge count", "*1000000\r\n", "Protocol error: unauthenticated multibulk length"},
      {"a 16385-byte bulk", "*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length"},
      {"a 50 MB bulk after AUTH's name", "*2\r\n$4\r\nAUTH\r\n$52428800\r\n",
       "Protocol error: unauthenticated bulk length"},
      {"an invalid count is still invalid", "*x\r\n", "Protocol error: invalid multibulk length"},
  };
}

// At the limits: still parsed (the server answers -NOAUTH, not a protocol error).
inline std::vector<std::string> unauthenticated_requests_at_the_limits() {
  std::string ten = "*10\r\n$4\r\nPING\r\n";
  for (int i = 1; i < 10; ++i) ten += "$1\r\nx\r\n";
  return {ten, "*2\r\n$4\r\nPING\r\n$16384\r\n" + std::string(16384, 'v') + "\r\n"};
}

}  // namespace sp::protocol::testing
