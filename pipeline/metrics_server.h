// --metrics-port: GET /metrics on 127.0.0.1 answers with the latest Prometheus text, served by
// cpp-httplib on its own thread. The query publishes a new snapshot after each batch; serving never
// waits for the pipeline, and the pipeline never waits for a client.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "stages/core/expected.h"

namespace httplib {
class Server;
}

namespace logstream {

class MetricsServer {
 public:
  // Binds before returning, so a port in use is an error here, not later on another thread. Port 0: any
  // free port, which port() then tells.
  static Expected<std::unique_ptr<MetricsServer>> start(int port);
  ~MetricsServer();

  void publish(std::string exposition);
  int port() const noexcept { return port_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};
  std::mutex mutex_;
  std::string snapshot_;
  int port_ = 0;
};

}  // namespace logstream
