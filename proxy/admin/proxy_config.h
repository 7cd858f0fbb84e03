#pragma once

#include <span>
#include <string>
#include <string_view>

#include "proxy/server/proxy_context.h"

namespace sp::proxy {

// PROXY CONFIG GET|SET|REWRITE|HELP (args[0] "proxy", args[1] "config"), as Redis's CONFIG
// answers them for the settings runtime_config.h lists: GET a flat array (a map in RESP3),
// SET +OK once every worker has the new settings on its way, REWRITE the file keeping its
// comments. The caller checked that the client may (ProxyAccess::kAuthorized).
std::string proxy_config_reply(std::span<const std::string_view> args, ProxyContext& context,
                               int resp_version);

}  // namespace sp::proxy
