// Runs a RapidCheck property with a fixed number of cases and a reproducible seed, as a
// GoogleTest assertion. The seed is DBGSIM_PROP_SEED if set, else 1, so that a red CI run is red
// again on a developer's machine; DBGSIM_PROP_LONG / DBGSIM_PROP_CASES scale the cases.
#pragma once

#include "props/lifecycle.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdlib>
#include <sstream>
#include <string>

namespace dbgsim::props::testing {

/// The generation seed for every property of this binary.
inline std::uint64_t seed() {
  if (const char* s = std::getenv("DBGSIM_PROP_SEED"); s != nullptr && *s != '\0')
    return std::strtoull(s, nullptr, 10);
  return 1;
}

class quiet_listener : public rc::detail::TestListener {
public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

/// Passes when `property` holds for `cases` generated cases; otherwise fails with RapidCheck's
/// shrunk counterexample.
template <class Property>
::testing::AssertionResult holds(const std::string& name, int cases, Property&& property) {
  rc::detail::TestParams params;
  params.seed = seed();
  params.maxSuccess = default_cases(cases);
  params.maxSize = 100;
  rc::detail::TestMetadata metadata;
  metadata.id = name;
  metadata.description = name;
  quiet_listener listener;
  const auto result = rc::detail::checkProperty(
      rc::detail::toProperty(std::forward<Property>(property)), metadata, params, listener, {});
  rc::detail::SuccessResult ok;
  if (result.match(ok)) {
    if (ok.numSuccess < params.maxSuccess)
      return ::testing::AssertionFailure() << name << ": only " << ok.numSuccess << " cases ran";
    return ::testing::AssertionSuccess();
  }
  std::ostringstream os;
  rc::detail::printResultMessage(result, os);
  return ::testing::AssertionFailure() << name << " (seed " << params.seed << "): " << os.str();
}

}  // namespace dbgsim::props::testing
