#include "sentinel/io/port/acl.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sentinel/io/port/sha256.h"

namespace sp::sentinel::io {
namespace {

std::string set(AclUsers& users, std::string_view name, std::vector<std::string_view> rules,
                std::string* failed = nullptr) {
  return users.set_user(name, rules, failed);
}

TEST(Sha256, MatchesTheStandardVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the length no longer fits the first padded block.
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // What Redis shows for the password "pw" in ACL LIST.
  EXPECT_EQ(sha256_hex("pw"), "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4");
}

TEST(AclUsers, DefaultUserMayDoEverythingWithoutAPassword) {
  AclUsers users;
  const AclUser* user = users.find("default");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(AclUsers::describe(*user), "user default on nopass ~* &* +@all");
  EXPECT_TRUE(users.check_password("default", "anything"));
  const std::vector<std::string_view> masters = {"SENTINEL", "masters"};
  EXPECT_TRUE(AclUsers::may_run(*user, masters));
}

TEST(AclUsers, LaterRulesDecideAndDescribeAsRedisDoes) {
  AclUsers users;
  ASSERT_EQ(set(users, "bob", {"on", ">pw", "+@all", "-sentinel|masters", "&chan*"}), "");
  const AclUser& bob = *users.find("bob");
  EXPECT_EQ(AclUsers::describe(bob),
            "user bob on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 "
            "resetchannels &chan* +@all -sentinel|masters");
  const std::vector<std::string_view> masters = {"sentinel", "MASTERS"};
  const std::vector<std::string_view> myid = {"sentinel", "myid"};
  EXPECT_FALSE(AclUsers::may_run(bob, masters));
  EXPECT_TRUE(AclUsers::may_run(bob, myid));
  EXPECT_TRUE(AclUsers::may_use_channel(bob, "chan1", false));
  EXPECT_FALSE(AclUsers::may_use_channel(bob, "other", false));
  EXPECT_TRUE(AclUsers::may_use_channel(bob, "chan*", true));
  EXPECT_FALSE(AclUsers::may_use_channel(bob, "c*", true));  // patterns must be equal
  EXPECT_TRUE(users.check_password("bob", "pw"));
  EXPECT_FALSE(users.check_password("bob", "wrong"));

  // A category, then a command inside it: the command rule wins, being later.
  ASSERT_EQ(set(users, "carol", {"on", "nopass", "-@all", "+@connection", "-ping"}), "");
  const AclUser& carol = *users.find("carol");
  const std::vector<std::string_view> ping = {"PING"};
  const std::vector<std::string_view> client_id = {"client", "id"};
  const std::vector<std::string_view> role = {"role"};
  EXPECT_FALSE(AclUsers::may_run(carol, ping));
  EXPECT_TRUE(AclUsers::may_run(carol, client_id));
  EXPECT_FALSE(AclUsers::may_run(carol, role));
  // AUTH and HELLO are never refused (no_auth): a client can always change user.
  const std::vector<std::string_view> auth = {"AUTH", "x", "y"};
  EXPECT_TRUE(AclUsers::may_run(carol, auth));
}

TEST(AclUsers, BadRulesChangeNothingAndNameTheRule) {
  AclUsers users;
  std::string failed;
  EXPECT_EQ(set(users, "dave", {"on", "+@bogus"}, &failed),
            "Unknown command or category name in ACL");
  EXPECT_EQ(failed, "+@bogus");
  EXPECT_EQ(users.find("dave"), nullptr);
  EXPECT_EQ(set(users, "dave", {"+get"}), "Unknown command or category name in ACL");
  EXPECT_EQ(set(users, "dave", {"+client|nosuch"}), "Unknown command or category name in ACL");
  EXPECT_EQ(set(users, "dave", {"+ping|anything"}), "");
  EXPECT_EQ(set(users, "dave", {"!abc"}),
            "The password hash must be exactly 64 characters and contain only lowercase "
            "hexadecimal characters");
  EXPECT_EQ(set(users, "dave", {"<nope"}),
            "The password you are trying to remove from the user does not exist");
  EXPECT_EQ(set(users, "dave", {"badrule"}), "Syntax error");
  EXPECT_TRUE(users.delete_user("dave"));
  EXPECT_FALSE(users.delete_user("dave"));
}

TEST(AclUsers, UserLinesReadBackWhatDescribeWrites) {
  AclUsers users;
  ASSERT_EQ(set(users, "eve", {"on", ">pw", "~k*", "&ch", "-@all", "+ping", "+sentinel|myid"}), "");
  const std::string line = AclUsers::describe(*users.find("eve"));
  AclUsers again;
  ASSERT_EQ(again.set_user_line(std::string_view(line).substr(5)), "");
  EXPECT_EQ(AclUsers::describe(*again.find("eve")), line);
}

}  // namespace
}  // namespace sp::sentinel::io
