#include "sentinel/io/port/client_command.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "common/parse_number.h"
#include "protocol/command_table.h"
#include "sentinel/io/port/redis_texts.h"

namespace sp::sentinel::io {
namespace {

using protocol::iequals;
using protocol::RespWriter;

// Redis's default query buffer chunk: what qbuf-free is reported against.
constexpr std::size_t kQueryBufferChunk = 16 * 1024;

long long seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t)
      .count();
}

bool is_pubsub(const PortClient& client) {
  return !client.channels.empty() || !client.patterns.empty();
}

std::optional<std::uint64_t> parse_id(std::string_view s) {
  return parse_number<std::uint64_t>(s);
}

// TYPE values CLIENT LIST and CLIENT KILL accept; the sentinel port only has normal and
// Pub/Sub clients (no replicas, no master link).
std::optional<std::string> client_type(std::string_view word) {
  const std::string type = protocol::to_lower(word);
  if (type == "normal" || type == "pubsub" || type == "master" || type == "replica" ||
      type == "slave") {
    return type == "slave" ? "replica" : type;
  }
  return std::nullopt;
}

bool has_type(const PortClient& client, std::string_view type) {
  if (type == "pubsub") return is_pubsub(client);
  if (type == "normal") return !is_pubsub(client);
  return false;
}

std::optional<std::int64_t> parse_signed(std::string_view s) {
  return parse_number<std::int64_t>(s);
}

// CLIENT PAUSE <timeout-ms> [WRITE|ALL]
void pause(std::span<const std::string_view> args, PortClients& port, RespWriter& w) {
  if (args.size() != 3 && args.size() != 4) return wrong_arity("client|pause", w);
  auto mode = PauseMode::kAll;
  if (args.size() == 4) {
    if (iequals(args[3], "write")) {
      mode = PauseMode::kWrite;
    } else if (!iequals(args[3], "all")) {
      return void(w.error("ERR CLIENT PAUSE mode must be WRITE or ALL"));
    }
  }
  const auto timeout = parse_signed(args[2]);
  if (!timeout) return void(w.error("ERR timeout is not an integer or out of range"));
  if (*timeout < 0) return void(w.error("ERR timeout is negative"));
  port.pause(mode, std::chrono::steady_clock::now() + std::chrono::milliseconds(*timeout));
  w.simple_string("OK");
}

// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
void tracking(PortClient& client, std::span<const std::string_view> args, PortClients& port,
              RespWriter& w) {
  if (args.size() < 3) return wrong_arity("client|tracking", w);
  std::int64_t redirect = 0;
  std::vector<std::string> flags;
  std::vector<std::string> prefixes;
  for (std::size_t i = 3; i < args.size(); ++i) {
    const std::string option = protocol::to_lower(args[i]);
    if (option == "redirect" && i + 1 < args.size()) {
      const auto id = parse_signed(args[++i]);
      if (!id) return void(w.error("ERR value is not an integer or out of range"));
      if (*id <= 0 || !port.has_client(static_cast<std::uint64_t>(*id))) {
        return void(w.error("ERR The client ID you want redirect to does not exist"));
      }
      redirect = *id;
    } else if (option == "prefix" && i + 1 < args.size()) {
      prefixes.emplace_back(args[++i]);
    } else if (option == "bcast" || option == "optin" || option == "optout" || option == "noloop") {
      flags.push_back(option);
    } else {
      return void(w.error("ERR syntax error"));
    }
  }
  const bool bcast = std::find(flags.begin(), flags.end(), "bcast") != flags.end();
  if (iequals(args[2], "on")) {
    const bool was_bcast = std::find(client.tracking_flags.begin(), client.tracking_flags.end(),
                                     "bcast") != client.tracking_flags.end();
    if (client.tracking && was_bcast != bcast) {
      return void(w.error(
          "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
          "then re-enabling it with a different mode."));
    }
    // BCAST without a prefix tracks every key: the empty prefix.
    if (bcast && prefixes.empty()) prefixes.emplace_back();
    client.tracking = true;
    client.tracking_redirect = redirect;
    client.tracking_flags = std::move(flags);
    client.tracking_prefixes = std::move(prefixes);
  } else if (iequals(args[2], "off")) {
    client.tracking = false;
    client.tracking_flags.clear();
  } else {
    return void(w.error("ERR syntax error"));
  }
  w.simple_string("OK");
}

