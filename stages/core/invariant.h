// What a broken invariant does in every build type, release included: it stops the process loudly with
// a message on stderr instead of going on with a null pointer or half-made state (an assert would vanish
// under NDEBUG).
#pragma once

#include <string>

namespace logstream {

// "logstream: internal error: WHAT", then abort(): a bug, worth a core dump.
[[noreturn]] void fail_invariant(const std::string& what) noexcept;

// "logstream: WHAT", then exit status 1 at once: a runtime failure found on a worker thread (no scratch
// memory for a parser thread) that leaves the query nothing sound to finish.
[[noreturn]] void fail_at_runtime(const std::string& what) noexcept;

}  // namespace logstream
