// classify_pubsub_frame reads only a frame's first bytes: every kind, in RESP2 arrays and
// RESP3 pushes, whole frames and prefixes of long ones, and arrays that only look close.

#include "proxy/session/pubsub_frame.h"

#include <gtest/gtest.h>

#include <string>

namespace sp::proxy {

void PrintTo(PubsubFrame kind, std::ostream* os) {
  *os << to_string(kind);
}

namespace {

PubsubFrameInfo classify(const std::string& head) {
  return classify_pubsub_frame(head);
}

TEST(PubsubFrame, MessagesInBothProtocols) {
  EXPECT_EQ(classify("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n").kind,
            PubsubFrame::kMessage);
  EXPECT_EQ(classify(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n").kind,
            PubsubFrame::kMessage);
  EXPECT_EQ(classify("*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$1\r\nx\r\n").kind,
            PubsubFrame::kMessage);
  EXPECT_EQ(classify(">3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$1\r\nx\r\n").kind,
            PubsubFrame::kMessage);
  EXPECT_EQ(classify("*3\r\n$7\r\nMESSAGE\r\n$2\r\nch\r\n$1\r\nx\r\n").kind, PubsubFrame::kMessage);
  EXPECT_EQ(classify("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n").count, -1);
}

TEST(PubsubFrame, ConfirmationsCarryTheCount) {
  const struct {
    std::string frame;
    PubsubFrame kind;
    std::int64_t count;
  } cases[] = {
      {"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", PubsubFrame::kConfirm, 1},
      {">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:12\r\n", PubsubFrame::kConfirm, 12},
      {"*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n", PubsubFrame::kConfirm, 2},
      {"*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n", PubsubFrame::kConfirm, 0},
      {"*3\r\n$12\r\npunsubscribe\r\n$2\r\nc*\r\n:3\r\n", PubsubFrame::kConfirm, 3},
      {"*3\r\n$10\r\nssubscribe\r\n$2\r\nsh\r\n:1\r\n", PubsubFrame::kShardConfirm, 1},
      {">3\r\n$12\r\nsunsubscribe\r\n$2\r\nsh\r\n:0\r\n", PubsubFrame::kShardConfirm, 0},
      // UNSUBSCRIBE with nothing subscribed: a null channel in both protocols.
      {"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", PubsubFrame::kConfirm, 0},
      {">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n", PubsubFrame::kConfirm, 0},
      // A channel name that contains CRLF is skipped by its length.
      {"*3\r\n$9\r\nsubscribe\r\n$4\r\na\r\nb\r\n:5\r\n", PubsubFrame::kConfirm, 5},
  };
  for (const auto& c : cases) {
    const auto info = classify(c.frame);
    EXPECT_EQ(info.kind, c.kind) << c.frame;
    EXPECT_EQ(info.count, c.count) << c.frame;
    EXPECT_EQ(info.pattern, c.frame.find("psubscribe") != std::string::npos ||
                                c.frame.find("punsubscribe") != std::string::npos)
        << c.frame;
  }
}

TEST(PubsubFrame, PrefixOfALongFrame) {
  const std::string channel(100, 'c');
  const std::string confirm = "*3\r\n$9\r\nsubscribe\r\n$100\r\n" + channel + "\r\n:7\r\n";
  const auto head = classify(confirm.substr(0, 64));
  EXPECT_EQ(head.kind, PubsubFrame::kConfirm);
  EXPECT_EQ(head.count, -1);  // not within the prefix
  EXPECT_EQ(classify(confirm).count, 7);
  EXPECT_EQ(classify("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$100000\r\nxxxx").kind,
            PubsubFrame::kMessage);
  // The kind name itself cut off: not enough to tell.
  EXPECT_EQ(classify("*3\r\n$7\r\nmess").kind, PubsubFrame::kNone);
}

TEST(PubsubFrame, ArraysThatAreNotPubsub) {
  for (const std::string& frame : {
           std::string("+OK\r\n"),
           std::string("$7\r\nmessage\r\n"),
           std::string("*2\r\n$4\r\npong\r\n$0\r\n\r\n"),  // PING while subscribed
           std::string("*3\r\n$3\r\nfoo\r\n$3\r\nbar\r\n$3\r\nbaz\r\n"),
           std::string("*1\r\n$7\r\nmessage\r\n"),  // too few elements
           std::string("*5\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"),
           std::string("*3\r\n:1\r\n:2\r\n:3\r\n"),
           std::string("*3\r\n$9\r\nsubscribe\r\n"),  // a prefix without the rest is fine...
           std::string(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"),
           std::string("*x\r\n$7\r\nmessage\r\n"),
           std::string("*3\r\n$x\r\nmessage\r\n"),
           std::string("*-1\r\n"),
           std::string(""),
           std::string("*3\r\n$11\r\nunsubscribe\r\n"),
       }) {
    const auto info = classify(frame);
    if (frame == "*3\r\n$9\r\nsubscribe\r\n" || frame == "*3\r\n$11\r\nunsubscribe\r\n") {
      // ...it is a confirmation whose count is not known yet.
      EXPECT_EQ(info.kind, PubsubFrame::kConfirm) << frame;
      EXPECT_EQ(info.count, -1) << frame;
    } else {
      EXPECT_EQ(info.kind, PubsubFrame::kNone) << frame;
    }
  }
  // A four-element array is a pmessage or nothing.
  EXPECT_EQ(classify("*4\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n:1\r\n").kind, PubsubFrame::kNone);
}

}  // namespace
}  // namespace sp::proxy
