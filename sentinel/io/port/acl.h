#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sp::sentinel::io {

// One ACL user as Redis 7.0 keeps it, for the commands a Sentinel has.
struct AclUser {
  std::string name;
  bool enabled = false;
  bool nopass = false;
  // RESTORE's payload checks (sanitize-payload / skip-sanitize-payload): nothing to a
  // sentinel, but shown and written back as Redis shows them (`reset` sets the first).
  bool sanitize_payload = false;
  bool skip_sanitize_payload = false;
  std::vector<std::string> password_hashes;  // SHA-256, lower-case hex
  bool all_keys = false;
  std::vector<std::string> key_patterns;
  bool all_channels = false;
  std::vector<std::string> channel_patterns;
  // Command permissions: everything or nothing, then the rules given since, in order
  // ("+ping", "-@admin", "+client|list"); the last rule that applies decides.
  bool all_commands = false;
  std::vector<std::string> command_rules;
};

// The users of the sentinel port: ACL SETUSER/DELUSER/LIST/USERS/GETUSER, AUTH, and the
// permission check before each command. Starts with Redis's `default` user (on, nopass,
// every key, channel and command).
class AclUsers {
 public:
  AclUsers();

  // Applies ACL rules to `name`, creating the user if needed (disabled, no permissions).
  // Returns "" or the reason, worded as Redis words it after "Error in ACL SETUSER
  // modifier '<rule>': " — the rule comes back in `failed_rule`. Nothing changes on error.
  // A name must not hold a blank or a NUL (Redis's ACLStringHasSpaces): such a user could
  // not be named in AUTH nor written as one word of a `user` line.
  static bool valid_name(std::string_view name);
  static constexpr std::string_view kBadNameError =
      "Usernames can't contain spaces or null characters";

  std::string set_user(std::string_view name, std::span<const std::string_view> rules,
                       std::string* failed_rule = nullptr);
  // Same, from one line of the config file ("<name> <rules...>", words split and unquoted
  // as Redis's sdssplitargs does: `user` directives as config_line writes them).
  std::string set_user_line(std::string_view line);
  bool delete_user(std::string_view name);
  const AclUser* find(std::string_view name) const;
  std::vector<const AclUser*> users() const;  // sorted by name

  // True if `password` opens `user` (enabled, and nopass or a matching hash).
  bool check_password(std::string_view user, std::string_view password) const;

  // "user <name> on #... ~* &* +@all": ACL LIST's line, also written to the config file.
  static std::string describe(const AclUser& user);
  static std::string describe_commands(const AclUser& user);
  // The same words, each quoted when it must be (config_word), for the config file: a
  // first-arg rule ("+ping|a b") or a name with a control byte cannot break the line.
  static std::string config_line(const AclUser& user);
  static std::vector<std::string> describe_words(const AclUser& user);

  // Whether `user` may run the command in `args` (the command and, for containers, the
  // subcommand); unknown commands are allowed here (they fail later as unknown).
  static bool may_run(const AclUser& user, std::span<const std::string_view> args);
  // Channel rules for PUBLISH/SUBSCRIBE (literal channels) and PSUBSCRIBE (patterns,
  // which must equal one of the user's patterns, as Redis requires).
  static bool may_use_channel(const AclUser& user, std::string_view channel, bool is_pattern);

 private:
  std::map<std::string, AclUser, std::less<>> users_;
};

}  // namespace sp::sentinel::io
