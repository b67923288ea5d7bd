#include "stages/core/invariant.h"

#include <cstdio>
#include <cstdlib>

namespace logstream {

void fail_invariant(const std::string& what) noexcept {
  std::fprintf(stderr, "logstream: internal error: %s\n", what.c_str());
  std::abort();
}

void fail_at_runtime(const std::string& what) noexcept {
  std::fflush(stdout);
  std::fprintf(stderr, "logstream: %s\n", what.c_str());
  std::_Exit(1);
}

}  // namespace logstream
