// No value can break a line of the rewritten config file or add one: a seeded property
// test writes random hostile values (blanks, quotes, backslashes, newlines, NUL and
// control bytes) into every place the rewrite writes a value — monitor names,
// SENTINEL SET values, SENTINEL CONFIG SET values, ACL SETUSER users and patterns, and
// the state hellos leave (epochs, known replicas and sentinels) — renders the file, loads
// it back and expects the same state.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "protocol/command_table.h"
#include "sentinel/io/config/sentinel_config.h"
#include "sentinel/io/port/acl.h"
#include "tests/support/processes.h"

namespace sp::sentinel::io {
namespace {

class Hostile {
 public:
  explicit Hostile(std::uint64_t seed) : rng_(seed) {}

  std::uint64_t below(std::uint64_t n) {
    return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_);
  }

  // Up to `max` bytes, mostly the ones that matter to a line-based file.
  std::string text(std::size_t max = 10) {
    static constexpr char kBytes[] = {' ',    '\n',   '\r', '\t', '"', '\'', '\\', '\0', '\x01',
                                      '\x7f', '\xff', '#',  'a',  'b', 'Z',  '9',  '~',  '&',
                                      '%',    '|',    '>',  '+',  '-', '*',  '?',  'x',  ';'};
    std::string s(below(max + 1), ' ');
    for (char& c : s) c = kBytes[below(sizeof kBytes)];
    return s;
  }
  std::string non_empty(std::size_t max = 10) {
    std::string s;
    while (s.empty()) s = text(max);
    return s;
  }
  std::string hex_id() {
    std::string id(40, '0');
    for (char& c : id) c = "0123456789abcdef"[below(16)];
    return id;
  }
  Address address() {
    return {"10.0." + std::to_string(below(256)) + "." + std::to_string(below(256)),
            static_cast<int>(1 + below(65535))};
  }
  std::uint64_t epoch() {
    return below(4) == 0 ? (std::uint64_t{1} << 63) - 1 : below(std::uint64_t{1} << 63);
  }

 private:
  std::mt19937_64 rng_;
};

std::string temp_path() {
  return sp::testing::process_temp_dir() + "/config-injection-test.conf";
}

// ACL SETUSER with hostile names and rules; the ones Redis refuses are refused.
void random_users(Hostile& h, AclUsers& users) {
  const std::size_t n = h.below(4);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string name = h.non_empty(6);
    std::vector<std::string> rules;
    const std::size_t m = h.below(5);
    for (std::size_t j = 0; j < m; ++j) {
      switch (h.below(7)) {
        case 0:
          rules.push_back(h.below(2) ? "on" : "off");
          break;
        case 1:
          rules.push_back(">" + h.text());
          break;
        case 2:
          rules.push_back("~" + h.text());
          break;
        case 3:
          rules.push_back("&" + h.text());
          break;
        case 4:
          rules.push_back("%R~" + h.text());
          break;
        case 5:
          rules.push_back("+ping|" + h.non_empty());
          break;
        default:
          rules.push_back("+@all");
          break;
      }
    }
    const std::vector<std::string_view> views(rules.begin(), rules.end());
    const std::string error = users.set_user(name, views);
    if (!AclUsers::valid_name(name)) {
      EXPECT_EQ(error, AclUsers::kBadNameError);
      EXPECT_EQ(users.find(name), nullptr);
    }
  }
}

struct Case {
  SentinelFileConfig file;
  PersistedState state;
  std::vector<GroupConfig> groups;
  AclUsers users;
};

