#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "proxy/config/config.h"

namespace sp::proxy {

using ConfigPtr = std::shared_ptr<const Config>;

// The one place a settings change enters the data path (PROXY CONFIG SET, SIGHUP's
// reload), as TopologyRegistry is for masters: each worker subscribes with a function that
// posts the new snapshot onto its own thread, and reads its copy there without a lock.
class SettingsRegistry {
 public:
  using Subscriber = std::function<void(const ConfigPtr&)>;

  explicit SettingsRegistry(const Config& initial)
      : current_(std::make_shared<const Config>(initial)) {}

  // Applies `change` to a copy of the current settings. When it returns "", the copy is
  // the current settings and every subscriber gets it; otherwise nothing changes and its
  // error is returned. One change at a time, so two are never lost to each other.
  std::string change(const std::function<std::string(Config&)>& change);

  // `subscriber` is called at once with the current settings, then on each change, from
  // the changing thread: it must only hand the snapshot over.
  void subscribe(Subscriber subscriber);

  ConfigPtr current() const;

 private:
  mutable std::mutex mutex_;
  ConfigPtr current_;
  std::vector<Subscriber> subscribers_;
};

}  // namespace sp::proxy
