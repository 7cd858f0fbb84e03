#include "proxy/config/settings_registry.h"

namespace sp::proxy {

std::string SettingsRegistry::change(const std::function<std::string(Config&)>& change) {
  const std::lock_guard lock(mutex_);
  Config next = *current_;
  std::string error = change(next);
  if (!error.empty()) return error;
  current_ = std::make_shared<const Config>(std::move(next));
  for (const Subscriber& s : subscribers_) s(current_);
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
