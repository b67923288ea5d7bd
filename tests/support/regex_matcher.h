// std::regex (ECMAScript) over a plan's patterns: the slow, obvious PatternMatcher the reference
// interpreter runs RLIKE and regexp_extract with in tests. Shares nothing with the engine's Hyperscan.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "stages/query/analyzer.h"
#include "stages/query/evaluate.h"

namespace logstream::test_support {

class RegexMatcher final : public PatternMatcher {
 public:
  explicit RegexMatcher(const LogicalPlan& plan) {
    for (const auto& p : plan.patterns) regexes_.emplace_back(p.regex);
  }
  bool find(uint32_t pattern, std::string_view text) const override {
    return std::regex_search(text.begin(), text.end(), regexes_.at(pattern));
  }
  std::string extract(uint32_t pattern, std::string_view text, int group) const override {
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(text.begin(), text.end(), m, regexes_.at(pattern))) return "";
    return m[static_cast<size_t>(group)].matched ? m[static_cast<size_t>(group)].str() : "";
  }

 private:
  std::vector<std::regex> regexes_;
};

}  // namespace logstream::test_support
