#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace sp::proxy {

// Whether the group's master demands authentication of a new connection, as the proxy
// last found it (an unauthenticated command answered -NOAUTH or not). The proxy holds its
// own commands and its client port to the same rule as the master: what Redis would
// refuse an unauthenticated client, the proxy refuses too.
enum class MasterAuth : std::uint8_t {
  kUnknown,      // the master has not been reached since the proxy started
  kRequired,     // -NOAUTH: clients must AUTH (requirepass, or a default user with a password)
  kNotRequired,  // the default user needs no password
};
std::string_view to_string(MasterAuth auth);

}  // namespace sp::proxy
