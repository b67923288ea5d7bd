#include "tools/loggen/generator.h"

#include <cstdio>
#include <ctime>

namespace logstream::loggen {
namespace {

constexpr std::string_view kQuirkNames[] = {
    "ipv6",        "hostnames",    "escaped-quotes", "dash-size",     "tz-both",
    "crlf",        "lone-cr",      "long-request",   "junk",          "nul",
    "empty-lines", "invalid-utf8", "extra-fields",   "spaces-in-uri", "no-final-newline"};

constexpr std::string_view kMethods[] = {"GET",  "GET", "GET",    "GET",    "POST",
                                         "HEAD", "PUT", "DELETE", "OPTIONS"};
constexpr std::string_view kPaths[] = {"/",
                                       "/index.html",
                                       "/robots.txt",
                                       "/favicon.ico",
                                       "/blog/",
                                       "/images/logo.png",
                                       "/api/v1/items",
                                       "/search",
                                       "/css/site.css",
                                       "/js/app.js",
                                       "/wp-login.php",
                                       "/feed.xml"};
constexpr std::string_view kAgents[] = {
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/43.0.2357.130 "
    "Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:38.0) Gecko/20100101 Firefox/38.0",
    "curl/7.38.0",
    "-",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 8_3 like Mac OS X) AppleWebKit/600.1.4 (KHTML, like Gecko) "
    "Mobile/12F70"};
constexpr std::string_view kReferers[] = {"-", "-", "http://www.example.com/", "https://www.google.com/",
                                          "http://sundog-soft.com/blog/"};
constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void append_number(std::string& out, uint64_t v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out += digits[--n];
}

void append_two(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

uint64_t splitmix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<std::string_view> quirk_names() { return {std::begin(kQuirkNames), std::end(kQuirkNames)}; }

bool parse_quirks(std::string_view list, uint32_t& mask, std::string& unknown) {
  mask = 0;
  if (list == "none" || list.empty()) return true;
  if (list == "all") {
    mask = (1u << std::size(kQuirkNames)) - 1;
    return true;
  }
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    bool found = false;
    for (size_t i = 0; i < std::size(kQuirkNames); ++i) {
      if (kQuirkNames[i] == name) {
        mask |= 1u << i;
        found = true;
      }
    }
    if (!found) {
      unknown = std::string(name);
      return false;
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return true;
}

bool parse_status_mix(std::string_view text, std::vector<std::pair<int, double>>& mix) {
  mix.clear();
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string item(text.substr(0, comma));
    int status = 0;
    double weight = 0;
    char tail = 0;
    if (std::sscanf(item.c_str(), "%d:%lf%c", &status, &weight, &tail) != 2 || status < 0 || status > 999 ||
        weight < 0) {
      return false;
    }
    mix.emplace_back(status, weight);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return !mix.empty();
}

Options seed_shape() {
  Options o;
  o.format = "combined";
  o.max_lines = 76079;
  o.status_mix = {{200, 64971}, {500, 10714}, {301, 271}, {304, 92}, {404, 26}, {400, 2}, {302, 2}, {405, 1}};
  o.exact_mix = true;
  return o;
}

Generator::Generator(Options options) : options_(std::move(options)) {
  uint64_t s = options_.seed;
  for (uint64_t& word : state_) word = splitmix(s);
  double total = 0;
  for (const auto& [status, weight] : options_.status_mix) {
    cumulative_weights_.push_back(total += weight);
    remaining_counts_.push_back(static_cast<uint64_t>(weight));
  }
}

// xoshiro256**
uint64_t Generator::random() noexcept {
  const uint64_t result = ((state_[1] * 5) << 7 | (state_[1] * 5) >> 57) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = (state_[3] << 45) | (state_[3] >> 19);
  return result;
}

int Generator::pick_status() noexcept {
  if (options_.exact_mix) {
    uint64_t left = 0;
    for (uint64_t n : remaining_counts_) left += n;
    if (left > 0) {
      uint64_t r = below(left);
      for (size_t i = 0; i < remaining_counts_.size(); ++i) {
        if (r < remaining_counts_[i]) {
          --remaining_counts_[i];
          return options_.status_mix[i].first;
        }
        r -= remaining_counts_[i];
      }
    }
  }
  const double total = cumulative_weights_.back();
  const double r = static_cast<double>(random() >> 11) * (1.0 / 9007199254740992.0) * total;
  for (size_t i = 0; i < cumulative_weights_.size(); ++i) {
    if (r < cumulative_weights_[i]) return options_.status_mix[i].first;
  }
  return options_.status_mix.back().first;
}

void Generator::append_host(std::string& out) {
  if (quirk(Quirk::kIpv6, 40)) {
    out += "2001:db8:";
    for (int i = 0; i < 3; ++i) {
      char group[8];
      std::snprintf(group, sizeof group, "%x:", static_cast<unsigned>(below(65536)));
      out += group;
    }
    out += "1";
    return;
  }
  if (quirk(Quirk::kHostnames, 40)) {
    out += "host-";
    append_number(out, below(1000));
    out += ".example.net";
    return;
  }
  for (int i = 0; i < 4; ++i) {
    if (i) out += '.';
    append_number(out, i == 0 ? 1 + below(223) : below(256));
  }
}

void Generator::append_time(std::string& out) {
  clock_ += static_cast<int64_t>(below(3));
  int offset_minutes = 0;
  if (options_.quirks & static_cast<uint32_t>(Quirk::kBothTimezones) && chance(500)) {
    offset_minutes = (static_cast<int>(below(25)) - 12) * 60;
  } else {
    const std::string& tz = options_.timezone;
    if (tz.size() == 5) {
      offset_minutes = ((tz[1] - '0') * 10 + (tz[2] - '0')) * 60 + (tz[3] - '0') * 10 + (tz[4] - '0');
      if (tz[0] == '-') offset_minutes = -offset_minutes;
    }
  }
  const time_t local = static_cast<time_t>(clock_ + offset_minutes * 60);
  struct tm t {};
  gmtime_r(&local, &t);
  append_two(out, t.tm_mday);
  out += '/';
  out += kMonths[t.tm_mon];
  out += '/';
  append_number(out, static_cast<uint64_t>(t.tm_year + 1900));
  out += ':';
  append_two(out, t.tm_hour);
  out += ':';
  append_two(out, t.tm_min);
  out += ':';
  append_two(out, t.tm_sec);
  out += ' ';
  out += offset_minutes < 0 ? '-' : '+';
  const int abs_minutes = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  append_two(out, abs_minutes / 60);
  append_two(out, abs_minutes % 60);
}

void Generator::append_request(std::string& out) {
  out += kMethods[below(std::size(kMethods))];
  out += ' ';
  out += kPaths[below(std::size(kPaths))];
  if (chance(300)) {
    out += "?id=";
    append_number(out, below(100000));
  }
  if (quirk(Quirk::kEscapedQuotes, 30))
    out += options_.format == "nginx" ? "?q=\\x22hi\\x22" : "?q=\\\"hi\\\"\\\\";
  if (quirk(Quirk::kSpacesInUri, 20)) out += "/my documents/file name.pdf";
  if (quirk(Quirk::kLongRequest, 5)) {
    out += "?payload=";
    const uint64_t length = 2048 + below(6144);
    for (uint64_t i = 0; i < length; ++i) out += static_cast<char>('a' + below(26));
  }
  out += chance(900) ? " HTTP/1.1" : " HTTP/1.0";
}

void Generator::append_agent(std::string& out) {
  out += kAgents[below(std::size(kAgents))];
  if (quirk(Quirk::kNul, 20)) out += std::string_view("\0nul", 4);
  if (quirk(Quirk::kInvalidUtf8, 20)) out += "\xff\xfe\xc3";
  if (quirk(Quirk::kEscapedQuotes, 20) && options_.format != "nginx") out += " \\\"quoted\\\"";
}

void Generator::append_junk(std::string& out) {
  switch (below(4)) {
    case 0:  // a TLS handshake sent to a plain-text port, as httpd logs it
      out += "203.0.113.9 - - [20/May/2015:12:00:00 +0000] \"\\x16\\x03\\x01\\x02\" 400 226";
      break;
    case 1:  // a half line from a killed writer
      out += "198.51.100.7 - - [20/May/2015:12:00:0";
      break;
    case 2:  // free text
      out += "Lorem ipsum 200 dolor sit amet";
      break;
    default:  // binary-looking bytes with numbers that look like statuses
      out += std::string_view("\x01\x02 404 \x7f\x00 x 999 ", 16);
      break;
  }
}

bool Generator::next_line(std::string& out) {
  if (options_.max_lines && lines_ >= options_.max_lines) return false;
  const size_t start = out.size();
  const bool combined = options_.format != "common";
  if (quirk(Quirk::kEmptyLines, 10)) {
    // nothing: an empty line
  } else if (quirk(Quirk::kJunk, 20)) {
    append_junk(out);
  } else {
    if (options_.format == "vhost_combined") {
      out += "www.example.com:";
      out += chance(500) ? "443 " : "80 ";
    }
    append_host(out);
    out += " - ";
    out += chance(50) ? "frank" : "-";
    out += " [";
    append_time(out);
    out += "] \"";
    append_request(out);
    out += "\" ";
    append_number(out, static_cast<uint64_t>(pick_status()));
    out += ' ';
    if (options_.format != "nginx" && quirk(Quirk::kDashSize, 50)) {
      out += '-';
    } else {
      append_number(out, below(50000));
    }
    if (combined) {
      out += " \"";
      out += kReferers[below(std::size(kReferers))];
      out += "\" \"";
      append_agent(out);
      out += '"';
      if (quirk(Quirk::kExtraFields, 30)) out += " 0.004 \"10.0.0.1\"";
    }
  }
  ++lines_;
  const bool last = options_.max_lines && lines_ == options_.max_lines;
  if (!(last && (options_.quirks & static_cast<uint32_t>(Quirk::kNoFinalNewline)))) {
    if (quirk(Quirk::kCrlf, 100)) {
      out += "\r\n";
    } else if (quirk(Quirk::kLoneCr, 10)) {
      out += '\r';
    } else {
      out += '\n';
    }
  }
  const size_t added = out.size() - start;
  if (options_.max_bytes && bytes_ + added > options_.max_bytes) {
    out.resize(start);
    --lines_;
    return false;
  }
  bytes_ += added;
  return true;
}

}  // namespace logstream::loggen
