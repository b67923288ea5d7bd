#include "pipeline/metrics_server.h"

#include <httplib.h>

#include <cerrno>
#include <cstring>

namespace logstream {

Expected<std::unique_ptr<MetricsServer>> MetricsServer::start(int port) {
  std::unique_ptr<MetricsServer> metrics(new MetricsServer());
  metrics->server_ = std::make_unique<httplib::Server>();
  MetricsServer* self = metrics.get();
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
  metrics->thread_ = std::thread([self] { self->server_->listen_after_bind(); });
  return metrics;
}

MetricsServer::~MetricsServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void MetricsServer::publish(std::string exposition) {
  std::lock_guard<std::mutex> lock(mutex_);
  snapshot_ = std::move(exposition);
}

}  // namespace logstream
