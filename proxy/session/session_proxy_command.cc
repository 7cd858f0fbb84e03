// The proxy's own commands on a session, held to Redis's rule for who may run what (the
// Security section of README.md): the master is the authority on who a client is and what
// it may do, so what the proxy cannot tell from the session's state it asks the master,
// with a probe sent in the command's place on the session's own connection.

#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "proxy/admin/proxy_commands.h"
#include "proxy/server/worker.h"
#include "proxy/session/session.h"

namespace sp::proxy {

bool Session::unauthenticated() const {
  return worker_.context().master_auth.load() == MasterAuth::kRequired && !state_.authenticated();
}

Session::Route Session::route_proxy_command(std::span<const std::string_view> args,
                                            Clock::time_point start) {
  const auto slot = static_cast<std::uint32_t>(proxy_command_slot());
  ProxyContext& context = worker_.context();
  std::vector<std::string> canonical{"proxy"};
  if (args.size() >= 2) {
    canonical.push_back(context.config.proxy_commands.canonical_subcommand(args[1]));
    if (canonical.back().empty()) {
      answer_locally(unknown_proxy_subcommand_reply(args[1]), slot, start, false, true);
      return Route::kAnswered;
    }
    canonical.insert(canonical.end(), args.begin() + 2, args.end());
  }
  const std::vector<std::string_view> views(canonical.begin(), canonical.end());
  const ProxyAccess access = access_needed(views);
  const MasterAuth master_auth = context.master_auth.load();
  // Who the client is, when nothing that could change it awaits its reply. A master never
  // reached since the start is taken as demanding nothing: what it would demand is not
  // known, and PROXY INFO is what an operator reads when it cannot be reached.
  const bool identity_known = !state_.identity_pending();
  const bool authenticated =
      identity_known && (state_.authenticated() || master_auth != MasterAuth::kRequired);
  // PROXY CONFIG with no master to ask, where the master was last seen demanding no
  // password (or never seen): answered, so that an operator can change settings (such as
  // failover-hold-ms) while the master is down.
  const bool config_without_master = canonical.size() >= 2 && canonical[1] == "config" &&
                                     !backend_connected_ && authenticated &&
                                     master_auth != MasterAuth::kRequired;
  if ((access == ProxyAccess::kAuthenticated && authenticated) || config_without_master) {
    const SessionView view{topology_.get(), backend_connected_, pending_.resp_version()};
    answer_locally(proxy_command_reply(views, context, view), slot, start, false, false);
    return Route::kAnswered;
  }
  // A probe needs a master to answer it in order, outside a transaction and a stream.
  const bool can_probe = backend_connected_ && !state_.in_multi() && !state_.multi_pending() &&
                         !pending_.passthrough();
  if (can_probe) {
    probes_.push_back({std::move(canonical), access});
    pending_.on_probe(slot, start);
    substitute_bytes_ = access == ProxyAccess::kAuthorized ? kFailoverProbe : kAuthProbe;
    return Route::kSubstituted;
  }
  worker_.stats().proxy_commands_refused.add();
  std::string refusal;
  if (access == ProxyAccess::kAuthenticated) {
    refusal = kNoAuthReply;
  } else if (!backend_connected_) {
    refusal = master_unreachable_reply(*topology_, unreachable_reason_);
  } else {
    // Redis's words for a command that cannot be queued (FAILOVER is one).
    refusal = "-ERR Command not allowed inside a transaction\r\n";
  }
  answer_locally(std::move(refusal), slot, start, false, true);
  return Route::kAnswered;
}

std::optional<std::string> Session::answer_probe(std::string_view probe_reply) {
  if (probes_.empty()) return std::string(kNoAuthReply);  // cannot happen: one per probe
  const ProbedCommand command = std::move(probes_.front());
  probes_.erase(probes_.begin());
  switch (judge_probe_reply(probe_reply, command.access)) {
    case ProbeVerdict::kNotAuthenticated:
      worker_.stats().proxy_commands_refused.add();
      return std::string(kNoAuthReply);
    case ProbeVerdict::kNotPermitted:
      worker_.stats().proxy_commands_refused.add();
      spdlog::warn(
          "client {}: refused PROXY {}: user '{}' may not run admin commands (FAILOVER) on the "
          "master",
          peer_name(client_), command.args[1], state_.user());
      return no_permission_reply(command.args[1]);
    case ProbeVerdict::kAllowed:
      break;
  }
  const std::vector<std::string_view> views(command.args.begin(), command.args.end());
  ProxyContext& context = worker_.context();
  if (is_failover_request(views) && context.request_failover) {
    // The sentinel inside answers on its own thread; the reply is posted back here, and no
    // session of this worker waits for it meanwhile.
    context.request_failover(
        views.size() == 3 ? std::string(views[2]) : std::string(),
        [executor = client_.get_executor(), weak = weak_from_this()](std::string error) {
          asio::post(executor, [weak, error = std::move(error)] {
            if (auto self = weak.lock()) self->on_deferred_reply(failover_request_reply(error));
          });
        });
    return std::nullopt;
  }
  const SessionView view{topology_.get(), backend_connected_, pending_.resp_version()};
  return proxy_command_reply(views, context, view);
}

void Session::on_deferred_reply(std::string reply) {
  if (closed_) return;
  pending_.fill_deferred(std::move(reply), reply_sink());
  deferred_signal_.cancel();  // the backend reader goes on
  // What the backend sent for the commands behind it waited: it goes on now, and a
  // session with nothing left in flight may move or take its own connection.
  after_replies();
}

}  // namespace sp::proxy
