// PendingReplies driven by hand, as the session drives it: commands forwarded, the proxy's own
// replies, then the backend's frames one by one (each appended to the output first, as
// Session::process_replies does). Asserts the output order and which commands completed.

#include "proxy/session/pending_replies.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/reply_parser.h"

namespace sp::proxy {

void PrintTo(CommandRole role, std::ostream* os) {
  *os << to_string(role);
}

namespace {

using Done = std::vector<std::pair<std::uint32_t, bool>>;  // slot, error

// Slots are arbitrary labels here; PendingReplies only carries them.
enum Slot : std::uint32_t { kGet = 1, kSet, kSub, kUnsub, kPing, kHello, kQuit, kProxy, kExec };

class RouterHarness {
 public:
  void forward(CommandRole role, std::uint32_t slot, int hello_proto = 0) {
    pending.on_forwarded(role, slot, Clock::now(), hello_proto);
  }
  // A (P|S)(UN)SUBSCRIBE naming `names` channels or patterns (0: all of them).
  void pubsub(std::uint32_t slot, std::uint32_t names, PubsubScope scope = PubsubScope::kChannels) {
    pending.on_forwarded(CommandRole::kPubsub, slot, Clock::now(), 0, {scope, names});
  }
  void local(const std::string& reply, std::uint32_t slot, bool close_after = false,
             bool error = false) {
    pending.on_local(reply, slot, Clock::now(), close_after, error, out);
  }
  // One complete backend frame, appended to the output and then reported.
  void frame(const std::string& bytes) {
    protocol::ReplyParser parser;
    const auto result = parser.parse(bytes);
    ASSERT_EQ(result.status, protocol::ParseStatus::kComplete) << bytes;
    ASSERT_EQ(result.consumed, bytes.size()) << bytes;
    out += bytes;
    pending.on_frame(bytes, parser.is_push(), parser.is_error(), out);
  }
  Done done() {
    Done d;
    for (const auto& c : pending.completed()) d.emplace_back(c.slot, c.error);
    pending.completed().clear();
    return d;
  }
  std::string take_out() { return std::exchange(out, std::string()); }

