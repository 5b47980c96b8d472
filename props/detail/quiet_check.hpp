// Running a property with RapidCheck's engine but without its printing: both properties of
// props/ (the lifecycle and a client program) report their results themselves, to `dbgsim prop`
// and to the tests.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <string>

namespace dbgsim::props::detail {

/// Keeps RapidCheck quiet: results are reported by the caller, not printed to stderr.
class silent_listener : public rc::detail::TestListener {
public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

/// How much to check: RapidCheck's seed, passing cases needed, largest size, and whether to
/// shrink a failure.
struct check_size {
  std::uint64_t seed = 1;
  int cases = 1000;
  int max_size = 60;
  bool shrink = true;
};

/// Checks `property` (a callable RapidCheck turns into a property) silently.
template <class Property>
rc::detail::TestResult check_quietly(Property&& property, const std::string& id,
                                     const std::string& description, const check_size& size) {
  rc::detail::TestParams params;
  params.seed = size.seed;
  params.maxSuccess = size.cases;
  params.maxSize = size.max_size;
  params.maxDiscardRatio = 10;
  params.disableShrinking = !size.shrink;
  rc::detail::TestMetadata metadata;
  metadata.id = id;
  metadata.description = description;
  silent_listener listener;
  // No reproduce map: the global configuration (RC_PARAMS) is for the tests, not for this runner.
  return rc::detail::checkProperty(rc::detail::toProperty(std::forward<Property>(property)),
                                   metadata, params, listener, {});
}

}  // namespace dbgsim::props::detail