Case random_case(Hostile& h) {
  Case c;
  c.file.redis_file = h.below(2) == 0;
  c.state.myid = h.hex_id();
  c.state.current_epoch = h.epoch();
  std::set<std::string> names;
  const std::size_t n = 1 + h.below(3);
  for (std::size_t i = 0; i < n; ++i) {
    GroupConfig g;
    g.name = h.text(8);  // Sentinel takes any name, the empty one too
    if (!names.insert(g.name).second) continue;
    g.address = h.address();
    g.quorum = static_cast<int>(1 + h.below(5));
    if (h.below(2)) g.auth_pass = h.non_empty();
    if (h.below(2)) g.auth_user = h.non_empty();
    std::set<std::string> renamed;
    for (std::size_t j = h.below(3); j > 0; --j) {
      const std::string command = h.non_empty(6);
      if (renamed.insert(protocol::to_lower(command)).second) {
        g.rename_commands.emplace(command, h.text(6));
      }
    }
    PersistedGroup p;
    p.name = g.name;
    p.master = h.address();
    p.config_epoch = std::min(h.epoch(), c.state.current_epoch);
    p.leader_epoch = std::min(h.epoch(), c.state.current_epoch);
    for (std::size_t j = h.below(3); j > 0; --j) {
      const Address r = h.address();
      if (std::find(p.known_replicas.begin(), p.known_replicas.end(), r) ==
          p.known_replicas.end()) {
        p.known_replicas.push_back(r);
      }
    }
    for (std::size_t j = h.below(3); j > 0; --j)
      p.known_sentinels.push_back({h.address(), h.hex_id()});
    c.groups.push_back(std::move(g));
    c.state.groups.push_back(std::move(p));
  }
  if (h.below(2)) c.file.engine.announce_ip = h.non_empty();
  if (h.below(2)) c.file.shell.sentinel_user = h.non_empty();
  if (h.below(2)) c.file.shell.sentinel_pass = h.non_empty();
  random_users(h, c.users);
  for (const AclUser* user : c.users.users()) c.file.users.push_back(AclUsers::config_line(*user));
  return c;
}

// The users a loaded file gives, as the service applies its `user` lines.
AclUsers users_of(const SentinelFileConfig& loaded) {
  AclUsers users;
  for (const std::string& line : loaded.users) {
    std::string_view rules = std::string_view(line).substr(5);
    if (rules.starts_with("default ")) {
      const std::string_view reset[] = {"reset"};
      users.set_user("default", reset);
    }
    EXPECT_EQ(users.set_user_line(rules), "") << line;
  }
  return users;
}

void expect_same(const Case& c, const SentinelFileConfig& back, const std::string& text) {
  ASSERT_EQ(back.engine.groups.size(), c.groups.size()) << text;
  for (std::size_t i = 0; i < c.groups.size(); ++i) {
    const GroupConfig& want = c.groups[i];
    const GroupConfig& got = back.engine.groups[i];
    EXPECT_EQ(got.name, want.name) << text;
    EXPECT_EQ(got.quorum, want.quorum) << text;
    EXPECT_EQ(got.auth_pass, want.auth_pass) << text;
    EXPECT_EQ(got.auth_user, want.auth_user) << text;
    EXPECT_EQ(got.rename_commands, want.rename_commands) << text;
  }
  ASSERT_TRUE(back.persisted.has_value()) << text;
  EXPECT_EQ(*back.persisted, c.state) << text;
  EXPECT_EQ(back.engine.announce_ip, c.file.engine.announce_ip) << text;
  EXPECT_EQ(back.shell.sentinel_user, c.file.shell.sentinel_user) << text;
  EXPECT_EQ(back.shell.sentinel_pass, c.file.shell.sentinel_pass) << text;
  const AclUsers users = users_of(back);
  std::vector<std::string> want, got;
  // `default` is reset before its line applies (ACLLoadConfiguredUsers), which turns on
  // sanitize-payload; the others must come back exactly.
  for (const AclUser* u : c.users.users()) {
    if (u->name != "default") want.push_back(AclUsers::describe(*u));
  }
  for (const AclUser* u : users.users()) {
    if (u->name != "default") got.push_back(AclUsers::describe(*u));
  }
  EXPECT_EQ(got, want) << text;
}

TEST(ConfigInjection, HostileValuesReadBackAsTheSameState) {
  constexpr int kCases = 3000;
  for (int seed = 1; seed <= kCases; ++seed) {
    Hostile h(static_cast<std::uint64_t>(seed));
    Case c = random_case(h);
    const std::string text = render_sentinel_config(c.file, c.state, c.groups);
    std::ofstream(temp_path(), std::ios::trunc) << text;
    SentinelFileConfig back;
    try {
      back = load_sentinel_config(temp_path());
    } catch (const SentinelConfigError& e) {
      ADD_FAILURE() << "seed " << seed << ": " << e.what() << "\n" << text;
      return;
    }
    SCOPED_TRACE("seed " + std::to_string(seed));
    expect_same(c, back, text);
    if (::testing::Test::HasFailure()) return;
    // A second rewrite of what was read writes the same lines.
    back.redis_file = c.file.redis_file;
    EXPECT_EQ(render_sentinel_config(back, c.state, back.engine.groups), text + "\n")
        << "seed " << seed;
    if (::testing::Test::HasFailure()) return;
  }
}

