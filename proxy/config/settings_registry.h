#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/config/runtime_config.h"

namespace sp::proxy {

using ConfigPtr = std::shared_ptr<const Config>;

// The one place a settings change enters the data path (PROXY CONFIG SET, SIGHUP's
// reload), as TopologyRegistry is for masters: each worker subscribes with a function that
// posts the new snapshot onto its own thread, and reads its copy there without a lock.
class SettingsRegistry {
 public:
  using Subscriber = std::function<void(const ConfigPtr&)>;

  explicit SettingsRegistry(const Config& initial)
      : current_(std::make_shared<const Config>(initial)), as_read_(initial) {}

  // Applies `change` to a copy of the current settings. When it returns "", the copy is
  // the current settings and every subscriber gets it; otherwise nothing changes and its
  // error is returned. One change at a time, so two are never lost to each other.
  std::string change(const std::function<std::string(Config&)>& change);

  // `subscriber` is called at once with the current settings, then on each change, from
  // the changing thread: it must only hand the snapshot over.
  void subscribe(Subscriber subscriber);

  ConfigPtr current() const;

  // The settings as the config file (and the command line after it) gave them when it was
  // last read or written: SIGHUP applies what changed in the file since then, so that a
  // setting changed at run time and not in the file keeps its value.
  void set_as_read(Config as_read);
  // SIGHUP: `fresh` is the file read now. What changed in it since the last read is
  // applied (the live settings) and listed in `changes`; returns "" or why nothing was.
  std::string reload(Config fresh, const MaxClientsFit& fit, std::vector<FileChange>& changes);

 private:
  // Publishes `next` to every subscriber; the lock is held.
  void publish_locked(Config next);

  mutable std::mutex mutex_;
  ConfigPtr current_;
  Config as_read_;
  std::vector<Subscriber> subscribers_;
};

}  // namespace sp::proxy
