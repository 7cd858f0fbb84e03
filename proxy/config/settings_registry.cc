#include "proxy/config/settings_registry.h"

namespace sp::proxy {

std::string SettingsRegistry::change(const std::function<std::string(Config&)>& change) {
  const std::lock_guard lock(mutex_);
  Config next = *current_;
  std::string error = change(next);
  if (!error.empty()) return error;
  publish_locked(std::move(next));
  return {};
}

void SettingsRegistry::publish_locked(Config next) {
  current_ = std::make_shared<const Config>(std::move(next));
  for (const Subscriber& s : subscribers_) s(current_);
}

void SettingsRegistry::set_as_read(Config as_read) {
  const std::lock_guard lock(mutex_);
  as_read_ = std::move(as_read);
}

std::string SettingsRegistry::reload(Config fresh, const MaxClientsFit& fit,
                                     std::vector<FileChange>& changes) {
  const std::lock_guard lock(mutex_);
  changes = file_changes(as_read_, fresh);
  Config next = *current_;
  std::string error = apply_file_changes(next, changes, fit);
  if (!error.empty()) return error;
  as_read_ = std::move(fresh);
  publish_locked(std::move(next));
  return {};
}

void SettingsRegistry::subscribe(Subscriber subscriber) {
  const std::lock_guard lock(mutex_);
  subscriber(current_);
  subscribers_.push_back(std::move(subscriber));
}

ConfigPtr SettingsRegistry::current() const {
  const std::lock_guard lock(mutex_);
  return current_;
}

}  // namespace sp::proxy
