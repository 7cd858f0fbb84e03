#pragma once

#include <cstddef>
#include <string_view>

namespace sp::protocol {

// Redis's glob matching (stringmatchlen), as PSUBSCRIBE and KEYS use it: `*`, `?`,
// `[abc]`, `[^a-z]`, and `\` to escape. Case-sensitive.
bool glob_match(std::string_view pattern, std::string_view text);

namespace detail {

// glob_match, also counting the matcher's steps (one per pattern position tried), so that
// tests can bound the work a hostile pattern costs without timing it.
bool glob_match_counted(std::string_view pattern, std::string_view text, std::size_t& steps);

}  // namespace detail
}  // namespace sp::protocol
