#include "tests/support/large_stack.h"

#include <pthread.h>

#include <stdexcept>

namespace logstream::test_support {

void run_on_large_stack(const std::function<void()>& work, size_t stack_bytes) {
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, stack_bytes);
  pthread_t thread;
  auto body = [](void* argument) -> void* {
    (*static_cast<const std::function<void()>*>(argument))();
    return nullptr;
  };
  const int rc = pthread_create(&thread, &attributes, body, const_cast<std::function<void()>*>(&work));
  pthread_attr_destroy(&attributes);
  if (rc != 0) throw std::runtime_error("cannot start a thread with a large stack");
  pthread_join(thread, nullptr);
}

}  // namespace logstream::test_support
