#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocol/config_rewrite.h"

namespace sp::sentinel::io {

// Whether redis-server 7.0 would take `args` (a config line split into words, the name
// first) in its file: every standard config with its type, bounds and arity, the special
// ones (save, client-output-buffer-limit, bind, replicaof, ...), the deprecated names it
// still tolerates, and the free-form directives (include, rename-command, user,
// loadmodule, module configs). redis-sentinel reads its file with the same code, so this
// is also what it refuses. Returns Redis's error text, or "" when the line is accepted;
// nothing is applied (the caller gives meaning to the few directives a sentinel uses).
// `dir` is only checked for arity here: whether the directory exists is the chdir's to say.
std::string check_server_directive(const std::vector<std::string>& args);

// What CONFIG REWRITE does with a line of the old file, as Redis 7.0 (rewriteConfig) does
// it for a sentinel.
struct RewrittenLine {
  enum class Action {
    kNotAConfig,  // Redis does not know it: kept as a comment, "# ??? <line>"
    kKept,        // a directive the rewrite does not own (include, rename-command, ...)
    kRewritten,   // `key`'s first line becomes `text`, its other lines go
    kDropped,     // `key`'s lines go (an empty value that means none, `save` in sentinel)
  };
  Action action = Action::kKept;
  std::string key;   // the option's name as the rewrite matches lines ("replicaof" for slaveof)
  std::string text;  // the normalized line, for kRewritten
};

// `args` is a checked line of the file (the name first), the value it sets being the last
// one the file gives. `dir` is not handled here (its line is the working directory).
RewrittenLine rewrite_server_line(const std::vector<std::string>& args);

// The config file words the rewrite writes (protocol/config_rewrite.h).
using protocol::config_word;
using protocol::quoted_repr;

}  // namespace sp::sentinel::io
