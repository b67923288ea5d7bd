// --metrics-port: GET /metrics on 127.0.0.1 answers with the latest Prometheus text, served by
// cpp-httplib on its own thread. The query publishes a new snapshot after each batch; serving never
// waits for the pipeline, and the pipeline never waits for a client.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "pipeline/http_listener.h"
#include "stages/core/expected.h"

namespace logstream {

class MetricsServer {
 public:
  // Binds before returning, so a port in use is an error here, not later on another thread. Port 0: any
  // free port, which port() then tells.
  static Expected<std::unique_ptr<MetricsServer>> start(int port);

  void publish(std::string exposition);
  int port() const noexcept { return listener_->port(); }

 private:
  MetricsServer() = default;
  std::mutex mutex_;
  std::string snapshot_;
  std::unique_ptr<HttpListener> listener_;  // last: stopped before the snapshot it reads goes away
};

}  // namespace logstream
