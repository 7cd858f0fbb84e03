#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/processes.h"
#include "tests/support/redis_process.h"

namespace sp::testing {

// One client connection through the proxy: a command out, its reply frame back.
class ProxyClient {
 public:
  explicit ProxyClient(int port) : conn_(port), reader_(conn_) {}

  std::string ask(const std::vector<std::string>& args,
                  std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    conn_.send(resp(args));
    return reader_.frames(1, deadline).value_or("<no reply>");
  }
  void send(const std::vector<std::string>& args) { conn_.send(resp(args)); }
  std::optional<std::string> reply(std::chrono::milliseconds deadline) {
    return reader_.frames(1, deadline);
  }
  std::optional<std::string> until_closed(std::chrono::milliseconds deadline) {
    return reader_.until_closed(deadline);
  }
  // The session's own view (PROXY INFO is answered by the proxy, never forwarded).
  std::string link_status() { return info_field(ask({"PROXY", "INFO"}), "master_link_status"); }
  bool closed() const { return conn_.peer_closed(); }

 private:
  TestConnection conn_;
  FrameReader reader_;
};

}  // namespace sp::testing
