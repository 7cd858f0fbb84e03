#include "protocol/reply_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/protocol/split_feed.h"

namespace sp::protocol {

void PrintTo(RespType type, std::ostream* os) {
  *os << to_string(type);
}

namespace {

using testing::all_cut_patterns;
using testing::feed_in_pieces;

struct Frame {
  std::string bytes;
  RespType type;
  bool is_null;
  bool operator==(const Frame&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Frame& f) {
  return os << to_string(f.type) << (f.is_null ? "(null)" : "") << " " << f.bytes.size() << "B";
}

Frame capture(const ReplyParser& parser, std::string_view frame) {
  return {std::string(frame), parser.type(), parser.is_null()};
}

testing::FeedOutcome<Frame> feed(std::string_view input, const std::vector<std::size_t>& cuts,
                                 const ProtocolLimits& limits = {}) {
  ReplyParser parser(limits);
  return feed_in_pieces<Frame>(parser, input, cuts, capture);
}

// One of each RESP2 and RESP3 type, nested where the type nests.
std::vector<Frame> corpus() {
  using T = RespType;
  return {
      {"+OK\r\n", T::kSimpleString, false},
      {"-ERR unknown command\r\n", T::kError, false},
      {":0\r\n", T::kInteger, false},
      {":-9223372036854775808\r\n", T::kInteger, false},
      {"$5\r\nhello\r\n", T::kBulkString, false},
      {"$0\r\n\r\n", T::kBulkString, false},
      {std::string("$6\r\n\r\n\0\r\n\n\r\n", 12), T::kBulkString, false},
      {"$-1\r\n", T::kBulkString, true},
      {"*-1\r\n", T::kArray, true},
      {"*0\r\n", T::kArray, false},
      {"*3\r\n$1\r\na\r\n:1\r\n*2\r\n+x\r\n$-1\r\n", T::kArray, false},
      {"_\r\n", T::kNull, true},
      {"#t\r\n", T::kBoolean, false},
      {"#f\r\n", T::kBoolean, false},
      {",3.14\r\n", T::kDouble, false},
      {",-inf\r\n", T::kDouble, false},
      {"(3492890328409238509324850943850943825024385\r\n", T::kBigNumber, false},
      {"!21\r\nSYNTAX invalid syntax\r\n", T::kBulkError, false},
      {"=15\r\ntxt:Some string\r\n", T::kVerbatimString, false},
      {"%2\r\n+first\r\n:1\r\n+second\r\n%1\r\n+n\r\n_\r\n", T::kMap, false},
      {"%0\r\n", T::kMap, false},
      {"~3\r\n+a\r\n:2\r\n#f\r\n", T::kSet, false},
      {">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", T::kPush, false},
      // An attribute and the reply it annotates are one frame of the reply's type.
      {"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2039123\r\n", T::kArray, false},
      {"|0\r\n_\r\n", T::kNull, true},
      {"*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n:7\r\n", T::kArray, false},
  };
}

TEST(ReplyParser, FramesEveryTypeAtEverySplitPoint) {
  for (const Frame& f : corpus()) {
    for (const auto& cuts : all_cut_patterns(f.bytes.size())) {
      const auto outcome = feed(f.bytes, cuts);
      ASSERT_EQ(outcome.error, ProtocolError::kNone) << f;
      ASSERT_EQ(outcome.frames, std::vector<Frame>{f});
      ASSERT_TRUE(outcome.leftover.empty());
    }
  }
}

TEST(ReplyParser, FramesAConcatenatedStreamAtEverySplitPoint) {
  std::string stream;
  for (const Frame& f : corpus()) stream += f.bytes;
  for (const auto& cuts : all_cut_patterns(stream.size())) {
    const auto outcome = feed(stream, cuts);
    ASSERT_EQ(outcome.error, ProtocolError::kNone);
    ASSERT_EQ(outcome.frames, corpus());
  }
}

struct BadReply {
  std::string bytes;
  ProtocolError error;
};

TEST(ReplyParser, RejectsMalformedRepliesAtEverySplitPoint) {
  const std::vector<BadReply> cases = {
      {"?what\r\n", ProtocolError::kUnknownReplyType},
      {"$abc\r\n", ProtocolError::kInvalidReplyLength},
      {"$-2\r\n", ProtocolError::kInvalidReplyLength},
      {"!-1\r\n", ProtocolError::kInvalidReplyLength},
      {"%-1\r\n", ProtocolError::kInvalidReplyLength},
      {"$3\r\nabcd\r\n", ProtocolError::kMissingReplyTerminator},
      {"+OK\rX", ProtocolError::kMissingReplyTerminator},
      {":12a\r\n", ProtocolError::kInvalidReplyNumber},
      {"#x\r\n", ProtocolError::kInvalidReplyNumber},
      {"(12.5\r\n", ProtocolError::kInvalidReplyNumber},
      {"_x\r\n", ProtocolError::kInvalidReplyLength},
      {"*2\r\n+a\r\n?\r\n", ProtocolError::kUnknownReplyType},
  };
  for (const BadReply& c : cases) {
    for (const auto& cuts : all_cut_patterns(c.bytes.size())) {
      const auto outcome = feed(c.bytes, cuts);
      ASSERT_EQ(outcome.error, c.error) << c.bytes;
      ASSERT_TRUE(outcome.frames.empty());
    }
  }
}

TEST(ReplyParser, LimitsNestingDepth) {
  ProtocolLimits limits;
  limits.max_depth = 8;
  std::string nested;
  for (int i = 0; i < 8; ++i) nested += "*1\r\n";
  EXPECT_EQ(feed(nested + ":1\r\n", {}, limits).frames.size(), 1u);
  EXPECT_EQ(feed("*1\r\n" + nested + ":1\r\n", {}, limits).error, ProtocolError::kTooDeep);
}

TEST(ReplyParser, StreamsAHugeBulkThroughWithoutHoldingIt) {
  // The caller forwards and drops whatever is framed, so a 10 MB reply never sits whole
  // in its buffer.
  ReplyParser parser;
  const std::size_t payload = 10 * 1024 * 1024;
  const std::string chunk(64 * 1024, 'z');
  std::string buffer = "$" + std::to_string(payload) + "\r\n";
  std::size_t sent = 0, forwarded = 0, max_buffered = 0;
  ParseResult r{ParseStatus::kNeedMore, 0};
  while (true) {
    max_buffered = std::max(max_buffered, buffer.size());
    r = parser.parse(buffer);
    if (r.status != ParseStatus::kNeedMore) break;
    forwarded += parser.framed();
    buffer.erase(0, parser.framed());
    parser.drop_prefix(parser.framed());
    ASSERT_LT(sent, payload + 2) << "parser wants more than the frame";
    if (sent < payload) {
      buffer += chunk;
      sent += chunk.size();
    } else {
      buffer += "\r\n";
      sent += 2;
    }
  }
  ASSERT_EQ(r.status, ParseStatus::kComplete);
  forwarded += r.consumed;
  EXPECT_EQ(forwarded, payload + 2 + std::to_string(payload).size() + 3);
  EXPECT_LE(max_buffered, chunk.size());
}

}  // namespace
}  // namespace sp::protocol
