#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace sp::tls {
class TlsStore;
}

namespace sp::sentinel::io {

// What the shell needs beyond the engine's own config.
struct ShellConfig {
  // Credentials towards peer sentinels: sentinel-user / sentinel-pass, falling back to
  // our own requirepass when sentinel-pass is not set (Sentinel's convention, §2.3).
  std::string sentinel_user;
  std::string sentinel_pass;
  std::string requirepass;
  std::chrono::milliseconds connect_timeout{1000};
  // Proxy mode: the group whose ServedView is handed to on_served_view ("" in drop-in
  // mode: none).
  std::string served_group;
  // tls-replication yes: every link (to masters, replicas and peer sentinels) is TLS, as
  // redis-sentinel's are; null otherwise.
  std::shared_ptr<tls::TlsStore> tls;
};

}  // namespace sp::sentinel::io
