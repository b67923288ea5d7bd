// watch latency: drops small files into a watched directory one at a time and measures how long each
// takes to appear as a batch on logstream's stdout. Prints median and p99 in milliseconds, one
// "name value" pair per line, so the end-to-end harness can read them.
// Usage: watch_latency LOGSTREAM_BINARY [FILES=200]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process_runner.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: watch_latency LOGSTREAM_BINARY [FILES]\n");
    return 2;
  }
  const int files = argc > 2 ? std::atoi(argv[2]) : 200;
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("logstream-latency-" + std::to_string(getpid()));
  fs::create_directories(dir / "logs");
  const std::string line =
      "66.249.75.159 - - [29/Nov/2015:03:50:05 +0000] \"GET /robots.txt HTTP/1.1\" 200 55 \"-\" "
      "\"Googlebot\"\n";

  logstream::test_support::RunningProcess watch({argv[1], "watch", (dir / "logs").string(), "-q"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::vector<double> latencies_ms;
  for (int i = 0; i < files; ++i) {
    const fs::path staging = dir / ("staging-" + std::to_string(i));
    std::ofstream(staging, std::ios::binary) << line;
    const auto dropped = std::chrono::steady_clock::now();
    fs::rename(staging, dir / "logs" / ("f" + std::to_string(i) + ".log"));  // the drop: an atomic move in
    std::string banner = "Batch: ";
    banner.append(std::to_string(i)).append("\n");
    if (!watch.wait_for_text(banner, 1, std::chrono::seconds(10)) ||
        !watch.wait_for_stdout([&](const std::string& out) { return out.ends_with("+\n\n"); },
                               std::chrono::seconds(10))) {
      std::fprintf(stderr, "watch_latency: batch %d never came; stderr:\n%s\n", i, watch.err().c_str());
      return 1;
    }
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - dropped).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  watch.send_signal(SIGINT);
  const int exit_code = watch.wait_exit(std::chrono::seconds(10));
  fs::remove_all(dir);
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const auto at = [&](double q) { return latencies_ms[static_cast<size_t>(q * (latencies_ms.size() - 1))]; };
  std::printf("files %d\nmedian_ms %.2f\np99_ms %.2f\nmax_ms %.2f\nexit %d\n", files, at(0.5), at(0.99),
              latencies_ms.back(), exit_code);
  return exit_code == 0 ? 0 : 1;
}