  PendingReplies pending;
  std::string out;
};

const std::string kOk = "+OK\r\n";
const std::string kQueued = "+QUEUED\r\n";

std::string confirm(std::string_view kind, std::string_view channel, int count, char type = '*') {
  return std::string(1, type) + "3\r\n$" + std::to_string(kind.size()) + "\r\n" +
         std::string(kind) + "\r\n$" + std::to_string(channel.size()) + "\r\n" +
         std::string(channel) + "\r\n:" + std::to_string(count) + "\r\n";
}

std::string message(std::string_view channel, std::string_view payload, char type = '*') {
  return std::string(1, type) + "3\r\n$7\r\nmessage\r\n$" + std::to_string(channel.size()) +
         "\r\n" + std::string(channel) + "\r\n$" + std::to_string(payload.size()) + "\r\n" +
         std::string(payload) + "\r\n";
}

TEST(PendingReplies, PipelineRepliesMatchInOrder) {
  RouterHarness h;
  h.forward(CommandRole::kPlain, kSet);
  h.forward(CommandRole::kPlain, kGet);
  h.forward(CommandRole::kPlain, kGet);
  EXPECT_EQ(h.pending.pending(), 3u);
  h.frame(kOk);
  h.frame("$1\r\nv\r\n");
  EXPECT_EQ(h.done(), (Done{{kSet, false}, {kGet, false}}));
  EXPECT_FALSE(h.pending.idle());
  h.frame("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.done(), (Done{{kGet, true}}));
  EXPECT_TRUE(h.pending.idle());
  EXPECT_EQ(h.take_out(),
            "+OK\r\n$1\r\nv\r\n-WRONGTYPE Operation against a key holding the wrong kind of "
            "value\r\n");
}

TEST(PendingReplies, LocalReplyWithNothingPendingGoesOutAtOnce) {
  RouterHarness h;
  h.local("$3\r\nabc\r\n", kProxy);
  EXPECT_EQ(h.take_out(), "$3\r\nabc\r\n");
  EXPECT_EQ(h.done(), (Done{{kProxy, false}}));
  EXPECT_TRUE(h.pending.idle());
  EXPECT_FALSE(h.pending.close_requested());
}

TEST(PendingReplies, LocalRepliesKeepTheirPlaceInThePipeline) {
  RouterHarness h;
  h.forward(CommandRole::kPlain, kSet);
  h.local("+LOCAL1\r\n", kProxy);
  h.local("+LOCAL2\r\n", kProxy, false, true);
  h.forward(CommandRole::kPlain, kGet);
  h.local("+LOCAL3\r\n", kProxy);
  EXPECT_EQ(h.out, "");
  EXPECT_EQ(h.pending.pending(), 5u);
  h.frame(kOk);
  EXPECT_EQ(h.take_out(), "+OK\r\n+LOCAL1\r\n+LOCAL2\r\n");
  EXPECT_EQ(h.done(), (Done{{kSet, false}, {kProxy, false}, {kProxy, true}}));
  h.frame("$-1\r\n");
  EXPECT_EQ(h.take_out(), "$-1\r\n+LOCAL3\r\n");
  EXPECT_EQ(h.done(), (Done{{kGet, false}, {kProxy, false}}));
  EXPECT_TRUE(h.pending.idle());
}

TEST(PendingReplies, QuitClosesOnlyOnceItsReplyIsOut) {
  RouterHarness h;
  h.forward(CommandRole::kPlain, kGet);
  h.local(kOk, kQuit, true);
  EXPECT_FALSE(h.pending.close_requested());
  h.frame("$1\r\nv\r\n");
  EXPECT_TRUE(h.pending.close_requested());
  EXPECT_EQ(h.take_out(), "$1\r\nv\r\n+OK\r\n");
}

TEST(PendingReplies, UnsolicitedFramesAreForwardedButNotMatched) {
  RouterHarness h;
  h.frame(kOk);
  EXPECT_TRUE(h.done().empty());
  EXPECT_TRUE(h.pending.idle());
  EXPECT_EQ(h.take_out(), kOk);
}

TEST(PendingReplies, MultiExecIsOneReplyPerCommand) {
  RouterHarness h;
  h.forward(CommandRole::kPlain, kSet);  // MULTI
  h.forward(CommandRole::kPlain, kSet);
  h.forward(CommandRole::kPlain, kGet);
  h.forward(CommandRole::kPlain, kExec);
  h.local("+AFTER\r\n", kProxy);
  for (const auto& f : {kOk, kQueued, kQueued}) h.frame(f);
  EXPECT_EQ(h.pending.pending(), 2u);
  h.frame("*2\r\n+OK\r\n$1\r\nv\r\n");
  EXPECT_EQ(h.done(),
            (Done{{kSet, false}, {kSet, false}, {kGet, false}, {kExec, false}, {kProxy, false}}));
  EXPECT_TRUE(h.take_out().ends_with("*2\r\n+OK\r\n$1\r\nv\r\n+AFTER\r\n"));

  // A failed transaction: queued errors, then EXECABORT.
  h.forward(CommandRole::kPlain, kSet);  // MULTI
  h.forward(CommandRole::kPlain, kGet);  // unknown command inside
  h.forward(CommandRole::kPlain, kExec);
  h.frame(kOk);
  h.frame("-ERR unknown command 'nope', with args beginning with: \r\n");
  h.frame("-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(h.done(), (Done{{kSet, false}, {kGet, true}, {kExec, true}}));
  // WATCH + EXEC with a touched key: a null array.
  h.forward(CommandRole::kPlain, kExec);
  h.frame("*-1\r\n");
  EXPECT_EQ(h.done(), (Done{{kExec, false}}));
}

TEST(PendingReplies, Resp2SubscribedMode) {
  RouterHarness h;
  h.pubsub(kSub, 2);  // SUBSCRIBE a b
  h.forward(CommandRole::kPlain, kPing);
  h.local("+LOCAL\r\n", kProxy);
  h.frame(confirm("subscribe", "a", 1));
  EXPECT_TRUE(h.done().empty());  // one confirmation per channel
  EXPECT_TRUE(h.pending.subscribed());
  h.frame(confirm("subscribe", "b", 2));
  EXPECT_EQ(h.done(), (Done{{kSub, false}}));
  h.frame(message("b", "hi"));
  EXPECT_TRUE(h.done().empty());
  EXPECT_EQ(h.pending.pending(), 2u);
  h.frame("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(h.done(), (Done{{kPing, false}, {kProxy, false}}));
  EXPECT_TRUE(h.take_out().ends_with("*2\r\n$4\r\npong\r\n$0\r\n\r\n+LOCAL\r\n"));

  // A disallowed command gets an error that is its reply.
  h.forward(CommandRole::kPlain, kGet);
  h.frame(
      "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
      "are allowed in this context\r\n");
  EXPECT_EQ(h.done(), (Done{{kGet, true}}));

  h.pubsub(kUnsub, 0);  // UNSUBSCRIBE (all)
  h.forward(CommandRole::kPlain, kGet);
  h.frame(confirm("unsubscribe", "a", 1));
  EXPECT_TRUE(h.done().empty());
  EXPECT_TRUE(h.pending.subscribed());
  h.frame(confirm("unsubscribe", "b", 0));
  EXPECT_FALSE(h.pending.subscribed());
  EXPECT_EQ(h.done(), (Done{{kUnsub, false}}));
  // Out of subscribed mode an array reply is a reply, whatever it holds.
  h.frame(message("x", "y"));
  EXPECT_EQ(h.done(), (Done{{kGet, false}}));
  EXPECT_TRUE(h.pending.idle());
}

TEST(PendingReplies, Resp2ReplyThatLooksLikeAMessageBeforeASubscribe) {
  // LRANGE returning ["message", "ch", "foo"], pipelined with SUBSCRIBE: the array is
  // LRANGE's reply (nothing is subscribed yet), and must not be taken for a message.
  RouterHarness h;
  h.forward(CommandRole::kPlain, kGet);
  h.pubsub(kSub, 1);
  h.local(kOk, kQuit, true);
  h.frame(message("ch", "foo"));
  EXPECT_EQ(h.done(), (Done{{kGet, false}}));
  h.frame(confirm("subscribe", "ch", 1));
  EXPECT_EQ(h.done(), (Done{{kSub, false}, {kQuit, false}}));
  EXPECT_TRUE(h.pending.close_requested());
  EXPECT_EQ(h.take_out(), message("ch", "foo") + confirm("subscribe", "ch", 1) + kOk);
}

TEST(PendingReplies, Resp2ConfirmationLookalikeAfterUnsubscribingEverything) {
  RouterHarness h;
  h.pubsub(kSub, 1);
  h.frame(confirm("subscribe", "a", 1));
  h.pubsub(kUnsub, 0);
  h.forward(CommandRole::kPlain, kGet);  // LRANGE returning a subscribe-like array
  h.frame(confirm("unsubscribe", "a", 0));
  h.frame(confirm("subscribe", "z", 9));
  EXPECT_EQ(h.done(), (Done{{kSub, false}, {kUnsub, false}, {kGet, false}}));
  EXPECT_FALSE(h.pending.subscribed());
  EXPECT_TRUE(h.pending.idle());
}

TEST(PendingReplies, LocalReplyWaitsForEveryConfirmation) {
  // SUBSCRIBE a b c + QUIT in one write: Redis confirms all three, then says +OK.
  RouterHarness h;
  h.pubsub(kSub, 3);
  h.local(kOk, kQuit, true);
  h.frame(confirm("subscribe", "a", 1));
  h.frame(confirm("subscribe", "b", 2));
  EXPECT_FALSE(h.pending.close_requested());
  h.frame(confirm("subscribe", "c", 3));
  EXPECT_TRUE(h.pending.close_requested());
  EXPECT_EQ(h.take_out(), confirm("subscribe", "a", 1) + confirm("subscribe", "b", 2) +
                              confirm("subscribe", "c", 3) + kOk);
  EXPECT_EQ(h.done(), (Done{{kSub, false}, {kQuit, false}}));
}

TEST(PendingReplies, UnsubscribeAllConfirmsEachNameOfItsScope) {
  RouterHarness h;
  h.pubsub(kSub, 2);
  h.frame(confirm("subscribe", "a", 1));
  h.frame(confirm("subscribe", "b", 2));
  h.pubsub(kSub, 1);  // already subscribed: confirmed, count unchanged
  h.frame(confirm("subscribe", "a", 2));
  h.pubsub(kSub, 3, PubsubScope::kPatterns);
  h.frame(confirm("psubscribe", "x*", 3));
  h.frame(confirm("psubscribe", "y*", 4));
  h.frame(confirm("psubscribe", "x*", 4));
  EXPECT_EQ(h.done(), (Done{{kSub, false}, {kSub, false}, {kSub, false}}));
  h.pubsub(kUnsub, 0);                          // two channels, not the patterns
  h.pubsub(kUnsub, 0, PubsubScope::kPatterns);  // two patterns
  h.pubsub(kUnsub, 0);                          // nothing left: one confirmation
  h.local("+LOCAL\r\n", kProxy);
  h.frame(confirm("unsubscribe", "b", 3));
  h.frame(confirm("unsubscribe", "a", 2));
  EXPECT_EQ(h.done(), (Done{{kUnsub, false}}));
  h.frame(confirm("punsubscribe", "y*", 1));
  EXPECT_TRUE(h.done().empty());
  h.frame(confirm("punsubscribe", "x*", 0));
  EXPECT_EQ(h.done(), (Done{{kUnsub, false}}));
  EXPECT_FALSE(h.pending.subscribed());
  h.frame("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(h.done(), (Done{{kUnsub, false}, {kProxy, false}}));
  EXPECT_TRUE(h.take_out().ends_with(":0\r\n+LOCAL\r\n"));
  EXPECT_TRUE(h.pending.idle());
}

TEST(PendingReplies, SubscribeErrorCompletesTheCommand) {
  RouterHarness h;
  h.pubsub(kSub, 0);  // SUBSCRIBE without a channel
  h.forward(CommandRole::kPlain, kGet);
  h.frame("-ERR wrong number of arguments for 'subscribe' command\r\n");
  h.frame("$1\r\nv\r\n");
  EXPECT_EQ(h.done(), (Done{{kSub, true}, {kGet, false}}));
  EXPECT_FALSE(h.pending.subscribed());
}

TEST(PendingReplies, UnsubscribeWithNothingSubscribed) {
  RouterHarness h;
  h.pubsub(kUnsub, 0);
  h.forward(CommandRole::kPlain, kGet);
  h.frame("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  h.frame("$1\r\nv\r\n");
  EXPECT_EQ(h.done(), (Done{{kUnsub, false}, {kGet, false}}));
  EXPECT_FALSE(h.pending.subscribed());
}

TEST(PendingReplies, ShardAndPatternSubscriptionsAreCountedApart) {
  RouterHarness h;
  h.pubsub(kSub, 1, PubsubScope::kShards);  // SSUBSCRIBE s
  h.frame(confirm("ssubscribe", "s", 1));
  h.pubsub(kSub, 1, PubsubScope::kPatterns);  // PSUBSCRIBE p*
  h.frame(confirm("psubscribe", "p*", 1));
  h.frame("*4\r\n$8\r\npmessage\r\n$2\r\np*\r\n$2\r\npx\r\n$1\r\nm\r\n");
  h.frame("*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nm\r\n");
  h.pubsub(kUnsub, 0, PubsubScope::kPatterns);  // PUNSUBSCRIBE
  h.frame(confirm("punsubscribe", "p*", 0));
  EXPECT_TRUE(h.pending.subscribed());        // the shard channel is still there
  h.pubsub(kUnsub, 0, PubsubScope::kShards);  // SUNSUBSCRIBE
  h.frame(confirm("sunsubscribe", "s", 0));
  EXPECT_FALSE(h.pending.subscribed());
  EXPECT_EQ(h.done(), (Done{{kSub, false}, {kSub, false}, {kUnsub, false}, {kUnsub, false}}));
  EXPECT_TRUE(h.pending.idle());
}

TEST(PendingReplies, HelloSwitchesTheProtocolOnlyOnSuccess) {
  RouterHarness h;
  h.forward(CommandRole::kHello, kHello, 3);
  EXPECT_EQ(h.pending.resp_version(), 2);
  h.frame("-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(h.pending.resp_version(), 2);
  h.forward(CommandRole::kHello, kHello, 3);
  h.frame("%1\r\n$5\r\nproto\r\n:3\r\n");
  EXPECT_EQ(h.pending.resp_version(), 3);
  h.forward(CommandRole::kHello, kHello, 0);  // HELLO without a version: unchanged
  h.frame("%1\r\n$5\r\nproto\r\n:3\r\n");
  EXPECT_EQ(h.pending.resp_version(), 3);
  h.forward(CommandRole::kHello, kHello, 2);
  h.frame("*2\r\n$5\r\nproto\r\n:2\r\n");
  EXPECT_EQ(h.pending.resp_version(), 2);
  EXPECT_EQ(h.done(), (Done{{kHello, true}, {kHello, false}, {kHello, false}, {kHello, false}}));
}

TEST(PendingReplies, Resp3PushesAreNeverMatched) {
  RouterHarness h;
  h.forward(CommandRole::kHello, kHello, 3);
  h.frame("%1\r\n$5\r\nproto\r\n:3\r\n");
  h.forward(CommandRole::kPlain, kSet);
  h.forward(CommandRole::kPlain, kGet);
  const std::string invalidate = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n";
  h.frame(invalidate);
  EXPECT_EQ(h.done(), (Done{{kHello, false}}));
  h.frame(kOk);
  h.frame(invalidate);
  h.frame("_\r\n");
  EXPECT_EQ(h.done(), (Done{{kSet, false}, {kGet, false}}));
  h.frame(invalidate);  // nothing pending: forwarded only
  EXPECT_TRUE(h.done().empty());
  EXPECT_TRUE(h.pending.idle());
}

TEST(PendingReplies, Resp3SubscriptionsAllowOrdinaryCommands) {
  RouterHarness h;
  h.forward(CommandRole::kHello, kHello, 3);
  h.frame("%1\r\n$5\r\nproto\r\n:3\r\n");
  h.pubsub(kSub, 2);                     // SUBSCRIBE a b
  h.forward(CommandRole::kPlain, kGet);  // LRANGE: an ordinary array, even if it looks odd
  h.frame(confirm("subscribe", "a", 1, '>'));
  h.frame(message("a", "m", '>'));
  h.frame(confirm("subscribe", "b", 2, '>'));
  EXPECT_EQ(h.done(), (Done{{kHello, false}, {kSub, false}}));
  h.frame(message("a", "not a message"));  // '*', not '>'
  EXPECT_EQ(h.done(), (Done{{kGet, false}}));
  EXPECT_TRUE(h.pending.subscribed());

  h.forward(CommandRole::kReset, kSet);
  h.frame("+RESET\r\n");
  EXPECT_EQ(h.pending.resp_version(), 2);
  EXPECT_FALSE(h.pending.subscribed());
  EXPECT_EQ(h.done(), (Done{{kSet, false}}));
}

TEST(PendingReplies, PassthroughStopsMatchingAfterPendingReplies) {
  RouterHarness h;
  h.forward(CommandRole::kPlain, kGet);
  h.forward(CommandRole::kPassthrough, kSet);  // MONITOR
  h.forward(CommandRole::kPlain, kGet);        // not tracked any more
  EXPECT_TRUE(h.pending.passthrough());
  EXPECT_EQ(h.pending.pending(), 1u);
  h.frame("$1\r\nv\r\n");
  EXPECT_EQ(h.done(), (Done{{kGet, false}}));
  h.frame(kOk);
  h.frame("+1700000000.000000 [0 127.0.0.1:1234] \"get\" \"k\"\r\n");
  EXPECT_TRUE(h.done().empty());
  EXPECT_TRUE(h.pending.idle());
  h.local(kOk, kQuit, true);
  EXPECT_TRUE(h.pending.close_requested());
  EXPECT_TRUE(h.take_out().ends_with("\"k\"\r\n+OK\r\n"));
}

TEST(PendingReplies, ASubstitutedCommandGetsItsReplacementInItsPlace) {
  // EXEC sent as DISCARD after a failover: DISCARD's +OK becomes EXECABORT for the client,
  // and the GET after it still gets its own reply.
  RouterHarness h;
  h.pending.on_substituted("-EXECABORT Transaction discarded because of previous errors.\r\n",
                           kExec, Clock::now(), /*tracks_state=*/true);
  h.forward(CommandRole::kPlain, kGet);
  const std::string* substitute = h.pending.head_substitute();
  ASSERT_NE(substitute, nullptr);
  const std::string reply = *substitute;
  h.out += reply;
  h.pending.on_frame(reply, false, true, h.out);
  EXPECT_EQ(h.pending.head_substitute(), nullptr);
  h.frame("$1\r\nv\r\n");
  EXPECT_EQ(h.take_out(),
            "-EXECABORT Transaction discarded because of previous errors.\r\n$1\r\nv\r\n");
  EXPECT_EQ(h.done(), (Done{{kExec, true}, {kGet, false}}));
  EXPECT_EQ(h.pending.state_replies(), std::vector<StateReply>{StateReply::kError});
}

TEST(PendingReplies, StateRepliesListOnlyTrackedCommandsInOrder) {
  RouterHarness h;
  h.pending.on_forwarded(CommandRole::kPlain, kSet, Clock::now(), 0, {}, /*tracks_state=*/true);
  h.forward(CommandRole::kPlain, kGet);
  h.pending.on_forwarded(CommandRole::kPubsub, kSub, Clock::now(), 0, {PubsubScope::kChannels, 2},
                         /*tracks_state=*/true);
  h.frame("-ERR DB index is out of range\r\n");
  h.frame("$-1\r\n");
  EXPECT_EQ(h.pending.state_replies(), std::vector<StateReply>{StateReply::kError});
  h.frame("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(h.pending.state_replies().size(), 1u);  // one confirmation of two: not complete
  h.frame("*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
  EXPECT_EQ(h.pending.state_replies(),
            (std::vector<StateReply>{StateReply::kError, StateReply::kSuccess}));
}

TEST(PendingReplies, ANullExecIsAStateReplyOfNothingRan) {
  for (const std::string_view null : {"*-1\r\n", "_\r\n"}) {
    RouterHarness h;
    h.pending.on_forwarded(CommandRole::kPlain, kExec, Clock::now(), 0, {}, /*tracks_state=*/true);
    h.pending.on_forwarded(CommandRole::kPlain, kExec, Clock::now(), 0, {}, /*tracks_state=*/true);
    h.frame(std::string(null));
    h.frame("*1\r\n+OK\r\n");
    EXPECT_EQ(h.pending.state_replies(),
              (std::vector<StateReply>{StateReply::kNothingRan, StateReply::kSuccess}));
  }
}

// -READONLY retry: a command's bytes are kept from forwarding to reply, so the commands
// still awaiting replies can be taken back in order and sent to another master.
class RetryHarness : public RouterHarness {
 public:
  void kept(std::uint32_t slot, const std::string& request) {
    pending.on_forwarded(CommandRole::kPlain, slot, Clock::now(), 0, {}, false, request);
  }
};

TEST(PendingReplies, TakesBackEveryPendingCommandWithItsBytesInOrder) {
  RetryHarness h;
  h.kept(kSet, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n");
  h.kept(kSet, "SET b 2\r\n");
  h.kept(kGet, "*2\r\n$3\r\nGET\r\n$1\r\nb\r\n");
  h.frame("+OK\r\n");  // the first SET ran: its bytes are released
  EXPECT_EQ(h.done(), (Done{{kSet, false}}));
  RetryBatch batch;
  ASSERT_TRUE(h.pending.take_for_retry(batch));
  EXPECT_EQ(batch.requests, "SET b 2\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n");
  ASSERT_EQ(batch.commands.size(), 2u);
  EXPECT_EQ(batch.commands[0].slot, kSet);
  EXPECT_EQ(batch.commands[0].length, 9u);
  EXPECT_EQ(batch.commands[1].slot, kGet);
  EXPECT_TRUE(h.pending.idle());
  // Sent again, they are kept again, and released as their replies come.
  h.kept(kSet, "SET b 2\r\n");
  h.frame("+OK\r\n");
  h.kept(kGet, "GET b\r\n");
  RetryBatch again;
  ASSERT_TRUE(h.pending.take_for_retry(again));
  EXPECT_EQ(again.requests, "GET b\r\n");
}

// A reply from a replaced master is the client's when it proves nothing ran, or when its
// command changes no data; otherwise it proves the command ran there too late.
TEST(PendingReplies, WhichLateRepliesAreKept) {
  EXPECT_FALSE(late_reply_kept(LateReply::kRanTooLate, "+OK\r\n", false));
  EXPECT_FALSE(late_reply_kept(LateReply::kRanTooLate, "-ERR x\r\n", true));
  EXPECT_TRUE(late_reply_kept(LateReply::kKept, "$1\r\nv\r\n", false));
  EXPECT_TRUE(late_reply_kept(LateReply::kKept, "-ERR x\r\n", true));
  // EXEC: refused (an error, a null reply in RESP2 or RESP3), or it ran (an array).
  EXPECT_TRUE(
      late_reply_kept(LateReply::kKeptIfRefused, "-EXECABORT Transaction discarded\r\n", true));
  EXPECT_TRUE(late_reply_kept(LateReply::kKeptIfRefused, "*-1\r\n", false));
  EXPECT_TRUE(late_reply_kept(LateReply::kKeptIfRefused, "_\r\n", false));
  EXPECT_FALSE(late_reply_kept(LateReply::kKeptIfRefused, "*0\r\n", false));
  EXPECT_FALSE(late_reply_kept(LateReply::kKeptIfRefused, "*1\r\n:1\r\n", false));
  // Behind MULTI: queued or refused; a MULTI that was refused let it run.
  EXPECT_TRUE(late_reply_kept(LateReply::kKeptIfQueued, "+QUEUED\r\n", false));
  EXPECT_TRUE(late_reply_kept(LateReply::kKeptIfQueued, "-READONLY You can't write\r\n", true));
  EXPECT_FALSE(late_reply_kept(LateReply::kKeptIfQueued, "+OK\r\n", false));
  EXPECT_FALSE(late_reply_kept(LateReply::kKeptIfQueued, ":1\r\n", false));
}

// What a reply from a replaced master says of the head (kept, or proof that it ran too late)
// follows the command through a retry.
TEST(PendingReplies, WhatALateReplySaysFollowsTheCommandThroughARetry) {
  RetryHarness h;
  EXPECT_EQ(h.pending.head_late_reply(), LateReply::kRanTooLate);  // nothing pending
  h.pending.on_forwarded(CommandRole::kPlain, kSet, Clock::now(), 0, {}, false, "SET a 1\r\n");
  h.pending.on_forwarded(CommandRole::kPlain, kGet, Clock::now(), 0, {}, false, "GET a\r\n", false,
                         LateReply::kKept);
  EXPECT_EQ(h.pending.head_late_reply(), LateReply::kRanTooLate);
  RetryBatch batch;
  ASSERT_TRUE(h.pending.take_for_retry(batch));
  ASSERT_EQ(batch.commands.size(), 2u);
  EXPECT_EQ(batch.commands[0].late_reply, LateReply::kRanTooLate);
  EXPECT_EQ(batch.commands[1].late_reply, LateReply::kKept);
  h.pending.on_forwarded(CommandRole::kPlain, kSet, Clock::now(), 0, {}, false, "SET a 1\r\n");
  h.pending.on_forwarded(CommandRole::kPlain, kGet, Clock::now(), 0, {}, false, "GET a\r\n", false,
                         LateReply::kKept);
  h.frame("+OK\r\n");
  EXPECT_EQ(h.pending.head_late_reply(), LateReply::kKept);
  h.frame("$1\r\n1\r\n");
  EXPECT_EQ(h.pending.head_late_reply(), LateReply::kRanTooLate);
  // An EXEC answered in another form (DISCARD sent in its place) changes nothing.
  h.pending.on_substituted("-EXECABORT Transaction discarded\r\n", kGet, Clock::now(), true);
  EXPECT_EQ(h.pending.head_late_reply(), LateReply::kKept);
}

TEST(PendingReplies, NoRetryWhenAPendingCommandCannotBeSentAgainAsItIs) {
  const auto refuses = [](const std::function<void(RetryHarness&)>& behind) {
    RetryHarness h;
    h.kept(kSet, "SET a 1\r\n");
    behind(h);
    RetryBatch batch;
    const bool taken = h.pending.take_for_retry(batch);
    EXPECT_FALSE(h.pending.idle());
    return !taken && batch.empty();
  };
  EXPECT_TRUE(refuses([](RetryHarness& h) { h.forward(CommandRole::kPlain, kGet); }));  // not kept
  EXPECT_TRUE(refuses([](RetryHarness& h) { h.local("+proxy\r\n", kProxy); }));
  EXPECT_TRUE(refuses([](RetryHarness& h) { h.pubsub(kSub, 1); }));
  EXPECT_TRUE(refuses([](RetryHarness& h) {
    h.pending.on_forwarded(CommandRole::kPlain, kPing, Clock::now(), 0, {}, true, "SELECT 1\r\n");
  }));
  EXPECT_TRUE(
      refuses([](RetryHarness& h) { h.pending.on_substituted("*-1\r\n", kExec, {}, false); }));
  RetryHarness h;
  RetryBatch batch;
  EXPECT_FALSE(h.pending.take_for_retry(batch));  // nothing pending
}

// Durability mode: the WAIT behind writes is a hidden entry of its own; a -READONLY retry
// takes the writes back without it, each still marked a write (a new WAIT goes behind them).
TEST(PendingReplies, DurabilityWaitsAreHiddenAndLeftOutOfARetry) {
  RetryHarness h;
  h.pending.on_forwarded(CommandRole::kPlain, kSet, Clock::now(), 0, {}, false, "SET a 1\r\n",
                         true);
  EXPECT_TRUE(h.pending.head_is_durable_write());
  h.pending.on_durability_wait(Clock::now());
  h.kept(kGet, "GET a\r\n");
  RetryBatch batch;
  ASSERT_TRUE(h.pending.take_for_retry(batch));
  EXPECT_EQ(batch.requests, "SET a 1\r\nGET a\r\n");
  ASSERT_EQ(batch.commands.size(), 2u);
  EXPECT_TRUE(batch.commands[0].durable_write);
  EXPECT_FALSE(batch.commands[1].durable_write);
  EXPECT_TRUE(h.pending.idle());

  // Its reply completes nothing and lets the local reply behind it out.
  h.pending.on_forwarded(CommandRole::kPlain, kSet, Clock::now(), 0, {}, false, {}, true);
  h.pending.on_durability_wait(Clock::now());
  h.local("+local\r\n", kProxy);
  h.frame("+OK\r\n");
  EXPECT_EQ(h.done(), (Done{{kSet, false}}));
  EXPECT_TRUE(h.pending.head_is_durability_wait());
  EXPECT_TRUE(h.pending.head_is_hidden());
  EXPECT_EQ(h.take_out(), "+OK\r\n");
  h.pending.complete_hidden(h.out);
  EXPECT_EQ(h.take_out(), "+local\r\n");
  EXPECT_TRUE(h.pending.idle());
}

TEST(PendingReplies, AMessageToARESP2SubscriberIsNoReply) {
  RouterHarness h;
  const std::string message = "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nx\r\n";
  EXPECT_FALSE(h.pending.is_resp2_message(message));  // not subscribed: an LRANGE's reply
  h.pubsub(kSub, 1);
  h.frame("*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
  EXPECT_TRUE(h.pending.is_resp2_message(message));
  EXPECT_FALSE(h.pending.is_resp2_message("-ERR no\r\n"));
  EXPECT_FALSE(h.pending.is_resp2_message(":0\r\n"));
}

TEST(PendingReplies, KeepsNoMoreThanItsLimit) {
  RetryHarness h;
  const std::string big(PendingReplies::kRetainLimit - 10, 'x');
  h.kept(kSet, big);
  h.kept(kSet, "SET a 12345\r\n");  // would pass the limit: not kept
  RetryBatch batch;
  EXPECT_FALSE(h.pending.take_for_retry(batch));
  h.frame("+OK\r\n");
  h.frame("+OK\r\n");
  h.kept(kSet, "SET a 12345\r\n");  // the big one was released with its reply
  EXPECT_TRUE(h.pending.take_for_retry(batch));
  EXPECT_EQ(batch.requests, "SET a 12345\r\n");
}

// A PROXY command the master must vouch for: a probe goes in its place. Its answer is
// filled at once (PROXY INFO), or later (PROXY FAILOVER, from the sentinel inside): until
// then the backend's replies to the commands behind it and the local replies behind it
// wait, and all leave in request order.
TEST(PendingReplies, ProbedAndDeferredRepliesKeepTheRequestOrder) {
  RouterHarness h;
  h.pending.on_probe(kProxy, Clock::now());
  h.forward(CommandRole::kPlain, kPing);
  EXPECT_TRUE(h.pending.head_is_probe());
  h.pending.fill_head_probe("$4\r\ninfo\r\n");  // the master answered the probe: allowed
  h.out += *h.pending.head_substitute();
  h.pending.on_frame(*h.pending.head_substitute(), false, false, h.out);
  h.frame("+PONG\r\n");
  EXPECT_EQ(h.take_out(), "$4\r\ninfo\r\n+PONG\r\n");
  EXPECT_EQ(h.done(), (Done{{kProxy, false}, {kPing, false}}));

  h.pending.on_probe(kProxy, Clock::now());
  h.forward(CommandRole::kPlain, kGet);
  h.local("+OK\r\n", kQuit, true);
  h.pending.defer_head_probe();  // PROXY FAILOVER goes to the sentinel
  EXPECT_TRUE(h.pending.head_is_deferred());
  EXPECT_FALSE(h.pending.idle());
  EXPECT_EQ(h.take_out(), "");
  h.pending.fill_deferred("-NOGOODSLAVE No suitable replica to promote\r\n", h.out);
  EXPECT_FALSE(h.pending.head_is_deferred());
  EXPECT_EQ(h.take_out(), "-NOGOODSLAVE No suitable replica to promote\r\n");
  h.frame("$1\r\nv\r\n");  // GET's reply, which the session held back until now
  EXPECT_EQ(h.take_out(), "$1\r\nv\r\n+OK\r\n");
  EXPECT_EQ(h.done(), (Done{{kProxy, true}, {kGet, false}, {kQuit, false}}));
  EXPECT_TRUE(h.pending.close_requested());
  EXPECT_TRUE(h.pending.idle());
}

}  // namespace
}  // namespace sp::proxy
