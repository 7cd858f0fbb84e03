#include "protocol/glob_match.h"

#include <gtest/gtest.h>

namespace sp::protocol {
namespace {

TEST(GlobMatch, MatchesAsRedisPatternsDo) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  };
  const Case cases[] = {
      {"*", "", true},
      {"*", "anything", true},
      {"+*", "+sdown", true},
      {"+*", "-sdown", false},
      {"__sentinel__:*", "__sentinel__:hello", true},
      {"h?llo", "hello", true},
      {"h?llo", "hllo", false},
      {"h*llo", "heeeello", true},
      {"h*llo", "hellox", false},
      {"h[ae]llo", "hallo", true},
      {"h[ae]llo", "hillo", false},
      {"h[^e]llo", "hallo", true},
      {"h[^e]llo", "hello", false},
      {"h[a-b]llo", "hbllo", true},
      {"h[b-a]llo", "hallo", true},
      {"h\\*llo", "h*llo", true},
      {"h\\*llo", "hello", false},
      {"a*b*c", "aXbYc", true},
      {"a*b*c", "aXbY", false},
      {"**", "x", true},
      {"", "", true},
      {"", "x", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(glob_match(c.pattern, c.text), c.match) << c.pattern << " ~ " << c.text;
  }
}

}  // namespace
}  // namespace sp::protocol