void list(std::span<const std::string_view> args, PortClients& port, RespWriter& w) {
  std::optional<std::string> type;
  std::vector<std::uint64_t> ids;
  if (args.size() == 4 && iequals(args[2], "type")) {
    type = client_type(args[3]);
    if (!type) return void(w.error("ERR Unknown client type '" + std::string(args[3]) + "'"));
  } else if (args.size() > 3 && iequals(args[2], "id")) {
    for (std::string_view word : args.subspan(3)) {
      const auto id = parse_id(word);
      if (!id) return void(w.error("ERR Invalid client ID"));
      ids.push_back(*id);
    }
  } else if (args.size() != 2) {
    return void(w.error("ERR syntax error"));
  }
  std::string text;
  for (const PortClient* client : port.client_list()) {
    if (type && !has_type(*client, *type)) continue;
    if (!ids.empty() && std::find(ids.begin(), ids.end(), client->id) == ids.end()) continue;
    text += client_info_line(*client) + "\n";
  }
  w.verbatim("txt", text);
}

// CLIENT KILL <ip:port> (old form: error when nobody matched) or
// CLIENT KILL [ID id] [TYPE t] [USER u] [ADDR a] [LADDR a] [SKIPME yes|no] (count).
void kill(PortClient& self, std::span<const std::string_view> args, PortClients& port,
          RespWriter& w) {
  if (args.size() == 3) {
    const std::string addr(args[2]);
    const std::size_t n =
        port.kill([&](const PortClient& c) { return c.address == addr; }, self, true);
    if (n == 0) return void(w.error("ERR No such client"));
    w.simple_string("OK");
    return;
  }
  if (args.size() % 2 != 0) return void(w.error("ERR syntax error"));
  std::optional<std::uint64_t> id;
  std::optional<std::string> type, user, addr, laddr;
  bool skip_me = true;
  for (std::size_t i = 2; i < args.size(); i += 2) {
    const std::string option = protocol::to_lower(args[i]);
    const std::string_view value = args[i + 1];
    if (option == "id") {
      id = parse_id(value);
      if (!id || *id == 0) return void(w.error("ERR client-id should be greater than 0"));
    } else if (option == "type") {
      type = client_type(value);
      if (!type) return void(w.error("ERR Unknown client type '" + std::string(value) + "'"));
    } else if (option == "user") {
      user = std::string(value);
    } else if (option == "addr") {
      addr = std::string(value);
    } else if (option == "laddr") {
      laddr = std::string(value);
    } else if (option == "skipme") {
      if (iequals(value, "yes")) {
        skip_me = true;
      } else if (iequals(value, "no")) {
        skip_me = false;
      } else {
        return void(w.error("ERR syntax error"));
      }
    } else {
      return void(w.error("ERR syntax error"));
    }
  }
  const std::size_t n = port.kill(
      [&](const PortClient& c) {
        return (!id || c.id == *id) && (!type || has_type(c, *type)) &&
               (!user || c.user == *user) && (!addr || c.address == *addr) &&
               (!laddr || c.local_address == *laddr);
      },
      self, !skip_me);
  w.integer(static_cast<std::int64_t>(n));
}

constexpr std::string_view kHelp[] = {
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
};

}  // namespace

bool valid_client_name(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) { return c >= '!' && c <= '~'; });
}

std::string client_info_line(const PortClient& c) {
  const std::size_t qbuf = c.query_buffer;
  const std::size_t qbuf_free = qbuf < kQueryBufferChunk ? kQueryBufferChunk - qbuf : 0;
  std::string flags = is_pubsub(c) ? "P" : "N";
  return "id=" + std::to_string(c.id) + " addr=" + c.address + " laddr=" + c.local_address +
         " fd=" + std::to_string(c.fd) + " name=" + c.name +
         " age=" + std::to_string(seconds_since(c.created)) +
         " idle=" + std::to_string(seconds_since(c.last_interaction)) + " flags=" + flags +
         " db=0 sub=" + std::to_string(c.channels.size()) +
         " psub=" + std::to_string(c.patterns.size()) +
         " ssub=0 multi=-1 qbuf=" + std::to_string(qbuf) +
         " qbuf-free=" + std::to_string(qbuf_free) +
         " argv-mem=0 multi-mem=0 rbs=" + std::to_string(kQueryBufferChunk) +
         " rbp=" + std::to_string(qbuf) + " obl=0 oll=0 omem=" + std::to_string(c.output_buffer) +
         " tot-mem=" + std::to_string(kQueryBufferChunk + c.output_buffer) +
         " events=r cmd=" + c.last_command + " user=" + c.user +
         " redir=-1 resp=" + (c.resp == protocol::RespVersion::kResp3 ? "3" : "2");
}

