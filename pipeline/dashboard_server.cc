#include "pipeline/dashboard_server.h"

#include <httplib.h>

#include <chrono>

#include "stages/sinks/dashboard.h"

namespace logstream {

Expected<std::unique_ptr<DashboardServer>> DashboardServer::start(const std::string& bind, int port) {
  std::unique_ptr<DashboardServer> dashboard(new DashboardServer());
  dashboard->bind_ = bind;
  DashboardServer* self = dashboard.get();
  auto routes = [self](httplib::Server& server) {
    auto fixed = [](std::string body, const char* type) {
      return [body = std::move(body), type](const httplib::Request&, httplib::Response& response) {
        response.set_content(body, type);
      };
    };
    server.Get("/", [self](const httplib::Request&, httplib::Response& response) {
      std::string state;
      {
        std::lock_guard<std::mutex> lock(self->mutex_);
        state = self->state_;
      }
      response.set_content(dashboard_live_page(state), "text/html; charset=utf-8");
    });
    server.Get("/app.js", fixed(std::string(dashboard_script()), "text/javascript; charset=utf-8"));
    server.Get("/style.css", fixed(std::string(dashboard_styles()), "text/css; charset=utf-8"));
    server.Get("/chart.js", fixed(std::string(chart_js_library()), "text/javascript; charset=utf-8"));
    server.Get("/state", [self](const httplib::Request&, httplib::Response& response) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      response.set_content(self->state_, "application/json");
    });
    server.Get("/events", [self](const httplib::Request&, httplib::Response& response) {
      {
        std::lock_guard<std::mutex> lock(self->mutex_);
        if (self->streams_ >= kMaxEventStreams || self->stopping_) {
          response.status = 503;
          response.set_content("too many dashboards follow this query\n", "text/plain");
          return;
        }
        ++self->streams_;
      }
      // Each client first gets the current state, then every new one. A client that went away is noticed
      // within a second (its slot is then free for another page); a comment line every 15 s keeps proxies
      // from closing a quiet stream.
      auto seen = std::make_shared<uint64_t>(0);
      auto quiet_seconds = std::make_shared<int>(0);
      response.set_chunked_content_provider(
          "text/event-stream",
          [self, seen, quiet_seconds](size_t, httplib::DataSink& sink) {
            std::unique_lock<std::mutex> lock(self->mutex_);
            self->changed_.wait_for(lock, std::chrono::seconds(1),
                                    [&] { return self->version_ != *seen || self->stopping_; });
            if (self->stopping_) {
              sink.done();
              return false;
            }
            if (self->version_ == *seen) {
              if (!sink.is_writable()) return false;
              if (++*quiet_seconds < 15) return true;
              *quiet_seconds = 0;
              return sink.write(": still here\n\n", 14);
            }
            *quiet_seconds = 0;
            *seen = self->version_;
            const std::string message = "data: " + self->state_ + "\n\n";
            lock.unlock();
            return sink.write(message.data(), message.size());  // false: the client went away
          },
          [self](bool) {
            std::lock_guard<std::mutex> lock(self->mutex_);
            --self->streams_;
          });
    });
    // Threads for the event streams and as many again for everything else; an idle keep-alive connection
    // lets its thread go after a second.
    server.new_task_queue = [] { return new httplib::ThreadPool(2 * kMaxEventStreams + 4); };
    server.set_keep_alive_timeout(1);
    // On the loopback the page answers only to its own names: another site's page, its name rebound to
    // 127.0.0.1 (DNS rebinding), must not read the logs through a visitor's browser.
    const bool loopback = self->bind_ == "127.0.0.1" || self->bind_ == "::1" || self->bind_ == "localhost";
    server.set_pre_routing_handler(
        [self, loopback](const httplib::Request& request, httplib::Response& response) {
          if (!loopback) return httplib::Server::HandlerResponse::Unhandled;
          const std::string host = request.get_header_value("Host");
          const std::string suffix = ":" + std::to_string(self->bound_port_.load(std::memory_order_acquire));
          for (const std::string name : {"127.0.0.1", "localhost", "[::1]"}) {
            if (host == name || host == name + suffix) return httplib::Server::HandlerResponse::Unhandled;
          }
          response.status = 403;
          response.set_content("the dashboard answers to 127.0.0.1 and localhost only\n", "text/plain");
          return httplib::Server::HandlerResponse::Handled;
        });
    // The page runs only the server's own scripts, and nothing here is to be framed, cached or sniffed.
    server.set_post_routing_handler([](const httplib::Request&, httplib::Response& response) {
      response.set_header("Content-Security-Policy", std::string(dashboard_live_csp()));
      response.set_header("X-Content-Type-Options", "nosniff");
      response.set_header("Referrer-Policy", "no-referrer");
      response.set_header("Cache-Control", "no-store");
    });
  };
  auto listener = HttpListener::start("--ui-port", bind, port, routes);
  if (!listener) return Error{listener.error()};
  dashboard->listener_ = std::move(listener).value();
  dashboard->bound_port_.store(dashboard->listener_->port(), std::memory_order_release);
  return dashboard;
}

DashboardServer::~DashboardServer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  listener_.reset();  // joins the server's threads, the event streams among them, before members go
}

void DashboardServer::publish(std::string state_json) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    state_ = std::move(state_json);
    ++version_;
  }
  changed_.notify_all();
}

std::string DashboardServer::host_for_url() const {
  if (bind_ == "0.0.0.0" || bind_.empty()) return "127.0.0.1";
  if (bind_ == "::") return "[::1]";
  return bind_.find(':') != std::string::npos ? "[" + bind_ + "]" : bind_;
}

}  // namespace logstream
