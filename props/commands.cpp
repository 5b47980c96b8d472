#include "props/commands.hpp"

#include "props/harness.hpp"

#include <ostream>

namespace dbgsim::props {

namespace {

const char* name_of(direction d) {
  switch (d) {
    case direction::both: return "both ways";
    case direction::to_server: return "engine to server";
    case direction::to_engine: return "server to engine";
  }
  return "?";
}

void show_handle(const op& o, std::ostream& os) {
  switch (o.hp) {
    case handle_pick::issued: os << "handle #" << o.index; break;
    case handle_pick::zero: os << "handle 0"; break;
    case handle_pick::random: os << "handle 0x" << std::hex << o.literal << std::dec; break;
    case handle_pick::foreign: os << "another engine's handle #" << o.index; break;
  }
}

rc::Gen<handle_pick> gen_pick(bool zero_is_useful) {
  return rc::gen::weightedOneOf<handle_pick>({
      {12, rc::gen::just(handle_pick::issued)},
      {zero_is_useful ? 3u : 1u, rc::gen::just(handle_pick::zero)},
      {1, rc::gen::just(handle_pick::random)},
      {1, rc::gen::just(handle_pick::foreign)},
  });
}

/// One of `choices`, each as likely as its weight (of `total`); called inside rc::gen::exec.
op weighted_pick(const std::vector<std::pair<std::size_t, rc::Gen<op>>>& choices,
                 std::size_t total) {
  auto pick = *rc::gen::inRange<std::size_t>(0, total);
  for (const auto& [weight, g] : choices) {
    if (pick < weight)
      return *g;
    pick -= weight;
  }
  return *choices.back().second;
}

}  // namespace

std::vector<op_kind> generated_kinds() {
  std::vector<op_kind> v;
  for (std::size_t i = 0; i < value_count<op_kind>; ++i)
    if (static_cast<op_kind>(i) != op_kind::check)
      v.push_back(static_cast<op_kind>(i));
  return v;
}

void histogram::add(const histogram& other) {
  for (const auto& [k, n] : other.ops)
    ops[k] += n;
  for (const auto& [k, n] : other.met)
    met[k] += n;
  for (const auto& [k, n] : other.met_calls)
    met_calls[k] += n;
}

void histogram::print(std::ostream& os) const {
  long long total = 0;
  for (const auto& [k, n] : ops)
    total += n;
  os << "operations generated (" << total << "):\n";
  for (auto k : generated_kinds()) {
    const std::string name(dbgsim::name_of(k));
    auto i = ops.find(name);
    os << "  " << name << ' ' << (i == ops.end() ? 0 : i->second) << '\n';
  }
  for (const auto& [k, n] : ops)
    if (k.find(' ') != std::string::npos)
      os << "  " << k << ' ' << n << '\n';
  os << "met calls in flight (commands / calls):\n";
  for (const auto& [k, n] : met) {
    auto c = met_calls.find(k);
    os << "  " << k << ' ' << n << " / " << (c == met_calls.end() ? 0 : c->second) << '\n';
  }
  for (const auto& [k, n] : met_calls)
    if (met.count(k) == 0)
      os << "  " << k << ": " << n << " calls\n";
}

void show(const op& o, std::ostream& os) {
  const std::string e = "e" + std::to_string(o.engine + 1);
  const std::string s = "s" + std::to_string(o.server + 1);
  const char* nw = o.nowait ? " without waiting" : "";
  switch (o.kind) {
    case op_kind::connect:
      os << e << " connect " << s << " (" << name_of(o.ck) << ")" << nw;
      return;
    case op_kind::find_process:
      os << e << " find_process " << o.exe << (o.only_match ? " (only match) " : " ");
      show_handle(o, os);
      os << nw;
      return;
    case op_kind::reset: os << "reset " << e << " " << s; return;
    case op_kind::half_open:
      os << "half_open " << e << " " << s << " (gone: " << (o.server_gone ? "server" : "engine")
         << ")";
      return;
    case op_kind::crash_engine: os << "crash " << e; return;
    case op_kind::exit_process:
      os << "exit process #" << o.index << " on " << (o.on_engine ? e : s);
      return;
    case op_kind::start_server:
      os << e << " start_server "
         << (o.variant == 0 ? "(a new endpoint)" : o.variant == 1 ? "(the last endpoint again)"
                                                                  : "(malformed)");
      return;
    case op_kind::wait_server_end: os << e << " wait_server_end " << o.timeout_ms << "ms"; return;
    case op_kind::disconnect: os << e << " disconnect "; break;
    case op_kind::end_server: os << e << " end_server "; break;
    case op_kind::list_processes: os << e << " list_processes (max " << o.max << ") "; break;
    case op_kind::describe_process: os << e << " describe process #" << o.index << " "; break;
    case op_kind::attach: os << e << " attach process #" << o.index << " "; break;
    case op_kind::create_process: os << e << " create_process "; break;
    case op_kind::detach: os << e << " detach target #" << o.index; return;
    case op_kind::terminate: os << e << " terminate target #" << o.index; return;
    case op_kind::detach_all: os << e << " detach_all"; return;
    case op_kind::terminate_all: os << e << " terminate_all"; return;
    case op_kind::end_session: os << e << " end_session " << api::name_of(o.mode); return;
    case op_kind::process_options:
      os << e << " detach_on_exit " << (o.on ? "on" : "off");
      return;
    case op_kind::partition: os << "partition " << e << " " << s << " " << name_of(o.dir); return;
    case op_kind::heal: os << "heal " << e << " " << s << " " << name_of(o.dir); return;
    case op_kind::set_link:
      os << "set_link " << e << " " << s << " " << name_of(o.dir) << " latency "
         << o.params.latency.count() / 1000 << "ms jitter " << o.params.jitter.count() / 1000
         << "ms loss " << o.params.loss << " duplicate " << o.params.duplicate;
      return;
    case op_kind::crash_server: os << "crash " << s; return;
    case op_kind::restart_server: os << "restart " << s; return;
    case op_kind::advance: os << "advance " << o.span.count() / 1000 << "ms"; return;
    default: os << e << " " << dbgsim::name_of(o.kind); return;  // Actions it does not generate.
  }
  show_handle(o, os);
  os << nw;
}

shape initial_shape(const case_world& w) {
  shape s;
  s.engines = w.engines.size();
  s.servers = w.servers.size();
  s.crashed.assign(s.servers, false);
  return s;
}

void step_command::checkPreconditions(const shape& s) const {
  RC_PRE(op_.engine < s.engines && op_.server < s.servers);
  if (op_.kind == op_kind::restart_server)
    RC_PRE(s.crashed[op_.server]);
  if (op_.kind == op_kind::crash_server)
    RC_PRE(!s.crashed[op_.server]);
}

void step_command::apply(shape& s) const {
  s.hot = op_.nowait;
  s.hot_engine = op_.engine;
  s.hot_server = op_.server;
  s.hot_index = op_.index;
  if (op_.kind == op_kind::crash_server)
    s.crashed[op_.server] = true;
  if (op_.kind == op_kind::restart_server)
    s.crashed[op_.server] = false;
}

void step_command::run(const shape&, harness& h) const {
  if (auto failure = h.execute(op_))
    RC_FAIL(*failure);
}

void step_command::show(std::ostream& os) const { props::show(op_, os); }

rc::Gen<op> gen_op(const shape& s) {
  const int engines = static_cast<int>(s.engines);
  const int servers = static_cast<int>(s.servers);
  const bool hot = s.hot && s.hot_engine < s.engines && s.hot_server < s.servers;
  const auto hot_engine = s.hot_engine, hot_server = s.hot_server, hot_index = s.hot_index;
  auto base = [=](op_kind k) {
    op o;
    o.kind = k;
    o.engine = static_cast<std::size_t>(*rc::gen::inRange(0, engines));
    o.server = static_cast<std::size_t>(*rc::gen::inRange(0, servers));
    // After a call started without waiting, most commands aim where it is in flight.
    if (hot && *rc::gen::inRange(0, 4) != 0) {
      o.engine = hot_engine;
      o.server = hot_server;
      o.index = hot_index;
    }
    return o;
  };
  auto handle_op = [=](op_kind k, bool zero_useful, bool may_not_wait = false) {
    return rc::gen::exec([=] {
      op o = base(k);
      // A third of the calls that may are started without waiting, so that what comes next
      // (a disconnect, a reset, a crash, a fault) meets them in flight.
      o.nowait = may_not_wait && *rc::gen::inRange(0, 3) == 0;
      o.exe = *rc::gen::element<std::string>("notepad.exe", "calc.exe", "cmd.exe", "nosuch.exe");
      o.only_match = *rc::gen::arbitrary<bool>();
      o.hp = *gen_pick(zero_useful);
      if (!(hot && o.engine == hot_engine && o.index == hot_index))
        o.index = static_cast<std::size_t>(*rc::gen::inRange(0, 4));
      o.literal = 0x8000000000000000ull | *rc::gen::inRange<std::uint64_t>(1, 1u << 20);
      o.max = *rc::gen::element<std::uint32_t>(64, 64, 1, 2);
      return o;
    });
  };
  auto target_op = [=](op_kind k) {
    return rc::gen::exec([=] {
      op o = base(k);
      o.index = static_cast<std::size_t>(*rc::gen::inRange(0, 4));
      return o;
    });
  };
  auto link_op = [=](op_kind k) {
    return rc::gen::exec([=] {
      op o = base(k);
      o.dir = *rc::gen::element(direction::both, direction::both, direction::to_server,
                                direction::to_engine);
      if (k == op_kind::set_link) {
        const int kind = *rc::gen::inRange(0, 6);
        o.params.latency = std::chrono::milliseconds(*rc::gen::inRange(0, 200));
        o.params.jitter = std::chrono::milliseconds(*rc::gen::inRange(0, 50));
        if (kind == 1)
          o.params.loss = *rc::gen::element(0.1, 0.5, 1.0);
        if (kind == 2)
          o.params.duplicate = *rc::gen::element(0.5, 1.0);
        if (kind == 3)
          o.params.latency = std::chrono::seconds(*rc::gen::inRange(16, 25));  // Past S3's bound.
      }
      return o;
    });
  };
  auto simple = [=](op_kind k) { return rc::gen::exec([=] { return base(k); }); };

  std::vector<std::pair<std::size_t, rc::Gen<op>>> choices = {
      {14, rc::gen::exec([=] {
         op o = base(op_kind::connect);
         o.ck = *rc::gen::weightedOneOf<connect_kind>({
             {12, rc::gen::just(connect_kind::good)},
             {2, rc::gen::just(connect_kind::bad_password)},
             {2, rc::gen::just(connect_kind::no_password)},
             {1, rc::gen::just(connect_kind::malformed)},
             {1, rc::gen::just(connect_kind::wrong_port)},
         });
         o.nowait = *rc::gen::inRange(0, 4) == 0;
         return o;
       })},
      {9, handle_op(op_kind::disconnect, false)},
      {2, handle_op(op_kind::end_server, false)},
      {4, handle_op(op_kind::list_processes, true, true)},
      {3, handle_op(op_kind::describe_process, true, true)},
      {3, handle_op(op_kind::find_process, true, true)},
      {8, handle_op(op_kind::attach, true)},
      {3, handle_op(op_kind::create_process, true)},
      {4, target_op(op_kind::detach)},
      {2, target_op(op_kind::terminate)},
      {1, simple(op_kind::detach_all)},
      {1, simple(op_kind::terminate_all)},
      {2, rc::gen::exec([=] {
         op o = base(op_kind::end_session);
         o.mode = *rc::gen::element(api::end_mode::passive, api::end_mode::active_detach,
                                    api::end_mode::active_terminate);
         return o;
       })},
      {2, rc::gen::exec([=] {
         op o = base(op_kind::process_options);
         o.on = *rc::gen::arbitrary<bool>();
         return o;
       })},
      {3, link_op(op_kind::partition)},
      {3, link_op(op_kind::heal)},
      {3, link_op(op_kind::set_link)},
      {2, simple(op_kind::reset)},
      {2, rc::gen::exec([=] {
         op o = base(op_kind::half_open);
         o.server_gone = *rc::gen::arbitrary<bool>();
         return o;
       })},
      {1, simple(op_kind::crash_engine)},
      {2, rc::gen::exec([=] {
         op o = base(op_kind::exit_process);
         o.on_engine = *rc::gen::inRange(0, 3) == 0;
         o.index = static_cast<std::size_t>(*rc::gen::inRange(0, 5));
         return o;
       })},
      {1, rc::gen::exec([=] {
         op o = base(op_kind::start_server);
         o.variant = *rc::gen::weightedOneOf<int>(
             {{3, rc::gen::just(0)}, {1, rc::gen::just(1)}, {1, rc::gen::just(2)}});
         return o;
       })},
      {1, rc::gen::exec([=] {
         op o = base(op_kind::wait_server_end);
         o.timeout_ms = *rc::gen::element<std::uint32_t>(0, 100, 1000);
         return o;
       })},
      {2, simple(op_kind::crash_server)},
      {8, simple(op_kind::restart_server)},
      {4, rc::gen::exec([=] {
         op o = base(op_kind::advance);
         o.span = std::chrono::milliseconds(*rc::gen::element(100, 500, 2000, 6000, 12000));
         return o;
       })},
  };
  // Only offer what can run: a restart needs a crashed server.
  bool any_crashed = false;
  for (bool c : s.crashed)
    any_crashed = any_crashed || c;
  if (!any_crashed)
    choices.erase(choices.end() - 2);
  std::size_t total = 0;
  for (const auto& c : choices)
    total += c.first;
  // A weighted choice over a list built at run time (weightedOneOf takes a fixed list). Sized
  // at 100 because RapidCheck scales integer ranges by size: every command, argument and index
  // must be reachable from the first case on; the sequence's length still grows with size.
  // After a call started without waiting, half the time the next command is one of the causes
  // the rules name for calls in flight (S6, S8, S9, S19, crashes).
  std::vector<rc::Gen<op>> causes = {
      handle_op(op_kind::disconnect, false), handle_op(op_kind::end_server, false),
      link_op(op_kind::partition),           link_op(op_kind::set_link),
      simple(op_kind::reset),                simple(op_kind::reset),
      rc::gen::exec([=] {
        op o = base(op_kind::half_open);
        o.server_gone = *rc::gen::arbitrary<bool>();
        return o;
      }),
      simple(op_kind::crash_engine),
  };
  if (!s.crashed.empty() && hot_server < s.crashed.size() && !s.crashed[hot_server])
    causes.push_back(simple(op_kind::crash_server));
  if (hot)
    return rc::gen::resize(100, rc::gen::exec([choices, total, causes] {
      if (*rc::gen::arbitrary<bool>())
        return *causes[*rc::gen::inRange<std::size_t>(0, causes.size())];
      return weighted_pick(choices, total);
    }));
  return rc::gen::resize(100,
                         rc::gen::exec([choices, total] { return weighted_pick(choices, total); }));
}

rc::Gen<std::shared_ptr<const step_command::CommandType>> gen_command(const shape& s) {
  return rc::gen::map(gen_op(s), [](const op& o) {
    return std::shared_ptr<const step_command::CommandType>(std::make_shared<step_command>(o));
  });
}

}  // namespace dbgsim::props
