#pragma once

#include <string>
#include <vector>

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

}  // namespace sp::sentinel::io
