// The dashboard in a real browser: headless Chromium loads the live page of a `watch --ui-port 0`; a file
// dropped into the directory changes the numbers in its DOM, the new state is pushed to an /events client,
// a screenshot is kept as a test artifact, and hostile log text stays text. The html sink writes one
// self-contained page that Chromium renders the same way.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <regex>
#include <string>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

using DashboardTest = TempDirTest;

const std::string kChromium = "/usr/bin/chromium";
// An endpoint that would run script if it reached the page as markup.
const std::string kHostile = "/<img/src=x/onerror=alert(1)></script><b>bold</b>";
const std::string kHostileAsText =
    "/&lt;img/src=x/onerror=alert(1)&gt;&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;";

std::string hostile_line() {
  return "10.0.0.9 - - [10/Oct/2000:13:55:36 -0700] \"GET " + kHostile + " HTTP/1.0\" 404 5 \"-\" \"x\"\n";
}

// The DOM of `url` once its scripts have drawn `expected` (Chromium stops the page after a time it is
// given; a slow start of the browser gets a longer one on the next try).
std::string dom_of(const std::string& url, const std::string& expected) {
  std::string dom;
  for (const int wait_ms : {3000, 8000, 20000}) {
    const ProcessResult r = run_process({kChromium, "--headless", "--no-sandbox", "--disable-gpu",
                                         "--timeout=" + std::to_string(wait_ms), "--dump-dom", url},
                                        seconds(90));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    dom = r.out;
    if (dom.find(expected) != std::string::npos) return dom;
  }
  ADD_FAILURE() << url << " never showed '" << expected << "'; the last DOM began:\n" << dom.substr(0, 1500);
  return dom;
}

// The count cell of the row whose first cell is `first` (in a DOM as Chromium serializes it).
std::string count_after(const std::string& dom, const std::string& first) {
  const std::string cell = "<tr><td>" + first + "</td><td class=\"n\">";
  const size_t at = dom.find(cell);
  if (at == std::string::npos) return "";
  const size_t start = at + cell.size();
  return dom.substr(start, dom.find('<', start) - start);
}

void drop(const std::string& staged, const std::string& into, const std::string& text) {
  write_file(staged, text);
  fs::rename(staged, into);
}

