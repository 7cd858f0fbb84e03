#include "sentinel/hello.h"

#include <gtest/gtest.h>

#include <string>

namespace sp::sentinel {
namespace {

const std::string kId = "e71fa4e8f810164c079016dbb1a05ead540060ff";

// The observed payload with field `index` replaced by `value`.
std::string with_field(int index, const std::string& value) {
  std::string fields[8] = {"127.0.0.1", "6510", kId, "1", "mymaster", "127.0.0.1", "6502", "1"};
  fields[index] = value;
  std::string out = fields[0];
  for (int i = 1; i < 8; ++i) out += "," + fields[i];
  return out;
}

HelloError error_of(const std::string& payload) {
  Hello ignored;
  return parse_hello(payload, ignored);
}

TEST(Hello, FormatsTheObservedPayload) {
  Hello h{"127.0.0.1", 6510, kId, 1, "mymaster", "127.0.0.1", 6502, 1};
  EXPECT_EQ(format_hello(h),
            "127.0.0.1,6510,e71fa4e8f810164c079016dbb1a05ead540060ff,1,mymaster,127.0.0.1,6502,1");
  EXPECT_EQ(parse_hello(format_hello(h)), h);
}

TEST(Hello, RejectsWrongFieldCountsAndNumbers) {
  EXPECT_FALSE(parse_hello("127.0.0.1,6510," + kId + ",0,mymaster,127.0.0.1,6500"));
  EXPECT_FALSE(parse_hello("127.0.0.1,6510," + kId + ",0,mymaster,127.0.0.1,6500,0,extra"));
  EXPECT_FALSE(parse_hello(with_field(1, "port")));
  EXPECT_FALSE(parse_hello(with_field(3, "x")));
  EXPECT_FALSE(parse_hello(""));
  EXPECT_EQ(error_of("garbage,1,2"), HelloError::kFieldCount);
}

TEST(Hello, ChecksEveryField) {
  EXPECT_EQ(error_of(with_field(0, "")), HelloError::kSentinelIp);
  EXPECT_EQ(error_of(with_field(0, "127.0.0.1 6379")), HelloError::kSentinelIp);
  EXPECT_EQ(error_of(with_field(0, "evil\r\nhost")), HelloError::kSentinelIp);
  EXPECT_EQ(error_of(with_field(1, "0")), HelloError::kSentinelPort);
  EXPECT_EQ(error_of(with_field(1, "65536")), HelloError::kSentinelPort);
  EXPECT_EQ(error_of(with_field(1, "-1")), HelloError::kSentinelPort);
  EXPECT_EQ(error_of(with_field(1, "+80")), HelloError::kSentinelPort);
  EXPECT_EQ(error_of(with_field(2, "id")), HelloError::kSentinelId);
  EXPECT_EQ(error_of(with_field(2, kId + "0")), HelloError::kSentinelId);
  EXPECT_EQ(error_of(with_field(2, kId.substr(0, 39) + "g")), HelloError::kSentinelId);
  EXPECT_EQ(error_of(with_field(3, "18446744073709551615")), HelloError::kCurrentEpoch);
  EXPECT_EQ(error_of(with_field(3, "9223372036854775808")), HelloError::kCurrentEpoch);
  EXPECT_EQ(error_of(with_field(3, "18446744073709551616")), HelloError::kCurrentEpoch);
  EXPECT_EQ(error_of(with_field(3, "-1")), HelloError::kCurrentEpoch);
  EXPECT_EQ(error_of(with_field(4, "")), HelloError::kMasterName);
  EXPECT_EQ(error_of(with_field(4, "my master")), HelloError::kMasterName);
  EXPECT_EQ(error_of(with_field(5, "::g")), HelloError::kMasterIp);
  EXPECT_EQ(error_of(with_field(6, "0")), HelloError::kMasterPort);
  EXPECT_EQ(error_of(with_field(6, "70000")), HelloError::kMasterPort);
  EXPECT_EQ(error_of(with_field(7, "18446744073709551615")), HelloError::kConfigEpoch);
  EXPECT_EQ(error_of(with_field(7, "2")), HelloError::kEpochOrder);  // current epoch 1
}

TEST(Hello, AcceptsEveryLegalForm) {
  EXPECT_EQ(error_of(with_field(0, "::1")), HelloError::kNone);
  EXPECT_EQ(error_of(with_field(0, "sentinel-1.example.com")), HelloError::kNone);
  EXPECT_EQ(error_of(with_field(0, "sentinel-1.example.com.")), HelloError::kNone);
  EXPECT_EQ(error_of(with_field(1, "65535")), HelloError::kNone);
  EXPECT_EQ(error_of(with_field(2, "E71FA4E8F810164C079016DBB1A05EAD540060FF")), HelloError::kNone);
  EXPECT_EQ(error_of(with_field(3, "9223372036854775807")), HelloError::kNone);
  EXPECT_EQ(error_of(with_field(4, "group:a/b")), HelloError::kNone);
  EXPECT_EQ(error_of(with_field(5, "fe80::1:2")), HelloError::kNone);
  EXPECT_EQ(error_of(with_field(7, "0")), HelloError::kNone);
}

}  // namespace
}  // namespace sp::sentinel
