#include "report/results.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <map>
#include <ostream>
#include <set>

namespace dbgsim {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view format_name = "dbgsim-sweep-results";
constexpr std::uint64_t format_version = 1;

// Thrown inside read_results only, so that each check is one line; never escapes it.
struct bad_field {
  results_error error;
};

[[noreturn]] void fail(const std::string& where, const std::string& message) {
  throw bad_field{{where, message}};
}

std::string member(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

// An object's fields, each read once; fields it holds but nobody read are refused by done(), so
// that a misspelt field ("shards") is named rather than silently ignored.
class object_reader {
public:
  object_reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object())
      fail(where_.empty() ? "the document" : where_, "wants an object");
  }
  const json& at(const std::string& key) {
    read_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end())
      fail(member(where_, key), "is missing");
    return *it;
  }
  bool has(const std::string& key) const { return j_.contains(key); }
  std::string path(const std::string& key) const { return member(where_, key); }
  std::uint64_t whole(const std::string& key) {
    const auto& v = at(key);
    if (!v.is_number_unsigned())
      fail(path(key), "wants a whole number, not " + v.dump());
    return v.get<std::uint64_t>();
  }
  std::string text(const std::string& key) {
    const auto& v = at(key);
    if (!v.is_string())
      fail(path(key), "wants a string, not " + v.dump());
    return v.get<std::string>();
  }
  bool flag(const std::string& key) {
    const auto& v = at(key);
    if (!v.is_boolean())
      fail(path(key), "wants true or false, not " + v.dump());
    return v.get<bool>();
  }
  std::vector<std::string> texts(const std::string& key) {
    const auto& v = at(key);
    if (!v.is_array())
      fail(path(key), "wants a list of strings, not " + v.dump());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string())
        fail(fmt::format("{}[{}]", path(key), i), "wants a string, not " + v[i].dump());
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }
  void done() const {
    for (const auto& [key, value] : j_.items())
      if (!read_.contains(key))
        fail(member(where_, key), "is not a field of the format");
  }

private:
  const json& j_;
  std::string where_;
  std::set<std::string> read_;
};

json to_json(const failure_group& g) {
  return json{{"signature", g.signature},
              {"count", g.count},
              {"first_seed", g.first_seed},
              {"first", g.first},
              {"swarm", g.swarm}};
}

failure_group group_from(const json& j, const std::string& where) {
  object_reader o(j, where);
  failure_group g;
  g.signature = o.text("signature");
  if (g.signature.empty())
    fail(o.path("signature"), "is empty");
  g.count = o.whole("count");
  if (g.count == 0)
    fail(o.path("count"), "is 0: a group has at least one seed");
  g.first_seed = o.whole("first_seed");
  g.first = o.text("first");
  g.swarm = o.texts("swarm");
  o.done();
  return g;
}

