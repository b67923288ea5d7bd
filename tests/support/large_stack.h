// Runs test code on a thread with a large stack. std::regex recurses once per byte of its input, so the
// std::regex references overflow a default 8 MiB stack on long lines, sooner under ASan's bigger frames;
// the code under test never needs this.
#pragma once

#include <cstddef>
#include <functional>

namespace logstream::test_support {

void run_on_large_stack(const std::function<void()>& work, size_t stack_bytes = size_t{1} << 30);

}  // namespace logstream::test_support
