#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <string_view>

#include "protocol/writer.h"
#include "sentinel/io/port/port_client.h"

namespace sp::sentinel::io {

// ACL LOG: denied commands and channels and failed authentications, newest first. As in
// Redis, a denial that repeats one logged in the last 60 s (same reason, object and user)
// counts into that entry instead of adding one; at most 128 entries (acllog-max-len).
class AclLog {
 public:
  // reason: "command" | "channel" | "auth"; object: the command ("client|list"), the
  // channel, or "AUTH"/"HELLO".
  void add(std::string_view reason, std::string_view object, std::string_view username,
           const PortClient& client);
  void reset() { entries_.clear(); }
  // ACL LOG [count]: the reply, in the client's RESP version.
  void reply(std::size_t count, protocol::RespWriter& w) const;

 private:
  struct Entry {
    std::string reason;
    std::string object;
    std::string username;
    std::string client_info;
    std::uint64_t count = 1;
    std::chrono::steady_clock::time_point created;
    std::chrono::steady_clock::time_point updated;
  };
  std::deque<Entry> entries_;
};

}  // namespace sp::sentinel::io
