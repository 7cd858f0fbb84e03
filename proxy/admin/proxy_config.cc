#include "proxy/admin/proxy_config.h"

#include <exception>
#include <vector>

#include <spdlog/spdlog.h>

#include "protocol/command_table.h"
#include "protocol/config_rewrite.h"
#include "protocol/writer.h"
#include "proxy/config/config_loader.h"
#include "proxy/config/runtime_config.h"

namespace sp::proxy {
namespace {

using protocol::iequals;
using protocol::RespVersion;
using protocol::RespWriter;

std::string error_reply(std::string_view text) {
  std::string out;
  RespWriter(out).error(text);
  return out;
}

std::string ok_reply() {
  std::string out;
  RespWriter(out).simple_string("OK");
  return out;
}

std::string get_reply(std::span<const std::string_view> patterns, const Config& settings,
                      RespWriter& w, std::string& out) {
  const auto found = config_get(settings, patterns);
  w.map(found.size());
  for (const auto& [name, value] : found) w.bulk_string(name).bulk_string(value);
  return out;
}

std::string rewrite_reply(ProxyContext& context) {
  const std::string& file = context.config.config_file;
  if (file.empty()) return error_reply("ERR The server is running without a config file");
  try {
    protocol::rewrite_config_file(file, [&](const std::vector<std::string>& lines) {
      return render_proxy_config(lines, *context.settings.current());
    });
    // The file now says what runs: a later SIGHUP starts from it.
    context.settings.set_as_read(read_config_again(context.config));
  } catch (const std::exception& e) {
    spdlog::warn("CONFIG REWRITE failed: {}", e.what());
    return error_reply(std::string("ERR Rewriting config file: ") + e.what());
  }
  spdlog::info("CONFIG REWRITE executed with success.");
  return ok_reply();
}

std::string help_reply(RespWriter& w, std::string& out) {
  static const std::vector<std::string_view> lines = {
      "PROXY CONFIG <subcommand> [<arg> ...]. Subcommands are:",
      "GET <pattern> [<pattern> ...]",
      "    The settings matching any of the glob-style patterns, with their values.",
      "SET <name> <value> [<name> <value> ...]",
      "    Changes settings while clients stay connected (all or none).",
      "REWRITE",
      "    Writes the settings changed at run time into the config file, keeping the rest.",
      "HELP",
      "    Print this help."};
  w.array(lines.size());
  for (auto line : lines) w.simple_string(line);
  return out;
}

}  // namespace

std::string proxy_config_reply(std::span<const std::string_view> args, ProxyContext& context,
                               int resp_version) {
  std::string out;
  RespWriter w(out, resp_version == 3 ? RespVersion::kResp3 : RespVersion::kResp2);
  const std::string_view sub = args.size() > 2 ? args[2] : std::string_view();
  if (args.size() >= 4 && iequals(sub, "get")) {
    return get_reply(args.subspan(3), *context.settings.current(), w, out);
  }
  if (args.size() >= 5 && iequals(sub, "set")) {
    const auto pairs = args.subspan(3);
    const std::string error = context.settings.change(
        [&](Config& settings) { return config_set(settings, pairs, context.fit_maxclients); });
    if (!error.empty()) return error_reply(error);
    std::string changed;
    for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
      changed += (changed.empty() ? "" : ", ") + protocol::to_lower(pairs[i]) + " " +
                 protocol::config_word(pairs[i + 1]);
    }
    spdlog::info("PROXY CONFIG SET: {}", changed);
    return ok_reply();
  }
  if (args.size() == 3 && iequals(sub, "rewrite")) return rewrite_reply(context);
  if (args.size() == 3 && iequals(sub, "help")) return help_reply(w, out);
  if (iequals(sub, "get") || iequals(sub, "set") || iequals(sub, "rewrite")) {
    return error_reply("ERR wrong number of arguments for 'proxy|config|" +
                       protocol::to_lower(sub) + "' command");
  }
  if (args.size() < 3) {
    return error_reply("ERR wrong number of arguments for 'proxy|config' command");
  }
  return error_reply("ERR unknown subcommand '" + std::string(sub.substr(0, 128)) +
                     "'. Try PROXY CONFIG HELP.");
}

}  // namespace sp::proxy
