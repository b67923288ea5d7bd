#include "pipeline/metrics_server.h"

#include <httplib.h>

namespace logstream {

Expected<std::unique_ptr<MetricsServer>> MetricsServer::start(int port) {
  std::unique_ptr<MetricsServer> metrics(new MetricsServer());
  MetricsServer* self = metrics.get();
  auto listener = HttpListener::start("--metrics-port", "127.0.0.1", port, [self](httplib::Server& server) {
    server.Get("/metrics", [self](const httplib::Request&, httplib::Response& response) {
      std::string body;
      {
        std::lock_guard<std::mutex> lock(self->mutex_);
        body = self->snapshot_;
      }
      response.set_content(body, "text/plain; version=0.0.4; charset=utf-8");
    });
  });
  if (!listener) return Error{listener.error()};
  metrics->listener_ = std::move(listener).value();
  return metrics;
}

void MetricsServer::publish(std::string exposition) {
  std::lock_guard<std::mutex> lock(mutex_);
  snapshot_ = std::move(exposition);
}

}  // namespace logstream
