// --ui-port: the live dashboard (stages/sinks/dashboard.h) served by cpp-httplib on its own thread: the
// page, its script and styles, Chart.js, the state as JSON (/state) and every new state pushed as
// Server-Sent Events (/events) as soon as a batch is published. Only GET: no endpoint changes anything.
// Every response carries a Content-Security-Policy that allows only the server's own scripts. The
// pipeline never waits for a client; a client that stops reading only holds its own connection.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "pipeline/http_listener.h"
#include "stages/core/expected.h"

namespace logstream {

class DashboardServer {
 public:
  // At most this many clients follow /events at once (each holds one of the server's threads); more are
  // answered 503.
  static constexpr int kMaxEventStreams = 4;

  static Expected<std::unique_ptr<DashboardServer>> start(const std::string& bind, int port);
  ~DashboardServer();

  // The new state (DashboardState::to_json), to /state and to every /events client.
  void publish(std::string state_json);
  int port() const noexcept { return listener_->port(); }
  // The address to print for a browser: the bound one, or the loopback for "any address".
  std::string host_for_url() const;

 private:
  DashboardServer() = default;
  std::string bind_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string state_;
  uint64_t version_ = 0;
  bool stopping_ = false;
  int streams_ = 0;
  std::atomic<int> bound_port_{0};          // for the Host check, which may run before listener_ is set
  std::unique_ptr<HttpListener> listener_;  // last: stopped before what its handlers read goes away
};

}  // namespace logstream
