#include "protocol/reply_parser.h"

#include <gtest/gtest.h>

#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "tests/protocol/reference_framer.h"
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
      {"*x\r\n", ProtocolError::kInvalidReplyLength},
      {"%-2\r\n", ProtocolError::kInvalidReplyLength},
      {"$3\r\nabcd\r\n", ProtocolError::kMissingReplyTerminator},
      {"+OK\rX", ProtocolError::kMissingReplyTerminator},
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

// Bodies Redis really sends that a strict reader would refuse: the framer finds
// boundaries only, and passes these on unchanged.
TEST(ReplyParser, TakesEveryScalarBodyRedisEmits) {
  using T = RespType;
  const std::vector<Frame> odd = {
      {"(123  123\r\n", T::kBigNumber, false},  // a script's big number, CRLF made spaces
      {",nan\r\n", T::kDouble, false},
      {",\r\n", T::kDouble, false},
      {"+\r\n", T::kSimpleString, false},  // a script's {ok=''}
      {"-\r\n", T::kError, false},
      {":\r\n", T::kInteger, false},
      {"#\r\n", T::kBoolean, false},
      {"_x\r\n", T::kNull, true},
      {"!-1\r\n", T::kBulkError, true},
      {"%-1\r\n", T::kMap, true},
  };
  for (const Frame& f : odd) {
    for (const auto& cuts : all_cut_patterns(f.bytes.size())) {
      const auto outcome = feed(f.bytes, cuts);
      ASSERT_EQ(outcome.error, ProtocolError::kNone) << f;
      ASSERT_EQ(outcome.frames, std::vector<Frame>{f});
    }
  }
}

// A self-referencing Lua table makes Redis nest arrays until the Lua stack gives out
// (thousands of levels) and end with an error: no depth is too deep.
TEST(ReplyParser, FramesAnyNestingDepth) {
  const auto nested = [](int depth) {
    std::string bytes;
    for (int i = 0; i < depth; ++i) bytes += "*1\r\n";
    return bytes + "-ERR reached lua stack limit\r\n";
  };
  const std::string deep = nested(100000);
  const auto whole = feed(deep + "+OK\r\n", {});
  ASSERT_EQ(whole.error, ProtocolError::kNone);
  ASSERT_EQ(whole.frames.size(), 2u);
  EXPECT_EQ(whole.frames[0].bytes, deep);
  EXPECT_EQ(whole.frames[0].type, RespType::kArray);
  // Byte by byte is every split point (on a shallower frame: the helper copies the
  // buffer at each piece).
  const std::string stream = nested(1000) + "+OK\r\n";
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < stream.size(); ++i) every_byte.push_back(i);
  const auto pieces = feed(stream, every_byte);
  ASSERT_EQ(pieces.error, ProtocolError::kNone);
  ASSERT_EQ(pieces.frames.size(), 2u);
  EXPECT_EQ(pieces.frames[0].bytes, nested(1000));
}

// Random RESP trees (every type, nested, attributes, nulls) and random corruptions of
// them, fed whole and in random pieces: ReplyParser agrees with the reference framer on
// every frame boundary and on where the stream breaks.
TEST(ReplyParser, AgreesWithTheReferenceFramer) {
  std::mt19937_64 rng(20261206);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  std::function<void(std::string&, int)> value = [&](std::string& out, int depth) {
    static const char* const kScalars[] = {"+OK",   "-ERR x", ":12", "_",   "#t",  ",1.5", "(99",
                                           "(1  2", ",nan",   "+",   "$-1", "*-1", "!-1"};
    const std::size_t kind = pick(depth > 6 ? 2 : 5);
    if (kind == 0) {
      out += kScalars[pick(std::size(kScalars))];
      out += "\r\n";
    } else if (kind == 1) {
      const char blob = "$!="[pick(3)];
      std::string payload(pick(12), 'a');
      for (char& c : payload) c = "ab\r\n\0"[pick(5)];
      out += blob + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
    } else {
      const char type = "*%~|>"[pick(5)];
      const std::size_t n = pick(4);
      out += type + std::to_string(n) + "\r\n";
      const std::size_t children = n * (type == '%' || type == '|' ? 2 : 1);
      for (std::size_t i = 0; i < children; ++i) value(out, depth + 1);
      if (type == '|') value(out, depth + 1);
    }
  };
  for (int round = 0; round < 3000; ++round) {
    std::string stream;
    const std::size_t values = 1 + pick(4);
    for (std::size_t i = 0; i < values; ++i) value(stream, 0);
    if (round % 2 == 1 && !stream.empty()) {
      stream[pick(stream.size())] = "*$:\r\n-9x"[pick(9)];  // a corruption
    }
    // What the reference makes of the whole stream.
    std::vector<std::string> expected;
    bool expect_error = false;
    std::string_view rest = stream;
    while (!rest.empty()) {
      const auto r = testing::reference_frame(rest);
      if (r.status == testing::ReferenceFrame::Status::kNeedMore) break;
      if (r.status == testing::ReferenceFrame::Status::kError) {
        expect_error = true;
        break;
      }
      expected.emplace_back(rest.substr(0, r.consumed));
      rest.remove_prefix(r.consumed);
    }
    std::vector<std::size_t> cuts;
    for (std::size_t at = pick(8) + 1; at < stream.size(); at += pick(8) + 1) cuts.push_back(at);
    for (const auto& pieces : {std::vector<std::size_t>{}, cuts}) {
      const auto outcome = feed(stream, pieces);
      std::vector<std::string> frames;
      for (const Frame& f : outcome.frames) frames.push_back(f.bytes);
      ASSERT_EQ(frames, expected) << "round " << round;
      ASSERT_EQ(outcome.error != ProtocolError::kNone, expect_error) << "round " << round;
    }
  }
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
