#include "sentinel/io/port/acl.h"

#include <algorithm>

#include "protocol/command_table.h"
#include "protocol/glob_match.h"
#include "protocol/inline_args.h"
#include "sentinel/io/config/server_directives.h"
#include "sentinel/io/port/sentinel_command_table.h"
#include "sentinel/io/port/sha256.h"

namespace sp::sentinel::io {
namespace {

bool is_hash(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// mirrors ACLStringHasSpaces: isspace() in the C locale, or a NUL.
bool has_spaces(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == '\0' || std::isspace(static_cast<unsigned char>(c));
  });
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

void erase_value(std::vector<std::string>& list, std::string_view value) {
  list.erase(std::remove(list.begin(), list.end(), value), list.end());
}

bool known_category(std::string_view category) {
  const auto all = acl_categories();
  return category == "all" || std::find(all.begin(), all.end(), category) != all.end();
}

// "+name" / "-name" with name a command, "command|sub", or "@category".
std::string command_rule_error(std::string_view target) {
  if (target.starts_with('@')) {
    return known_category(target.substr(1)) ? "" : "Unknown command or category name in ACL";
  }
  const std::string name = protocol::to_lower(target);
  if (std::count(name.begin(), name.end(), '|') > 1) {
    return "Allowing first-arg of a subcommand is not supported";
  }
  const auto bar = name.find('|');
  const SentinelCommandSpec* command = find_sentinel_command(name.substr(0, bar));
  if (command == nullptr) return "Unknown command or category name in ACL";
  if (bar == std::string::npos) return "";
  // "command|first-arg" is accepted for any command but a container, whose subcommand
  // must exist.
  const bool container = find_sentinel_command(name.substr(0, bar + 1) + "help") != nullptr;
  return !container || find_sentinel_command(name) != nullptr
             ? ""
             : "Unknown command or category name in ACL";
}

std::string apply_rule(AclUser& user, std::string_view rule) {
  const std::string lower = protocol::to_lower(rule);
  if (lower == "on") {
    user.enabled = true;
  } else if (lower == "off") {
    user.enabled = false;
  } else if (lower == "nopass") {
    user.nopass = true;
    user.password_hashes.clear();
  } else if (lower == "resetpass") {
    user.nopass = false;
    user.password_hashes.clear();
  } else if (lower == "allkeys") {
    user.all_keys = true;
    user.key_patterns.clear();
  } else if (lower == "resetkeys") {
    user.all_keys = false;
    user.key_patterns.clear();
  } else if (lower == "allchannels") {
    user.all_channels = true;
    user.channel_patterns.clear();
  } else if (lower == "resetchannels") {
    user.all_channels = false;
    user.channel_patterns.clear();
  } else if (lower == "allcommands" || lower == "+@all") {
    user.all_commands = true;
    user.command_rules.clear();
  } else if (lower == "nocommands" || lower == "-@all") {
    user.all_commands = false;
    user.command_rules.clear();
  } else if (lower == "sanitize-payload" || lower == "skip-sanitize-payload") {
    user.sanitize_payload = lower == "sanitize-payload";
    user.skip_sanitize_payload = !user.sanitize_payload;
  } else if (lower == "reset") {
    const std::string name = user.name;
    user = AclUser{};
    user.name = name;
    user.sanitize_payload = true;
  } else if (rule.starts_with('>')) {
    user.nopass = false;
    add_unique(user.password_hashes, sha256_hex(rule.substr(1)));
  } else if (rule.starts_with('<')) {
    const std::string hash = sha256_hex(rule.substr(1));
    if (std::find(user.password_hashes.begin(), user.password_hashes.end(), hash) ==
        user.password_hashes.end()) {
      return "The password you are trying to remove from the user does not exist";
    }
    erase_value(user.password_hashes, hash);
  } else if (rule.starts_with('#') || rule.starts_with('!')) {
    const std::string_view hash = rule.substr(1);
    if (!is_hash(hash)) {
      return "The password hash must be exactly 64 characters and contain only lowercase "
             "hexadecimal characters";
    }
    if (rule.starts_with('#')) {
      user.nopass = false;
      add_unique(user.password_hashes, std::string(hash));
    } else {
      if (std::find(user.password_hashes.begin(), user.password_hashes.end(), hash) ==
          user.password_hashes.end()) {
        return "The password you are trying to remove from the user does not exist";
      }
      erase_value(user.password_hashes, hash);
    }
  } else if ((rule.starts_with('%') || rule.starts_with('~') || rule.starts_with('&')) &&
             has_spaces(rule)) {
    return "Syntax error";  // Redis refuses a key or channel pattern with a blank
  } else if (rule.starts_with('%')) {
    add_unique(user.key_patterns, std::string(rule));  // %R~ / %W~: read or write keys
  } else if (rule.starts_with('~')) {
    if (user.all_keys) return "";
    if (rule == "~*") {
      user.all_keys = true;
      user.key_patterns.clear();
    } else {
      add_unique(user.key_patterns, std::string(rule));
    }
  } else if (rule.starts_with('&')) {
    if (user.all_channels) return "";
    if (rule == "&*") {
      user.all_channels = true;
      user.channel_patterns.clear();
    } else {
      add_unique(user.channel_patterns, std::string(rule.substr(1)));
    }
  } else if (rule.starts_with('+') || rule.starts_with('-')) {
    std::string error = command_rule_error(rule.substr(1));
    if (!error.empty()) return error;
    // A later rule on the same target replaces the earlier one, as ACL LIST shows it.
    std::erase_if(user.command_rules, [&](const std::string& r) {
      return std::string_view(r).substr(1) == lower.substr(1);
    });
    user.command_rules.push_back(lower);
  } else {
    return "Syntax error";
  }
  return "";
}

}  // namespace

AclUsers::AclUsers() {
  AclUser user;
  user.name = "default";
  user.enabled = user.nopass = user.all_keys = user.all_channels = user.all_commands = true;
  users_.emplace("default", std::move(user));
}

bool AclUsers::valid_name(std::string_view name) {
  return !has_spaces(name);
}

std::string AclUsers::set_user(std::string_view name, std::span<const std::string_view> rules,
                               std::string* failed_rule) {
  if (!valid_name(name)) return std::string(kBadNameError);
  auto it = users_.find(name);
  AclUser user;
  if (it != users_.end()) {
    user = it->second;
  } else {
    user.name = std::string(name);
  }
  for (std::string_view rule : rules) {
    std::string error = apply_rule(user, rule);
    if (!error.empty()) {
      if (failed_rule != nullptr) *failed_rule = std::string(rule);
      return error;
    }
  }
  users_.insert_or_assign(std::string(name), std::move(user));
  return "";
}

std::string AclUsers::set_user_line(std::string_view line) {
  std::vector<std::string> args;
  if (!protocol::split_inline_args(line, args) || args.empty()) {
    return "wrong number of arguments";
  }
  if (!valid_name(args[0])) return "Spaces not allowed in ACL usernames";
  const std::vector<std::string_view> words(args.begin(), args.end());
  std::string failed_rule;
  std::string error =
      set_user(words[0], std::span<const std::string_view>(words).subspan(1), &failed_rule);
  if (error.empty()) return "";
  return "Error in user declaration '" + failed_rule + "': " + error;
}

bool AclUsers::delete_user(std::string_view name) {
  auto it = users_.find(name);
  if (it == users_.end()) return false;
  users_.erase(it);
  return true;
}

const AclUser* AclUsers::find(std::string_view name) const {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : &it->second;
}

std::vector<const AclUser*> AclUsers::users() const {
  std::vector<const AclUser*> list;
  for (const auto& [name, user] : users_) list.push_back(&user);
  return list;
}

namespace {

// Mirrors time_independent_strcmp: the time taken does not depend on where two equal-length
// hashes first differ, so a client cannot learn a hash byte by byte from reply timings.
bool same_hash(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return difference == 0;
}

}  // namespace

bool AclUsers::check_password(std::string_view name, std::string_view password) const {
  const AclUser* user = find(name);
  if (user == nullptr || !user->enabled) return false;
  if (user->nopass) return true;
  const std::string hash = sha256_hex(password);
  // Every stored hash is compared, a match or not, for the same reason.
  bool matched = false;
  for (const std::string& stored : user->password_hashes) matched |= same_hash(stored, hash);
  return matched;
}

std::string AclUsers::describe_commands(const AclUser& user) {
  std::string text = user.all_commands ? "+@all" : "-@all";
  for (const std::string& rule : user.command_rules) text += " " + rule;
  return text;
}

std::string AclUsers::describe(const AclUser& user) {
  std::string text = "user";
  for (const std::string& word : describe_words(user)) text += " " + word;
  return text;
}

std::string AclUsers::config_line(const AclUser& user) {
  std::string text = "user";
  for (const std::string& word : describe_words(user)) text += " " + config_word(word);
  return text;
}

std::vector<std::string> AclUsers::describe_words(const AclUser& user) {
  std::vector<std::string> words{user.name, user.enabled ? "on" : "off"};
  if (user.nopass) words.emplace_back("nopass");
  if (user.skip_sanitize_payload) words.emplace_back("skip-sanitize-payload");
  if (user.sanitize_payload) words.emplace_back("sanitize-payload");
  for (const std::string& hash : user.password_hashes) words.push_back("#" + hash);
  if (user.all_keys) words.emplace_back("~*");
  for (const std::string& pattern : user.key_patterns) words.push_back(pattern);
  if (user.all_channels) {
    words.emplace_back("&*");
  } else {
    words.emplace_back("resetchannels");
    for (const std::string& pattern : user.channel_patterns) words.push_back("&" + pattern);
  }
  words.emplace_back(user.all_commands ? "+@all" : "-@all");
  for (const std::string& rule : user.command_rules) words.push_back(rule);
  return words;
}

bool AclUsers::may_run(const AclUser& user, std::span<const std::string_view> args) {
  const SentinelCommandSpec* spec = sentinel_command_for(args);
  if (spec == nullptr) return true;
  // AUTH and HELLO run whatever the user may do, so that a client can change user.
  if (spec->has_flag("no_auth")) return true;
  const std::string_view full = spec->name;
  const std::string_view container = full.substr(0, full.find('|'));
  bool allowed = user.all_commands;
  for (const std::string& rule : user.command_rules) {
    const std::string_view target = std::string_view(rule).substr(1);
    const bool applies = target.starts_with('@') ? spec->has_category(target.substr(1))
                                                 : target == full || target == container;
    if (applies) allowed = rule.front() == '+';
  }
  return allowed;
}

bool AclUsers::may_use_channel(const AclUser& user, std::string_view channel, bool is_pattern) {
  if (user.all_channels) return true;
  for (const std::string& allowed : user.channel_patterns) {
    if (is_pattern ? allowed == channel : protocol::glob_match(allowed, channel)) return true;
  }
  return false;
}

}  // namespace sp::sentinel::io
