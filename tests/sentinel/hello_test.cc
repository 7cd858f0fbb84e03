#include "sentinel/hello.h"

#include <gtest/gtest.h>

namespace sp::sentinel {
namespace {

TEST(Hello, FormatsTheObservedPayload) {
  Hello h{"127.0.0.1", 6510, "e71fa4e8f810164c079016dbb1a05ead540060ff", 1, "mymaster", "127.0.0.1",
          6502,        1};
  EXPECT_EQ(format_hello(h),
            "127.0.0.1,6510,e71fa4e8f810164c079016dbb1a05ead540060ff,1,mymaster,127.0.0.1,6502,1");
  EXPECT_EQ(parse_hello(format_hello(h)), h);
}

TEST(Hello, RejectsWrongFieldCountsAndNumbers) {
  EXPECT_FALSE(parse_hello("127.0.0.1,6510,id,0,mymaster,127.0.0.1,6500"));
  EXPECT_FALSE(parse_hello("127.0.0.1,6510,id,0,mymaster,127.0.0.1,6500,0,extra"));
  EXPECT_FALSE(parse_hello("127.0.0.1,port,id,0,mymaster,127.0.0.1,6500,0"));
  EXPECT_FALSE(parse_hello("127.0.0.1,6510,id,x,mymaster,127.0.0.1,6500,0"));
  EXPECT_FALSE(parse_hello(""));
}

}  // namespace
}  // namespace sp::sentinel
