// An HTTP server of cpp-httplib on its own thread, bound before start() returns (so a port in use is an
// error there, not later on another thread), stopped and joined by the destructor. What it serves is the
// caller's: the routes are registered before it binds. The metrics endpoint and the dashboard use it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "stages/core/expected.h"

namespace httplib {
class Server;
}

namespace logstream {

class HttpListener {
 public:
  // `option` names the flag in errors ("--ui-port"); port 0: any free port, which port() then tells.
  static Expected<std::unique_ptr<HttpListener>> start(const std::string& option, const std::string& host,
                                                       int port,
                                                       const std::function<void(httplib::Server&)>& routes);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  int port() const noexcept { return port_; }

 private:
  HttpListener() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};
  int port_ = 0;
};

}  // namespace logstream
