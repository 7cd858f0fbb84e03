#include "protocol/glob_match.h"

#include <utility>

namespace sp::protocol {
namespace {

// Matches one `[...]` class at the start of `pattern` against `c`; advances `pattern`
// past the class (to its closing `]`, or to the last byte if unterminated, as Redis does).
bool match_class(std::string_view& pattern, char c) {
  pattern.remove_prefix(1);  // '['
  const bool negate = !pattern.empty() && pattern[0] == '^';
  if (negate) pattern.remove_prefix(1);
  bool matched = false;
  while (!pattern.empty()) {
    if (pattern[0] == '\\' && pattern.size() >= 2) {
      pattern.remove_prefix(1);
      if (pattern[0] == c) matched = true;
    } else if (pattern[0] == ']') {
      break;
    } else if (pattern.size() >= 3 && pattern[1] == '-') {
      char lo = pattern[0], hi = pattern[2];
      if (lo > hi) std::swap(lo, hi);
      if (c >= lo && c <= hi) matched = true;
      pattern.remove_prefix(2);
    } else if (pattern[0] == c) {
      matched = true;
    }
    if (pattern.size() == 1) break;  // unterminated: the last byte ends the class
    pattern.remove_prefix(1);
  }
  return negate ? !matched : matched;
}

}  // namespace

// Mirrors stringmatchlen (without its nesting limit: patterns come from trusted code or
// from clients of the sentinel port, and recursion here is bounded by the `*` count).
bool glob_match(std::string_view pattern, std::string_view text) {
  while (!pattern.empty() && !text.empty()) {
    switch (pattern[0]) {
      case '*':
        while (pattern.size() > 1 && pattern[1] == '*') pattern.remove_prefix(1);
        if (pattern.size() == 1) return true;
        for (std::size_t i = 0; i <= text.size(); ++i) {
          if (glob_match(pattern.substr(1), text.substr(i))) return true;
        }
        return false;
      case '?':
        break;
      case '[':
        if (!match_class(pattern, text[0])) return false;
        break;
      case '\\':
        if (pattern.size() >= 2) pattern.remove_prefix(1);
        [[fallthrough]];
      default:
        if (pattern[0] != text[0]) return false;
        break;
    }
    pattern.remove_prefix(1);
    text.remove_prefix(1);
  }
  while (!pattern.empty() && pattern[0] == '*') pattern.remove_prefix(1);
  return pattern.empty() && text.empty();
}

}  // namespace sp::protocol
