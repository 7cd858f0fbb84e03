#include "sentinel/io/port/acl_log.h"

#include <algorithm>

#include "sentinel/io/port/client_command.h"

namespace sp::sentinel::io {
namespace {

constexpr std::size_t kMaxEntries = 128;
constexpr auto kGroupingWindow = std::chrono::seconds(60);

}  // namespace

void AclLog::add(std::string_view reason, std::string_view object, std::string_view username,
                 const PortClient& client) {
  const auto now = std::chrono::steady_clock::now();
  for (Entry& entry : entries_) {
    if (entry.reason == reason && entry.object == object && entry.username == username &&
        now - entry.updated < kGroupingWindow) {
      ++entry.count;
      entry.created = now;  // Redis restarts the age at each repeat
      entry.updated = now;
      entry.client_info = client_info_line(client);
      return;
    }
  }
  entries_.push_front(Entry{std::string(reason), std::string(object), std::string(username),
                            client_info_line(client), 1, now, now});
  if (entries_.size() > kMaxEntries) entries_.pop_back();
}

void AclLog::reply(std::size_t count, protocol::RespWriter& w) const {
  const std::size_t n = std::min(count, entries_.size());
  const auto now = std::chrono::steady_clock::now();
  w.array(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Entry& e = entries_[i];
    w.map(7);
    w.bulk_string("count").integer(static_cast<std::int64_t>(e.count));
    w.bulk_string("reason").bulk_string(e.reason);
    w.bulk_string("context").bulk_string("toplevel");
    w.bulk_string("object").bulk_string(e.object);
    w.bulk_string("username").bulk_string(e.username);
    // Redis measures the age from the entry's creation, in seconds with milliseconds.
    const auto age_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - e.created).count();
    w.bulk_string("age-seconds").double_value(static_cast<double>(age_ms) / 1000.0);
    w.bulk_string("client-info").bulk_string(e.client_info);
  }
}

}  // namespace sp::sentinel::io
