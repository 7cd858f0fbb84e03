#include "sentinel/io/port/acl_command.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <random>

#include "common/parse_number.h"
#include "protocol/command_table.h"
#include "sentinel/io/port/redis_texts.h"
#include "sentinel/io/port/sentinel_command_table.h"

namespace sp::sentinel::io {
namespace {

using protocol::iequals;
using protocol::RespWriter;

void getuser(const AclUser& user, RespWriter& w) {
  w.map(6);
  w.bulk_string("flags");
  std::vector<std::string_view> flags = {user.enabled ? "on" : "off"};
  if (user.nopass) flags.push_back("nopass");
  if (user.skip_sanitize_payload) flags.push_back("skip-sanitize-payload");
  if (user.sanitize_payload) flags.push_back("sanitize-payload");
  w.array(flags.size());
  for (std::string_view flag : flags) w.bulk_string(flag);
  w.bulk_string("passwords");
  w.array(user.password_hashes.size());
  for (const std::string& hash : user.password_hashes) w.bulk_string(hash);
  w.bulk_string("commands").bulk_string(AclUsers::describe_commands(user));
  std::string keys = user.all_keys ? "~*" : "";
  for (const std::string& pattern : user.key_patterns) keys += (keys.empty() ? "" : " ") + pattern;
  w.bulk_string("keys").bulk_string(keys);
  std::string channels = user.all_channels ? "&*" : "";
  for (const std::string& pattern : user.channel_patterns) {
    channels += (channels.empty() ? "&" : " &") + pattern;
  }
  w.bulk_string("channels").bulk_string(channels);
  w.bulk_string("selectors").array(0);
}

void cat(std::span<const std::string_view> args, RespWriter& w) {
  if (args.size() == 2) {
    const auto categories = acl_categories();
    w.array(categories.size());
    for (std::string_view category : categories) w.bulk_string(category);
    return;
  }
  const std::string category = protocol::to_lower(args[2]);
  const auto all = acl_categories();
  if (std::find(all.begin(), all.end(), category) == all.end()) {
    return void(w.error("ERR Unknown category '" + std::string(args[2]) + "'"));
  }
  std::vector<std::string_view> names;
  for (const SentinelCommandSpec& spec : sentinel_commands()) {
    if (spec.has_category(category)) names.push_back(spec.name);
  }
  w.array(names.size());
  for (std::string_view name : names) w.bulk_string(name);
}

void genpass(std::span<const std::string_view> args, RespWriter& w) {
  long long bits = 256;
  if (args.size() == 3) {
    const auto n = parse_number<long long>(args[2]);
    if (!n || *n <= 0 || *n > 4096) {
      return void(
          w.error("ERR ACL GENPASS argument must be the number of bits for the output password, a "
                  "positive number up to 4096"));
    }
    bits = *n;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device random;
  std::string password(static_cast<std::size_t>((bits + 3) / 4), '0');
  for (char& c : password) c = kHex[random() % 16];
  w.bulk_string(password);
}

constexpr std::string_view kHelp[] = {
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
};

}  // namespace

void acl_command(PortClient& client, std::span<const std::string_view> args, AclContext& acl,
                 std::string& out) {
  RespWriter w(out, client.resp);
  if (args.size() < 2) return wrong_arity("acl", w);
  const std::string sub = protocol::to_lower(args[1]);
  const SentinelCommandSpec* spec = find_sentinel_command("acl|" + sub);
  if (spec == nullptr) return unknown_subcommand("acl", args[1], w);
  if (!protocol::arity_allows(spec->arity, args.size())) {
    return wrong_arity(spec->name, w);
  }
  if (sub == "whoami") {
    w.bulk_string(client.user);
  } else if (sub == "users") {
    const auto users = acl.users.users();
    w.array(users.size());
    for (const AclUser* user : users) w.bulk_string(user->name);
  } else if (sub == "list") {
    const auto users = acl.users.users();
    w.array(users.size());
    for (const AclUser* user : users) w.bulk_string(AclUsers::describe(*user));
  } else if (sub == "getuser") {
    if (const AclUser* user = acl.users.find(args[2])) {
      getuser(*user, w);
    } else {
      w.null();
    }
  } else if (sub == "setuser") {
    if (!AclUsers::valid_name(args[2])) {
      return void(w.error("ERR " + std::string(AclUsers::kBadNameError)));
    }
    std::string failed_rule;
    const std::string error = acl.users.set_user(args[2], args.subspan(3), &failed_rule);
    if (!error.empty()) {
      return void(w.error("ERR Error in ACL SETUSER modifier '" + failed_rule + "': " + error));
    }
    if (acl.persist) acl.persist();
    w.simple_string("OK");
  } else if (sub == "deluser") {
    std::int64_t deleted = 0;
    for (std::string_view name : args.subspan(2)) {
      if (name == "default") return void(w.error("ERR The 'default' user cannot be removed"));
    }
    for (std::string_view name : args.subspan(2)) {
      if (!acl.users.delete_user(name)) continue;
      ++deleted;
      // Redis closes the connections authenticated as a deleted user.
      if (acl.port != nullptr) {
        acl.port->kill([&](const PortClient& c) { return c.user == name; }, client, true);
      }
    }
    if (deleted > 0 && acl.persist) acl.persist();
    w.integer(deleted);
  } else if (sub == "cat") {
    if (args.size() > 3) return subcommand_syntax_error("acl", args[1], w);
    cat(args, w);
  } else if (sub == "genpass") {
    if (args.size() > 3) return subcommand_syntax_error("acl", args[1], w);
    genpass(args, w);
  } else if (sub == "dryrun") {
    const AclUser* user = acl.users.find(args[2]);
    if (user == nullptr) return void(w.error("ERR User '" + std::string(args[2]) + "' not found"));
    const SentinelCommandSpec* command = sentinel_command_for(args.subspan(3));
    if (command == nullptr) {
      return void(w.error("ERR Command '" + std::string(args[3]) + "' not found"));
    }
    if (AclUsers::may_run(*user, args.subspan(3))) {
      w.simple_string("OK");
    } else {
      w.bulk_string("This user has no permissions to run the '" + std::string(command->name) +
                    "' command");
    }
  } else if (sub == "log") {
    if (args.size() > 3) return subcommand_syntax_error("acl", args[1], w);
    if (args.size() == 3 && iequals(args[2], "reset")) {
      acl.log.reset();
      return void(w.simple_string("OK"));
    }
    std::size_t count = 10;
    if (args.size() == 3) {
      const auto n = parse_number<long long>(args[2]);
      if (!n) return void(w.error("ERR value is not an integer or out of range"));
      count = static_cast<std::size_t>(std::max<long long>(*n, 0));
    }
    acl.log.reply(count, w);
  } else if (sub == "load" || sub == "save") {
    w.error(
        "ERR This Redis instance is not configured to use an ACL file. You may want to specify "
        "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a "
        "Redis configuration file set) in order to store users in the Redis configuration.");
  } else {
    help_reply("acl", kHelp, w);
  }
}

}  // namespace sp::sentinel::io
