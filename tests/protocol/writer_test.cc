#include "protocol/writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "protocol/reply_parser.h"
#include "protocol/value.h"

namespace sp::protocol {
namespace {

struct WriterCase {
  std::string name;
  std::function<void(RespWriter&)> write;
  std::string resp3;
  std::string resp2;
};

std::vector<WriterCase> cases() {
  return {
      {"simple", [](RespWriter& w) { w.simple_string("OK"); }, "+OK\r\n", "+OK\r\n"},
      {"error", [](RespWriter& w) { w.error("ERR no"); }, "-ERR no\r\n", "-ERR no\r\n"},
      {"integer", [](RespWriter& w) { w.integer(-42); }, ":-42\r\n", ":-42\r\n"},
      {"bulk", [](RespWriter& w) { w.bulk_string(std::string_view("a\0\r\n", 4)); },
       std::string("$4\r\na\0\r\n\r\n", 10), std::string("$4\r\na\0\r\n\r\n", 10)},
      {"null", [](RespWriter& w) { w.null(); }, "_\r\n", "$-1\r\n"},
      {"null array", [](RespWriter& w) { w.null_array(); }, "_\r\n", "*-1\r\n"},
      {"array", [](RespWriter& w) { w.array(2).integer(1).bulk_string("x"); },
       "*2\r\n:1\r\n$1\r\nx\r\n", "*2\r\n:1\r\n$1\r\nx\r\n"},
      {"map", [](RespWriter& w) { w.map(1).simple_string("k").boolean(true); },
       "%1\r\n+k\r\n#t\r\n", "*2\r\n+k\r\n:1\r\n"},
      {"set", [](RespWriter& w) { w.set(1).double_value(1.5); }, "~1\r\n,1.5\r\n",
       "*1\r\n$3\r\n1.5\r\n"},
      {"push", [](RespWriter& w) { w.push(1).simple_string("m"); }, ">1\r\n+m\r\n", "*1\r\n+m\r\n"},
      {"attribute",
       [](RespWriter& w) { w.attribute(1).simple_string("a").integer(1).simple_string("v"); },
       "|1\r\n+a\r\n:1\r\n+v\r\n", "+a\r\n:1\r\n+v\r\n"},
      {"boolean", [](RespWriter& w) { w.boolean(false); }, "#f\r\n", ":0\r\n"},
      {"double inf", [](RespWriter& w) { w.double_value(-INFINITY); }, ",-inf\r\n",
       "$4\r\n-inf\r\n"},
      {"big number", [](RespWriter& w) { w.big_number("-12345678901234567890"); },
       "(-12345678901234567890\r\n", "$21\r\n-12345678901234567890\r\n"},
      {"bulk error", [](RespWriter& w) { w.bulk_error("SYNTAX x"); }, "!8\r\nSYNTAX x\r\n",
       "-SYNTAX x\r\n"},
      {"verbatim", [](RespWriter& w) { w.verbatim("txt", "hi"); }, "=6\r\ntxt:hi\r\n",
       "$2\r\nhi\r\n"},
      {"command",
       [](RespWriter& w) {
         w.command({"SET", "k", ""});
       },
       "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"},
  };
}

TEST(RespWriter, WritesEachTypeInBothVersions) {
  for (const WriterCase& c : cases()) {
    std::string out3, out2;
    RespWriter w3(out3, RespVersion::kResp3), w2(out2, RespVersion::kResp2);
    c.write(w3);
    c.write(w2);
    EXPECT_EQ(out3, c.resp3) << c.name;
    EXPECT_EQ(out2, c.resp2) << c.name;
  }
}

// Writer → parser → decoder → encoder gives back the same bytes.
TEST(RespWriter, RoundTripsThroughTheParserAndDecoder) {
  for (const WriterCase& c : cases()) {
    if (c.name == "attribute") continue;  // an attribute alone is not a frame
    std::string out;
    RespWriter w(out, RespVersion::kResp3);
    c.write(w);
    ReplyParser parser;
    const ParseResult r = parser.parse(out);
    ASSERT_EQ(r.status, ParseStatus::kComplete) << c.name;
    ASSERT_EQ(r.consumed, out.size()) << c.name;
    const auto value = decode_value(out);
    ASSERT_TRUE(value.has_value()) << c.name;
    EXPECT_EQ(encode_value(*value), out) << c.name;
  }
}

TEST(RespWriter, RoundTripsAnAttributedReply) {
  std::string out;
  RespWriter(out, RespVersion::kResp3)
      .attribute(1)
      .simple_string("ttl")
      .integer(5)
      .array(1)
      .bulk_string("v");
  ReplyParser parser;
  ASSERT_EQ(parser.parse(out).consumed, out.size());
  EXPECT_EQ(parser.type(), RespType::kArray);
  const auto value = decode_value(out);
  ASSERT_TRUE(value.has_value());
  ASSERT_EQ(value->attributes.size(), 2u);
  EXPECT_EQ(value->attributes[1].integer, 5);
  EXPECT_EQ(value->elements.at(0).text, "v");
  EXPECT_EQ(encode_value(*value), out);
}

// Client bytes quoted back in an error (an unknown subcommand's name) cannot end the line
// early: CR and LF become spaces, as in Redis's replies ("unknown subcommand 'a  b'").
TEST(RespWriter, LineRepliesCannotCarryALineBreak) {
  std::string out;
  RespWriter(out).error("ERR unknown subcommand 'a\r\nb'").simple_string("x\ny\rz");
  EXPECT_EQ(out, "-ERR unknown subcommand 'a  b'\r\n+x y z\r\n");
}

TEST(DecodeValue, RefusesTruncatedOrTrailingBytes) {
  EXPECT_FALSE(decode_value("*2\r\n:1\r\n").has_value());
  EXPECT_FALSE(decode_value("+OK\r\n+OK\r\n").has_value());
  EXPECT_FALSE(decode_value("=3\r\nabc\r\n").has_value());
}

}  // namespace
}  // namespace sp::protocol