// Redis's refusals for names and patterns that could not stand as one word.
TEST(ConfigInjection, AclRefusesBlankNamesAndPatternsAsRedis) {
  AclUsers users;
  for (const std::string& name :
       std::vector<std::string>{"a b", "a\nb", "a\tb", std::string("a\0b", 3), "a\rb"}) {
    EXPECT_EQ(users.set_user(name, {}), AclUsers::kBadNameError);
    EXPECT_EQ(users.find(name), nullptr);
  }
  EXPECT_EQ(users.set_user("a\x01"
                           "b",
                           {}),
            "");  // as Redis: only blanks and NUL
  for (const std::string rule : {"~a b", "~a\nb", "&a b", "%R~a\nb"}) {
    const std::string_view rules[] = {rule};
    std::string failed;
    EXPECT_EQ(users.set_user("u", rules, &failed), "Syntax error") << rule;
    EXPECT_EQ(failed, rule);
  }
  // A first-arg is taken as Redis takes it, and written quoted.
  const std::string_view first_arg[] = {"+ping|a\nb"};
  EXPECT_EQ(users.set_user("u", first_arg), "");
  EXPECT_EQ(AclUsers::config_line(*users.find("u")),
            "user u off resetchannels -@all \"+ping|a\\nb\"");
}

// Epochs past 2^63-1 (which hellos and votes may not carry either) are refused at load.
TEST(ConfigInjection, EpochsAbove2To63AreRefusedAtLoad) {
  const std::string monitor = "sentinel monitor m 127.0.0.1 6379 1\n";
  auto load = [&](const std::string& line) {
    std::ofstream(temp_path(), std::ios::trunc) << monitor << line << "\n";
    return load_sentinel_config(temp_path());
  };
  for (const std::string& line : {std::string("sentinel current-epoch 9223372036854775808"),
                                  std::string("sentinel current-epoch 18446744073709551616"),
                                  std::string("sentinel config-epoch m 18446744073709551615"),
                                  std::string("sentinel leader-epoch m 9223372036854775808"),
                                  std::string("sentinel leader-epoch m -1")}) {
    try {
      load(line);
      ADD_FAILURE() << line;
    } catch (const SentinelConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("Epoch out of range"), std::string::npos) << e.what();
    }
  }
  const SentinelFileConfig top = load("sentinel config-epoch m 9223372036854775807");
  ASSERT_TRUE(top.persisted.has_value());
  EXPECT_EQ(top.persisted->current_epoch, 9223372036854775807u);
}

// Proxy mode: the group served so far is written as `proxy-group` once a second group
// makes it ambiguous, unless the file names one already.
TEST(ConfigInjection, ProxyFilePinsTheServedGroupWhenASecondIsMonitored) {
  SentinelFileConfig file;
  file.redis_file = false;
  file.served_group = "first group";
  file.lines = {"port 6380", "sentinel monitor first 127.0.0.1 6379 1"};
  PersistedState state;
  state.myid = std::string(40, 'a');
  GroupConfig a, b;
  a.name = "first group";
  a.address = {"127.0.0.1", 6379};
  b.name = "second";
  b.address = {"127.0.0.1", 6390};
  EXPECT_EQ(render_sentinel_config(file, state, {a}).find("proxy-group"), std::string::npos);
  EXPECT_NE(render_sentinel_config(file, state, {a, b}).find("\nproxy-group \"first group\"\n"),
            std::string::npos);
  file.lines.push_back("proxy-group second");
  const std::string text = render_sentinel_config(file, state, {a, b});
  EXPECT_EQ(text.find("proxy-group \"first"), std::string::npos) << text;
  EXPECT_NE(text.find("proxy-group second"), std::string::npos) << text;
}

}  // namespace
}  // namespace sp::sentinel::io
