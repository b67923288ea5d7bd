// The /metrics endpoint's life cycle: a port is served by one process only, and stopping never hangs.
#include "pipeline/metrics_server.h"

#include <gtest/gtest.h>

namespace logstream {
namespace {

TEST(MetricsServer, ASecondServerOnTheSamePortIsRefused) {
  auto first = MetricsServer::start(0);
  ASSERT_TRUE(first) << first.error();
  auto second = MetricsServer::start(first.value()->port());
  ASSERT_FALSE(second) << "SO_REUSEPORT would let two servers share the port";
  EXPECT_NE(second.error().find("cannot listen"), std::string::npos) << second.error();
}

TEST(MetricsServer, StoppingRightAfterStartingNeverHangs) {
  // cpp-httplib ignores a stop() that comes before its listening loop runs; ctest's timeout catches a hang.
  for (int i = 0; i < 200; ++i) {
    auto server = MetricsServer::start(0);
    ASSERT_TRUE(server) << server.error();
  }
}

}  // namespace
}  // namespace logstream
