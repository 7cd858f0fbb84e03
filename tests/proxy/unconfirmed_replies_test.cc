// UnconfirmedReplies driven as the session drives it in durability mode: a WAIT queued,
// replies appended to sink() (write replies noted), then the WAIT's reply releases them,
// as they are or with each write reply replaced by the refusal.

#include "proxy/session/unconfirmed_replies.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sp::proxy {
namespace {

constexpr std::string_view kRefusal = "-NOREPLICAS not confirmed\r\n";

struct Harness {
  // One reply: to a write (noted) or not.
  void reply(std::string_view bytes, bool write) {
    std::string& sink = held.sink(out);
    const std::size_t begin = sink.size();
    sink.append(bytes);
    if (write && held.holding()) held.note_write_reply(begin);
    completed.push_back({Clock::now(), 0, bytes.front() == '-'});
    if (held.holding()) held.hold_completed(completed);
  }
  UnconfirmedReplies held;
  std::string out;
  std::vector<CompletedCommand> completed;
};

TEST(UnconfirmedReplies, NothingIsHeldWithoutAWait) {
  Harness h;
  h.reply("+OK\r\n", true);
  EXPECT_EQ(h.out, "+OK\r\n");
  EXPECT_EQ(h.completed.size(), 1u);
}

TEST(UnconfirmedReplies, ConfirmedRepliesGoOutAsTheMasterSentThem) {
  Harness h;
  h.held.on_wait_sent();
  h.reply("+OK\r\n", true);
  h.reply("$1\r\nv\r\n", false);
  h.reply(":7\r\n", true);
  EXPECT_EQ(h.out, "");
  EXPECT_TRUE(h.completed.empty());  // counted once written, with the WAIT's time
  EXPECT_EQ(h.held.held_bytes(), 16u);
  EXPECT_EQ(h.held.on_wait_reply(true, kRefusal, h.out, h.completed), 0u);
  EXPECT_EQ(h.out, "+OK\r\n$1\r\nv\r\n:7\r\n");
  EXPECT_EQ(h.completed.size(), 3u);
  EXPECT_FALSE(h.held.holding());
  EXPECT_EQ(h.held.held_bytes(), 0u);
}

TEST(UnconfirmedReplies, UnconfirmedWritesAreRefusedAndReadsKept) {
  Harness h;
  h.held.on_wait_sent();
  h.reply("+OK\r\n", true);
  h.reply("$1\r\nv\r\n", false);
  h.reply("-WRONGTYPE x\r\n", false);  // an error is no acknowledgement: left as it is
  h.reply(":7\r\n", true);
  EXPECT_EQ(h.held.on_wait_reply(false, kRefusal, h.out, h.completed), 2u);
  EXPECT_EQ(h.out, std::string(kRefusal) + "$1\r\nv\r\n-WRONGTYPE x\r\n" + std::string(kRefusal));
  EXPECT_EQ(h.completed.size(), 4u);
}

TEST(UnconfirmedReplies, EachWaitReleasesWhatCameBeforeIt) {
  Harness h;
  h.held.on_wait_sent();
  h.held.on_wait_sent();
  h.reply("+OK\r\n", true);
  EXPECT_EQ(h.held.on_wait_reply(true, kRefusal, h.out, h.completed), 0u);
  EXPECT_TRUE(h.held.holding());  // the second WAIT is still pending
  h.reply(":1\r\n", true);
  EXPECT_EQ(h.out, "+OK\r\n");
  EXPECT_EQ(h.held.on_wait_reply(false, kRefusal, h.out, h.completed), 1u);
  EXPECT_EQ(h.out, "+OK\r\n" + std::string(kRefusal));
  h.reply("+PONG\r\n", false);
  EXPECT_EQ(h.out, "+OK\r\n" + std::string(kRefusal) + "+PONG\r\n");
}

TEST(UnconfirmedReplies, TakenBackWaitsRefuseWhatWasHeld) {
  Harness h;
  h.held.on_wait_sent();
  h.reply("+OK\r\n", true);
  h.reply("+PONG\r\n", false);
  EXPECT_EQ(h.held.refuse_all(kRefusal, h.out, h.completed), 1u);
  EXPECT_FALSE(h.held.holding());
  EXPECT_EQ(h.out, std::string(kRefusal) + "+PONG\r\n");
}

TEST(UnconfirmedReplies, OnlyAnIntegerCountsReplicas) {
  EXPECT_EQ(UnconfirmedReplies::replicas_in(":0\r\n"), 0);
  EXPECT_EQ(UnconfirmedReplies::replicas_in(":2\r\n"), 2);
  EXPECT_EQ(UnconfirmedReplies::replicas_in("-ERR WAIT cannot be used with replica instances\r\n"),
            -1);
  EXPECT_EQ(UnconfirmedReplies::replicas_in("-NOPERM no\r\n"), -1);
  EXPECT_EQ(UnconfirmedReplies::replicas_in("+OK\r\n"), -1);
  EXPECT_EQ(UnconfirmedReplies::replicas_in(":x\r\n"), -1);
  EXPECT_EQ(UnconfirmedReplies::replicas_in(":"), -1);
}

}  // namespace
}  // namespace sp::proxy
