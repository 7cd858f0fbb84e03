#include "protocol/glob_match.h"

#include <utility>

namespace sp::protocol {
namespace {

// Redis stops a match nested deeper than this (one level per `*` that is not the last),
// so that a pattern cannot exhaust the stack (CVE-2022-36021, Redis 7.0.9).
constexpr int kMaxNesting = 1000;

// Matches the `[...]` class that starts at pattern[p] against `c`; leaves `p` on the
// class's closing `]`, or on the pattern's last byte if the class is unterminated (as
// Redis does: the class then takes the rest of the pattern).
bool match_class(std::string_view pattern, std::size_t& p, char c) {
  ++p;  // '['
  const bool negate = p < pattern.size() && pattern[p] == '^';
  if (negate) ++p;
  bool matched = false;
  while (true) {
    if (p + 1 < pattern.size() && pattern[p] == '\\') {
      ++p;
      if (pattern[p] == c) matched = true;
    } else if (p < pattern.size() && pattern[p] == ']') {
      break;
    } else if (p >= pattern.size()) {
      --p;  // ran off the end: stay on the last byte
      break;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
      char lo = pattern[p], hi = pattern[p + 2];
      if (lo > hi) std::swap(lo, hi);
      if (c >= lo && c <= hi) matched = true;
      p += 2;
    } else if (pattern[p] == c) {
      matched = true;
    }
    ++p;
  }
  return negate ? !matched : matched;
}

struct Matcher {
  std::size_t steps = 0;
  // Set once some `*` found that the rest of the pattern after it matches no suffix of
  // the text: then no earlier `*` can do better by taking more of the text, since that
  // only leaves a shorter suffix for the same rest (Redis's skipLongerMatches). This is
  // what keeps `*?*?*?...x` from taking exponential time.
  bool skip_longer = false;

  // mirrors stringmatchlen_impl
  bool match(std::string_view pattern, std::string_view text, int nesting) {
    if (nesting > kMaxNesting) return false;
    std::size_t p = 0, s = 0;
    while (p < pattern.size() && s < text.size()) {
      ++steps;
      switch (pattern[p]) {
        case '*':
          while (p + 1 < pattern.size() && pattern[p + 1] == '*') ++p;
          if (p + 1 == pattern.size()) return true;
          for (; s < text.size(); ++s) {
            if (match(pattern.substr(p + 1), text.substr(s), nesting + 1)) return true;
            if (skip_longer) return false;
          }
          skip_longer = true;
          return false;
        case '?':
          break;
        case '[':
          if (!match_class(pattern, p, text[s])) return false;
          break;
        case '\\':
          if (p + 1 < pattern.size()) ++p;
          [[fallthrough]];
        default:
          if (pattern[p] != text[s]) return false;
          break;
      }
      ++p;
      ++s;
      // Trailing stars match the empty rest, but only once a byte was taken: Redis never
      // matches an empty text against `*` (KEYS answers a bare `*` without asking).
      if (s == text.size()) {
        while (p < pattern.size() && pattern[p] == '*') ++p;
        break;
      }
    }
    return p == pattern.size() && s == text.size();
  }
};

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  return Matcher{}.match(pattern, text, 0);
}

namespace detail {

bool glob_match_counted(std::string_view pattern, std::string_view text, std::size_t& steps) {
  Matcher matcher;
  const bool matched = matcher.match(pattern, text, 0);
  steps = matcher.steps;
  return matched;
}

}  // namespace detail
}  // namespace sp::protocol
