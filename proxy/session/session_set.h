#pragma once

#include <chrono>
#include <memory>
#include <unordered_set>
#include <vector>

namespace sp::proxy {

class Session;

// The sessions pinned to one worker, and what the worker tells them all. A session adds
// itself when it is created and removes itself when it is destroyed; only the worker's
// thread touches the set.
class SessionSet {
 public:
  void add(Session* session) { sessions_.insert(session); }
  void remove(Session* session) { sessions_.erase(session); }

  // Session::drain, leave_when_idle, on_topology, on_settings and on_cron on each.
  void drain_all();
  void leave_when_idle(std::chrono::steady_clock::time_point now);
  bool empty() const { return sessions_.empty(); }
  void topology_changed();
  void settings_changed();
  void cron(std::chrono::steady_clock::time_point now);

 private:
  // Copied: a session may close (and remove itself) while it reacts.
  std::vector<std::shared_ptr<Session>> snapshot() const;

  std::unordered_set<Session*> sessions_;
};

}  // namespace sp::proxy