sweep_result result_from(const json& j) {
  object_reader doc(j, "");
  if (doc.text("format") != format_name)
    fail("format", fmt::format("wants \"{}\"", format_name));
  if (doc.whole("version") != format_version)
    fail("version", fmt::format("wants {} (this dbgsim reads that version only)", format_version));
  sweep_result r;
  r.scenario = doc.text("scenario");
  if (r.scenario.empty())
    fail("scenario", "is empty");

  object_reader opts(doc.at("options"), "options");
  r.mutant = opts.text("mutant");
  r.swarm = opts.flag("swarm");
  if (const auto& m = opts.at("max_steps"); !m.is_null()) {
    if (!m.is_number_unsigned())
      fail("options.max_steps", "wants a whole number or null, not " + m.dump());
    r.max_steps = m.get<std::uint64_t>();
  }
  r.client_libs = opts.texts("client_libs");
  opts.done();

  object_reader seeds(doc.at("seeds"), "seeds");
  r.first = seeds.whole("first");
  r.last = seeds.whole("last");
  if (r.first > r.last)
    fail("seeds.last", fmt::format("is {}, below seeds.first {}", r.last, r.first));
  seeds.done();

  object_reader shard(doc.at("shard"), "shard");
  r.shard_index = shard.whole("index");
  r.shard_count = shard.whole("count");
  if (r.shard_count == 0)
    fail("shard.count", "is 0");
  if (r.shard_index == 0 || r.shard_index > r.shard_count)
    fail("shard.index", fmt::format("is {}, not in 1..{}", r.shard_index, r.shard_count));
  shard.done();

  r.runs = doc.whole("runs");
  if (r.runs != r.seed_count())
    fail("runs", fmt::format("is {}, but seeds {}..{} shard {}/{} are {} seeds", r.runs, r.first,
                             r.last, r.shard_index, r.shard_count, r.seed_count()));
  r.failed = doc.whole("failed");
  if (r.failed > r.runs)
    fail("failed", fmt::format("is {}, more than the {} runs", r.failed, r.runs));

  const auto& groups = doc.at("groups");
  if (!groups.is_array())
    fail("groups", "wants a list, not " + groups.dump());
  std::uint64_t in_groups = 0;
  std::set<std::string> signatures;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto where = fmt::format("groups[{}]", i);
    auto g = group_from(groups[i], where);
    if (!r.has_seed(g.first_seed))
      fail(where + ".first_seed", fmt::format("is {}, which this shard did not run", g.first_seed));
    if (!r.groups.empty() && g.first_seed <= r.groups.back().first_seed)
      fail(where + ".first_seed", "is not after the previous group's: groups are in seed order");
    if (!signatures.insert(g.signature).second)
      fail(where + ".signature", "\"" + g.signature + "\" is another group's too");
    in_groups += g.count;
    r.groups.push_back(std::move(g));
  }
  if (in_groups != r.failed)
    fail("groups", fmt::format("count {} seeds, but failed is {}", in_groups, r.failed));

  object_reader timings(doc.at("timings"), "timings");
  const auto& wall = timings.at("wall_seconds");
  if (!wall.is_number() || wall.get<double>() < 0)
    fail("timings.wall_seconds", "wants a number of seconds, not " + wall.dump());
  r.wall_seconds = wall.get<double>();
  r.jobs = timings.whole("jobs");
  timings.done();
  doc.done();
  return r;
}

}  // namespace

std::uint64_t sweep_result::seed_count() const {
  const auto start = first_seed();
  if (start < first || start > last)  // `start < first`: first + I - 1 wrapped past 2^64.
    return 0;
  return (last - start) / shard_count + 1;
}

bool sweep_result::has_seed(std::uint64_t seed) const {
  return seed >= first_seed() && seed <= last && seed_count() != 0 &&
         (seed - first_seed()) % shard_count == 0;
}

void write_results(std::ostream& out, const sweep_result& r) {
  json groups = json::array();
  for (const auto& g : r.groups)
    groups.push_back(to_json(g));
  const json doc{
      {"format", format_name},
      {"version", format_version},
      {"scenario", r.scenario},
      {"options",
       {{"mutant", r.mutant},
        {"swarm", r.swarm},
        {"max_steps", r.max_steps ? json(*r.max_steps) : json(nullptr)},
        {"client_libs", r.client_libs}}},
      {"seeds", {{"first", r.first}, {"last", r.last}}},
      {"shard", {{"index", r.shard_index}, {"count", r.shard_count}}},
      {"runs", r.runs},
      {"failed", r.failed},
      {"groups", groups},
      {"timings", {{"wall_seconds", r.wall_seconds}, {"jobs", r.jobs}}},
  };
  // Invalid UTF-8 from a scenario file becomes U+FFFD rather than an exception.
  out << doc.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

std::variant<sweep_result, results_error> read_results(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    // Without nlohmann's "[json.exception.parse_error.101] " tag; the rest names line and column.
    if (auto tag = what.find("] "); tag != std::string::npos)
      what = what.substr(tag + 2);
    return results_error{fmt::format("byte {}", e.byte), "not JSON: " + what};
  }
  try {
    return result_from(j);
  } catch (const bad_field& e) {
    return e.error;
  }
}

}  // namespace dbgsim
