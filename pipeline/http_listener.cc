#include "pipeline/http_listener.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace logstream {

Expected<std::unique_ptr<HttpListener>> HttpListener::start(
    const std::string& option, const std::string& host, int port,
    const std::function<void(httplib::Server&)>& routes) {
  std::unique_ptr<HttpListener> listener(new HttpListener());
  listener->server_ = std::make_unique<httplib::Server>();
  // cpp-httplib's default sets SO_REUSEPORT, with which a second logstream binds the same port and the
  // kernel spreads requests between the two. SO_REUSEADDR alone still allows a quick restart.
  listener->server_->set_socket_options([](int socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  routes(*listener->server_);
  errno = 0;
  const int bound = port == 0 ? listener->server_->bind_to_any_port(host)
                              : (listener->server_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    // A name that does not resolve, or an address of no interface here, leaves errno alone.
    const std::string reason = errno != 0 ? std::strerror(errno) : "not an address of this machine";
    return Error{option + " " + std::to_string(port) + ": cannot listen on " + host + ":" +
                 std::to_string(port) + " (" + reason + ")"};
  }
  listener->port_ = bound;
  HttpListener* self = listener.get();
  listener->thread_ = std::thread([self] {
    self->server_->listen_after_bind();
    self->listen_returned_.store(true, std::memory_order_release);
  });
  return listener;
}

HttpListener::~HttpListener() {
  // cpp-httplib 0.11's stop() does nothing until the listening loop has started, and that loop would then
  // run forever: wait until it runs (or has already given up) before stopping it.
  if (thread_.joinable()) {
    while (!server_->is_running() && !listen_returned_.load(std::memory_order_acquire))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace logstream