TEST_F(DashboardTest, TheLivePageShowsEachBatchPushesItAndKeepsHostileTextAsText) {
  ASSERT_TRUE(fs::exists(kChromium)) << "tools/scripts/setup.sh test installs chromium";
  RunningProcess watch({kLogstream, "--format", "combined", "--group-by", "endpoint", "--ui-port", "0",
                        "watch", logs(), "--quiet-ms", "50"});
  ASSERT_TRUE(watch.wait_for_stdout(
      [&](const std::string&) { return watch.err().find("dashboard at") != std::string::npos; }, seconds(10)))
      << watch.err();
  std::smatch m;
  const std::string err = watch.err();
  ASSERT_TRUE(std::regex_search(err, m, std::regex(R"(dashboard at (http://127\.0\.0\.1:\d+/))"))) << err;
  const std::string url = m[1];

  const std::string log = read_file(kSharedData + "/elastic-apache.log") + hostile_line();
  drop(path("a"), logs() + "/a.log", log);
  ASSERT_TRUE(watch.wait_for_text("Batch: 0\n", 1, seconds(20))) << watch.err();
  // The page is served with the state of its moment inside it, so it is drawn before it has loaded; the
  // hostile text is in it only as JSON escapes.
  const std::string served = run_process({"/usr/bin/curl", "-s", url}).out;
  EXPECT_NE(served.find("<script type=\"application/json\" id=\"state\" data-live>{"), std::string::npos)
      << served.substr(0, 2000);
  EXPECT_NE(served.find("\\u003cimg/src=x"), std::string::npos);
  EXPECT_EQ(served.find("<img"), std::string::npos);
  const std::string first = dom_of(url, "Batch: 0");
  EXPECT_NE(first.find("Batch: 0"), std::string::npos) << first.substr(0, 2000);
  EXPECT_EQ(count_after(first, kHostileAsText), "1") << first.substr(0, 4000);
  EXPECT_EQ(first.find("<img"), std::string::npos) << "log text became markup";
  EXPECT_EQ(first.find("<b>bold"), std::string::npos) << "log text became markup";
  EXPECT_NE(first.find("<canvas id=\"result-chart\""), std::string::npos);

  // An /events client gets the next state as soon as the batch is published.
  RunningProcess events({"/usr/bin/curl", "-sN", url + "events"});
  ASSERT_TRUE(events.wait_for_text("\"batch\":0", 1, seconds(10))) << events.err();
  drop(path("b"), logs() + "/b.log", log);
  ASSERT_TRUE(watch.wait_for_text("Batch: 1\n", 1, seconds(20))) << watch.err();
  EXPECT_TRUE(events.wait_for_text("\"batch\":1", 1, seconds(5))) << events.out().substr(0, 300);
  events.send_signal(SIGTERM);
  events.wait_exit(seconds(5));

  const std::string second = dom_of(url, "Batch: 1");
  EXPECT_NE(second.find("Batch: 1"), std::string::npos);
  EXPECT_EQ(count_after(second, kHostileAsText), "2") << "every count doubled";
  const std::string root_count = count_after(first, "/");
  ASSERT_FALSE(root_count.empty()) << "no row for / in the first DOM";
  EXPECT_EQ(count_after(second, "/"), std::to_string(2 * std::stoll(root_count)));

  const fs::path artifacts = fs::path(LOGSTREAM_BUILD_DIR) / "test-artifacts";
  fs::create_directories(artifacts);
  const std::string screenshot = (artifacts / "dashboard.png").string();
  fs::remove(screenshot);
  const ProcessResult shot =
      run_process({kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--timeout=3000",
                   "--window-size=1280,1800", "--screenshot=" + screenshot, url},
                  seconds(60));
  EXPECT_EQ(shot.exit_code, 0) << shot.err;
  ASSERT_TRUE(fs::exists(screenshot));
  EXPECT_GT(fs::file_size(screenshot), 20000u) << "a page with its table and charts drawn";

  // Only GET, and the page may run the server's scripts only.
  const ProcessResult headers = run_process({"/usr/bin/curl", "-sD", "-", "-o", "/dev/null", url});
  EXPECT_NE(headers.out.find("Content-Security-Policy: default-src 'none'; script-src 'self'"),
            std::string::npos)
      << headers.out;
  const ProcessResult post = run_process({"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                          "-X", "POST", "-d", "x", url + "state"});
  EXPECT_NE(post.out.substr(0, 1), "2") << post.out;
  // Another site's name rebound to 127.0.0.1 gets nothing.
  const ProcessResult rebound = run_process({"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                             "-H", "Host: evil.example", url + "state"});
  EXPECT_EQ(rebound.out, "403");
  // A page that went away frees its /events slot within a second: five short visits in a row all get in.
  for (int visit = 0; visit < 5; ++visit) {
    const ProcessResult short_visit = run_process(
        {"/usr/bin/curl", "-s", "--max-time", "1", "-o", "/dev/null", "-w", "%{http_code}", url + "events"});
    EXPECT_EQ(short_visit.out, "200") << "visit " << visit;
    std::this_thread::sleep_for(milliseconds(1200));
  }
  watch.send_signal(SIGTERM);
  EXPECT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
}

TEST_F(DashboardTest, TheHtmlSinkWritesOneSelfContainedPage) {
  ASSERT_TRUE(fs::exists(kChromium)) << "tools/scripts/setup.sh test installs chromium";
  write_file(logs() + "/a.log", read_file(kSharedData + "/elastic-apache.log") + hostile_line());
  const std::string report = path("report.html");
  const ProcessResult r =
      run_process({kLogstream, "-q", "--format", "combined", "--group-by", "endpoint", "--alert",
                   "nf: count(status == 404) > 1", "--sink", "html=" + report, "run", logs()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "") << "the html sink alone: nothing on stdout";
  const std::string page = read_file(report);
  EXPECT_EQ(page.find("<script src"), std::string::npos) << "self-contained";
  EXPECT_EQ(page.find("<link"), std::string::npos) << "self-contained";
  EXPECT_NE(page.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(count_occurrences(page, "</script>"), 3u) << "the state, Chart.js and the page's script only";
  EXPECT_EQ(page.find(kHostile), std::string::npos) << "raw log text in the page";
  const std::string dom = dom_of("file://" + report, "row-count\">");
  EXPECT_EQ(count_after(dom, kHostileAsText), "1") << dom.substr(0, 3000);
  EXPECT_EQ(dom.find("<img"), std::string::npos);
  EXPECT_NE(dom.find("<td class=\"firing\">firing</td>"), std::string::npos) << "the alert's state";
  const std::string batch_summary = dom.substr(dom.find("id=\"row-count\""), 200);
  EXPECT_NE(batch_summary.find(" rows"), std::string::npos) << batch_summary;
  // A path it cannot write is exit 1 before anything is read.
  const ProcessResult bad =
      run_process({kLogstream, "--sink", "html=" + path("no/such/dir/r.html"), "run", logs()});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  const ProcessResult no_file = run_process({kLogstream, "--sink", "html", "run", logs()});
  EXPECT_EQ(no_file.exit_code, 2) << no_file.err;
}

}  // namespace
}  // namespace logstream::test_support
