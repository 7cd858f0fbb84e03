#include "protocol/glob_match.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace sp::protocol {
namespace {

TEST(GlobMatch, MatchesAsRedisPatternsDo) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  };
  const Case cases[] = {
      // Redis's matcher never matches an empty text, except with an empty pattern: its loop
      // needs a byte of each (KEYS answers a bare `*` without asking it).
      {"*", "", false},
      {"a*", "a", true},
      {"a**", "a", true},
      {"a*b", "a", false},
      {"[^", "x", true},
      {"[", "x", false},
      {"x[", "x", false},
      {"[]]", "]", false},
      {"[]]", "x]", false},
      // A range may take the `]`, leaving the class unterminated (to the pattern's end).
      {"[a-]", "-", false},
      {"[a-]", "_", true},
      {"[\\]", "]", true},
      {"a\\", "a\\", true},
      {"a\\", "a", false},
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

// The pattern of CVE-2022-36021: alternating stars make a plain backtracking matcher try
// every way of splitting the text, exponentially many; Redis 7.0.9's early exit makes it
// a few steps per byte. Steps are counted, not timed, so this cannot flake.
TEST(GlobMatch, HostilePatternsCostFewSteps) {
  std::string pattern;
  for (int i = 0; i < 13; ++i) pattern += "*?";
  pattern += "x";
  const std::string texts[] = {"+failover-state-select-slave",
                               std::string(64, 'a'),
                               std::string(200, 'a'),
                               std::string(64, 'a') + "x",
                               std::string(30, 'a') + "x" + std::string(30, 'a'),
                               "x" + std::string(64, 'a')};
  const auto started = std::chrono::steady_clock::now();
  for (const std::string& text : texts) {
    std::size_t steps = 0;
    const bool matched = detail::glob_match_counted(pattern, text, steps);
    EXPECT_EQ(matched, text.size() >= 27 && text.back() == 'x') << text;
    // Linear-ish: a few steps per pattern byte and text byte; the exponential search
    // takes millions here.
    EXPECT_LE(steps, 4 * pattern.size() * text.size()) << text;
  }
  // Generous enough never to flake on a loaded machine, and far below the seconds the
  // exponential search took.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(GlobMatch, DeepNestingIsRefusedNotOverflowed) {
  // Redis gives up past 1000 nested stars (no match) rather than recursing further.
  std::string pattern;
  for (int i = 0; i < 2000; ++i) pattern += "a*";
  pattern += "b";
  EXPECT_FALSE(glob_match(pattern, std::string(3000, 'a') + "b"));
  std::string shallow;
  for (int i = 0; i < 100; ++i) shallow += "a*";
  EXPECT_TRUE(glob_match(shallow + "b", std::string(300, 'a') + "b"));
}

// A straightforward reference: the pattern cut into tokens (Redis's class quirks
// included), then the textbook dynamic programme over tokens and text bytes.
struct Token {
  enum Kind { kStar, kAny, kSet } kind;
  std::vector<bool> set = std::vector<bool>(256, false);
  bool negate = false;
  bool accepts(char c) const {
    if (kind == kAny) return true;
    return set[static_cast<unsigned char>(c)] != negate;
  }
};

std::vector<Token> tokenize(const std::string& p) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  auto literal = [&](char c) {
    Token t{Token::kSet};
    t.set[static_cast<unsigned char>(c)] = true;
    tokens.push_back(t);
  };
  while (i < p.size()) {
    const char c = p[i++];
    if (c == '*') {
      tokens.push_back(Token{Token::kStar});
    } else if (c == '?') {
      tokens.push_back(Token{Token::kAny});
    } else if (c == '\\') {
      literal(i < p.size() ? p[i++] : '\\');
    } else if (c != '[') {
      literal(c);
    } else {
      Token t{Token::kSet};
      if (i < p.size() && p[i] == '^') {
        t.negate = true;
        ++i;
      }
      while (i < p.size()) {
        if (p[i] == '\\' && i + 1 < p.size()) {
          t.set[static_cast<unsigned char>(p[i + 1])] = true;
          i += 2;
        } else if (p[i] == ']') {
          ++i;
          break;
        } else if (i + 2 < p.size() && p[i + 1] == '-') {
          const auto a = static_cast<unsigned char>(p[i]), b = static_cast<unsigned char>(p[i + 2]);
          for (unsigned v = std::min(a, b); v <= std::max(a, b); ++v) t.set[v] = true;
          i += 3;
        } else {
          t.set[static_cast<unsigned char>(p[i++])] = true;
        }
      }
      tokens.push_back(t);
    }
  }
  return tokens;
}

bool reference_match(const std::string& pattern, const std::string& text) {
  // Redis's loop needs a byte of both: an empty text matches the empty pattern only.
  if (text.empty()) return pattern.empty();
  const std::vector<Token> tokens = tokenize(pattern);
  // can[i][j]: tokens from i on match text from j on.
  std::vector<std::vector<bool>> can(tokens.size() + 1, std::vector<bool>(text.size() + 1));
  can[tokens.size()][text.size()] = true;
  for (std::size_t i = tokens.size(); i-- > 0;) {
    for (std::size_t j = text.size() + 1; j-- > 0;) {
      if (tokens[i].kind == Token::kStar) {
        can[i][j] = can[i + 1][j] || (j < text.size() && can[i][j + 1]);
      } else {
        can[i][j] = j < text.size() && tokens[i].accepts(text[j]) && can[i + 1][j + 1];
      }
    }
  }
  return can[0][0];
}

TEST(GlobMatch, AgreesWithAReferenceMatcherOnRandomInputs) {
  std::mt19937 rng(20260613);
  const std::string pattern_bytes = "ab*?*[]^-\\";
  const std::string text_bytes = "ab-]^\\*";
  auto draw = [&](const std::string& alphabet, std::size_t max_len) {
    std::string out(std::uniform_int_distribution<std::size_t>(0, max_len)(rng), ' ');
    for (char& c : out) {
      c = alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
    }
    return out;
  };
  int mismatches = 0;
  for (int i = 0; i < 50000 && mismatches < 10; ++i) {
    const std::string pattern = draw(pattern_bytes, 10);
    const std::string text = draw(text_bytes, 10);
    const bool expected = reference_match(pattern, text);
    if (glob_match(pattern, text) != expected) {
      ++mismatches;
      ADD_FAILURE() << "'" << pattern << "' ~ '" << text << "': expected " << expected;
    }
  }
}

}  // namespace
}  // namespace sp::protocol
