#include "protocol/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/protocol/malformed_requests.h"
#include "tests/protocol/split_feed.h"

namespace sp::protocol {

void PrintTo(ProtocolError error, std::ostream* os) {
  *os << to_string(error);
}

namespace {

using testing::all_cut_patterns;
using testing::feed_in_pieces;
using testing::malformed_requests;
using testing::MalformedRequest;
using Args = std::vector<std::string>;

struct Request {
  Args args;
  bool is_inline;
  std::size_t size;
  bool operator==(const Request&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Request& r) {
  os << (r.is_inline ? "inline" : "multibulk") << "(" << r.size << ")[";
  for (const auto& a : r.args) os << '"' << a << "\" ";
  return os << "]";
}

Request capture(const RequestParser& parser, std::string_view frame) {
  Request r{{}, parser.is_inline(), frame.size()};
  for (std::string_view a : parser.args()) r.args.emplace_back(a);
  return r;
}

testing::FeedOutcome<Request> feed(std::string_view input, const std::vector<std::size_t>& cuts,
                                   const ProtocolLimits& limits = {}) {
  RequestParser parser(limits);
  auto outcome = feed_in_pieces<Request>(parser, input, cuts, capture);
  if (outcome.error != ProtocolError::kNone) outcome.error_message = parser.error_message();
  return outcome;
}

struct GoodCase {
  std::string bytes;
  std::vector<Request> expected;
};

// A case that is one request: its size is all of its bytes.
GoodCase one(std::string bytes, Args args, bool is_inline) {
  const std::size_t size = bytes.size();
  return {std::move(bytes), {{std::move(args), is_inline, size}}};
}

std::vector<GoodCase> good_cases() {
  using namespace std::string_literals;
  return {
      one("*1\r\n$4\r\nPING\r\n", {"PING"}, false),
      one("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", {"SET", "k", "hello"}, false),
      one("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", {"GET", ""}, false),
      // Payloads are binary: CR, LF and NUL inside a bulk are data.
      one("*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\0\n\r\n"s, {"ECHO", "\r\n\0\n"s}, false),
      // Redis skips the two bytes after a payload without looking at them.
      one("*1\r\n$4\r\nPINGxx", {"PING"}, false),
      // Empty multibulks are consumed and get no reply.
      {"*0\r\n*-1\r\n", {{{}, false, 4}, {{}, false, 5}}},
      one("PING\r\n", {"PING"}, true),
      one("PING\n", {"PING"}, true),
      one("\r\n", {}, true),
      one("  SET  k   v \r\n", {"SET", "k", "v"}, true),
      one("SET k \"a b\\n\\x41\\\"\"\r\n", {"SET", "k", "a b\nA\""}, true),
      one("SET k 'it\\'s'\r\n", {"SET", "k", "it's"}, true),
      one("SET k a\"b c\"\r\n", {"SET", "k", "ab c"}, true),
      one("ECHO \"\"\r\n", {"ECHO", ""}, true),
      // A mixed pipeline.
      {"*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n",
       {{{"PING"}, false, 14}, {{"PING"}, true, 6}, {{"ECHO", "x"}, false, 21}}},
  };
}

TEST(RequestParser, FramesEveryCaseAtEverySplitPoint) {
  for (const GoodCase& c : good_cases()) {
    for (const auto& cuts : all_cut_patterns(c.bytes.size())) {
      const auto outcome = feed(c.bytes, cuts);
      ASSERT_EQ(outcome.error, ProtocolError::kNone) << c.bytes;
      ASSERT_EQ(outcome.frames, c.expected) << c.bytes << " cut into " << cuts.size() + 1;
      ASSERT_TRUE(outcome.leftover.empty());
    }
  }
}

TEST(RequestParser, FramesAConcatenatedPipelineAtEverySplitPoint) {
  std::string stream;
  std::vector<Request> expected;
  for (const GoodCase& c : good_cases()) {
    if (c.bytes.ends_with("xx")) continue;  // its stray bytes would merge with the next
    stream += c.bytes;
    expected.insert(expected.end(), c.expected.begin(), c.expected.end());
  }
  for (const auto& cuts : all_cut_patterns(stream.size())) {
    const auto outcome = feed(stream, cuts);
    ASSERT_EQ(outcome.error, ProtocolError::kNone);
    ASSERT_EQ(outcome.frames, expected);
  }
}

TEST(RequestParser, WaitsForAPartialRequestWithoutConsuming) {
  RequestParser parser;
  const std::string full = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n";
  for (std::size_t n = 1; n < full.size(); ++n) {
    const ParseResult r = parser.parse(std::string_view(full).substr(0, n));
    ASSERT_EQ(r.status, ParseStatus::kNeedMore) << n;
    ASSERT_EQ(r.consumed, 0u);
  }
  const ParseResult r = parser.parse(full);
  EXPECT_EQ(r.status, ParseStatus::kComplete);
  EXPECT_EQ(r.consumed, full.size());
}

TEST(RequestParser, ArgumentsAreViewsIntoTheInputNotCopies) {
  RequestParser parser;
  const std::string input = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  ASSERT_EQ(parser.parse(input).status, ParseStatus::kComplete);
  ASSERT_EQ(parser.args().size(), 2u);
  EXPECT_EQ(parser.args()[1].data(), input.data() + 17);
}

std::vector<std::vector<std::size_t>> cut_patterns_for(const std::string& bytes) {
  if (bytes.size() < 256) return all_cut_patterns(bytes.size());
  // Long inputs: every split point near both ends and a stride through the middle.
  std::vector<std::vector<std::size_t>> patterns{{}};
  for (std::size_t k = 1; k < bytes.size(); k += (k < 64 || k > bytes.size() - 64) ? 1 : 997) {
    patterns.push_back({k});
  }
  return patterns;
}

TEST(RequestParser, RejectsMalformedInputWithRedisTextAtEverySplitPoint) {
  for (const MalformedRequest& c : malformed_requests()) {
    for (const auto& cuts : cut_patterns_for(c.bytes)) {
      const auto outcome = feed(c.bytes, cuts);
      ASSERT_NE(outcome.error, ProtocolError::kNone) << c.name;
      ASSERT_EQ(outcome.error_message, c.message) << c.name;
      ASSERT_EQ(outcome.frames.size(), c.frames_before) << c.name;
    }
  }
}

// Redis looks for the end of an inline line with strchr, which stops at a NUL byte: such
// a line is never complete (until it grows past the inline limit).
TEST(RequestParser, InlineLineWithNulWaitsAsRedisDoes) {
  using namespace std::string_literals;
  const auto outcome = feed("ECHO a\0b\r\n"s, {});
  EXPECT_EQ(outcome.error, ProtocolError::kNone);
  EXPECT_TRUE(outcome.frames.empty());
  EXPECT_EQ(outcome.leftover.size(), 10u);
}

TEST(RequestParser, AnErrorIsFinalUntilReset) {
  RequestParser parser;
  ASSERT_EQ(parser.parse("*x\r\n").status, ParseStatus::kError);
  EXPECT_EQ(parser.parse("PING\r\n").status, ParseStatus::kError);
  parser.reset();
  EXPECT_EQ(parser.parse("PING\r\n").status, ParseStatus::kComplete);
}

TEST(RequestParser, AppliesConfiguredLimits) {
  ProtocolLimits limits;
  limits.max_bulk_len = 4;
  EXPECT_EQ(feed("*1\r\n$4\r\nPING\r\n", {}, limits).error, ProtocolError::kNone);
  EXPECT_EQ(feed("*1\r\n$5\r\nHELLO\r\n", {}, limits).error, ProtocolError::kInvalidBulkLength);
}

TEST(RequestParser, ManyArgumentsAndLargePayloads) {
  std::string input = "*100001\r\n$4\r\nMSET\r\n";
  for (int i = 0; i < 100000; ++i) input += "$1\r\nx\r\n";
  const std::string big(1 << 20, 'v');
  input += "*2\r\n$4\r\nECHO\r\n$" + std::to_string(big.size()) + "\r\n" + big + "\r\n";
  const auto outcome = feed(input, {7, 100, 700000, input.size() - 3});
  ASSERT_EQ(outcome.frames.size(), 2u);
  EXPECT_EQ(outcome.frames[0].args.size(), 100001u);
  EXPECT_EQ(outcome.frames[1].args[1], big);
}

}  // namespace
}  // namespace sp::protocol
