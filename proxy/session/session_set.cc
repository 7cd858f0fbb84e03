#include "proxy/session/session_set.h"

#include "proxy/session/session.h"

namespace sp::proxy {

std::vector<std::shared_ptr<Session>> SessionSet::snapshot() const {
  std::vector<std::shared_ptr<Session>> sessions;
  sessions.reserve(sessions_.size());
  for (Session* s : sessions_) sessions.push_back(s->shared_from_this());
  return sessions;
}

void SessionSet::drain_all() {
  for (auto& s : snapshot()) s->drain();
}

void SessionSet::leave_when_idle(std::chrono::steady_clock::time_point now) {
  for (auto& s : snapshot()) s->leave_when_idle(now);
}

void SessionSet::settings_changed() {
  for (auto& s : snapshot()) s->on_settings();
}

void SessionSet::topology_changed() {
  for (auto& s : snapshot()) s->on_topology();
}

void SessionSet::cron(std::chrono::steady_clock::time_point now) {
  for (auto& s : snapshot()) s->on_cron(now);
}

}  // namespace sp::proxy