void client_command(PortClient& client, std::span<const std::string_view> args, PortClients& port,
                    std::string& out) {
  RespWriter w(out, client.resp);
  if (args.size() < 2) return wrong_arity("client", w);
  const std::string sub = protocol::to_lower(args[1]);
  auto arity = [&](std::size_t n) {
    if (args.size() == n) return true;
    wrong_arity("client|" + sub, w);
    return false;
  };
  if (sub == "setname") {
    if (!arity(3)) return;
    if (!valid_client_name(args[2])) {
      return void(
          w.error("ERR Client names cannot contain spaces, newlines or special characters."));
    }
    client.name = std::string(args[2]);
    w.simple_string("OK");
  } else if (sub == "getname") {
    if (!arity(2)) return;
    if (client.name.empty()) {
      w.null();
    } else {
      w.bulk_string(client.name);
    }
  } else if (sub == "id") {
    if (arity(2)) w.integer(static_cast<std::int64_t>(client.id));
  } else if (sub == "info") {
    if (arity(2)) w.verbatim("txt", client_info_line(client) + "\n");
  } else if (sub == "list") {
    list(args, port, w);
  } else if (sub == "kill") {
    if (args.size() < 3) return wrong_arity("client|kill", w);
    kill(client, args, port, w);
  } else if (sub == "no-evict") {
    // Nothing on the sentinel port is ever evicted; accept the switch as Redis does.
    if (!arity(3)) return;
    if (iequals(args[2], "on") || iequals(args[2], "off")) {
      w.simple_string("OK");
    } else {
      w.error("ERR syntax error");
    }
  } else if (sub == "reply") {
    if (!arity(3)) return;
    using ReplyMode = PortClient::ReplyMode;
    if (iequals(args[2], "on")) {
      client.reply_mode = ReplyMode::kOn;
      w.simple_string("OK");
    } else if (iequals(args[2], "off")) {
      client.reply_mode = ReplyMode::kOff;
    } else if (iequals(args[2], "skip")) {
      client.reply_mode = ReplyMode::kSkip;
    } else {
      w.error("ERR syntax error");
    }
  } else if (sub == "pause") {
    pause(args, port, w);
  } else if (sub == "unpause") {
    if (!arity(2)) return;
    port.unpause();
    w.simple_string("OK");
  } else if (sub == "unblock") {
    // Nothing blocks on a Sentinel's port: no client is ever unblocked.
    if (args.size() != 3 && args.size() != 4) return wrong_arity("client|unblock", w);
    if (!parse_signed(args[2])) return void(w.error("ERR value is not an integer or out of range"));
    if (args.size() == 4 && !iequals(args[3], "timeout") && !iequals(args[3], "error")) {
      return void(w.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
    }
    w.integer(0);
  } else if (sub == "tracking") {
    tracking(client, args, port, w);
  } else if (sub == "trackinginfo") {
    if (!arity(2)) return;
    w.map(3);
    w.bulk_string("flags");
    if (!client.tracking) {
      w.set(1).bulk_string("off");
    } else {
      w.set(client.tracking_flags.size() + 1).bulk_string("on");
      for (const std::string& flag : client.tracking_flags) w.bulk_string(flag);
    }
    w.bulk_string("redirect").integer(client.tracking ? client.tracking_redirect : -1);
    w.bulk_string("prefixes").array(client.tracking ? client.tracking_prefixes.size() : 0);
    if (client.tracking) {
      for (const std::string& prefix : client.tracking_prefixes) w.bulk_string(prefix);
    }
  } else if (sub == "getredir") {
    if (arity(2)) w.integer(client.tracking ? client.tracking_redirect : -1);
  } else if (sub == "caching") {
    if (!arity(3)) return;
    w.error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
  } else if (sub == "help") {
    if (arity(2)) help_reply("client", kHelp, w);
  } else {
    unknown_subcommand("client", args[1], w);
  }
}

}  // namespace sp::sentinel::io
