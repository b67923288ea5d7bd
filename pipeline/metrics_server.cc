#include "pipeline/metrics_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace logstream {

Expected<std::unique_ptr<MetricsServer>> MetricsServer::start(int port) {
  std::unique_ptr<MetricsServer> metrics(new MetricsServer());
  metrics->server_ = std::make_unique<httplib::Server>();
  MetricsServer* self = metrics.get();
  // cpp-httplib's default sets SO_REUSEPORT, with which a second logstream binds the same port and the
  // kernel spreads scrapes between the two. SO_REUSEADDR alone still allows a quick restart.
  metrics->server_->set_socket_options([](int socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  metrics->server_->Get("/metrics", [self](const httplib::Request&, httplib::Response& response) {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      body = self->snapshot_;
    }
    response.set_content(body, "text/plain; version=0.0.4; charset=utf-8");
  });
  // Port 0: any free port (the caller reports which).
  const int bound = port == 0 ? metrics->server_->bind_to_any_port("127.0.0.1")
                              : (metrics->server_->bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0)
    return Error{"--metrics-port " + std::to_string(port) +
                 ": cannot listen on 127.0.0.1:" + std::to_string(port) + " (" + std::strerror(errno) + ")"};
  metrics->port_ = bound;
  metrics->thread_ = std::thread([self] {
    self->server_->listen_after_bind();
    self->listen_returned_.store(true, std::memory_order_release);
  });
  return metrics;
}

MetricsServer::~MetricsServer() {
  // cpp-httplib 0.11's stop() does nothing until the listening loop has started, and that loop would then
  // run forever: wait until it runs (or has already given up) before stopping it.
  if (thread_.joinable()) {
    while (!server_->is_running() && !listen_returned_.load(std::memory_order_acquire))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void MetricsServer::publish(std::string exposition) {
  std::lock_guard<std::mutex> lock(mutex_);
  snapshot_ = std::move(exposition);
}

}  // namespace logstream
