// Writes a scenario as a scenario file (docs/scenario-format.md). The YAML is written by hand so
// that it stays simple, readable and byte-stable: equal scenarios give identical text, and
// load_scenario reads the text back to an equal scenario.
#include "scenario/scenario.hpp"
#include "vocabulary/overloaded.hpp"
#include "scenario_files/writer.hpp"

#include <charconv>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <string_view>

namespace dbgsim {
namespace {

/// Words a YAML reader would take for something other than a string when written plain.
bool reserved_word(std::string_view s) {
  std::string lower;
  for (char c : s)
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (std::string_view w : {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"})
    if (lower == w)
      return true;
  return false;
}

/// A string as a YAML scalar: plain when it is a simple word, double-quoted otherwise.
std::string quote(std::string_view s) {
  bool plain = !s.empty() && !reserved_word(s) &&
               ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_');
  for (char c : s)
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.');
  if (plain)
    return std::string(s);
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through as it is
        }
    }
  }
  return out + "\"";
}

/// A duration in the largest unit that states it exactly ("2s", "1500ms", "250us").
std::string duration(sim_time t) {
  auto us = t.count();
  if (us == 0)
    return "0ms";
  if (us % 60'000'000 == 0)
    return std::to_string(us / 60'000'000) + "m";
  if (us % 1'000'000 == 0)
    return std::to_string(us / 1'000'000) + "s";
  if (us % 1'000 == 0)
    return std::to_string(us / 1'000) + "ms";
  return std::to_string(us) + "us";
}

/// The shortest text that reads back as the same double.
std::string number(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string boolean(bool b) { return b ? "true" : "false"; }

std::string hex64(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string handle(const handle_ref& h) {
  if (!h.name.empty())
    return quote(h.name);
  return h.value > 0xffffffffu ? hex64(h.value) : std::to_string(h.value);
}

std::string pid(const pid_ref& p) {
  return p.name.empty() ? std::to_string(p.value) : quote(p.name);
}

std::string pid_list(const std::vector<std::uint32_t>& pids) {
  std::string out = "[";
  for (std::size_t i = 0; i < pids.size(); ++i)
    out += (i ? ", " : "") + std::to_string(pids[i]);
  return out + "]";
}

/// A flow map `{ k: v, ... }` built field by field.
class flow {
public:
  flow& add(std::string_view key, const std::string& value) {
    text_ += (text_.empty() ? "{ " : ", ") + std::string(key) + ": " + value;
    return *this;
  }
  std::string str() const { return text_.empty() ? "{}" : text_ + " }"; }

private:
  std::string text_;
};

void ends(flow& f, const link_ends& e) {
  if (e.both)
    f.add("between", "[" + quote(e.from) + ", " + quote(e.to) + "]");
  else
    f.add("from", quote(e.from)).add("to", quote(e.to));
}

std::string action_text(const step_action& a) {
  flow f;
  std::visit(
      overloaded{
          [&](const action::connect& x) {
            f.add("engine", quote(x.engine)).add("options", quote(x.options));
            if (!x.as.empty()) f.add("as", quote(x.as));
          },
          [&](const action::disconnect& x) {
            f.add("engine", quote(x.engine)).add("handle", handle(x.handle));
          },
          [&](const action::end_server& x) {
            f.add("engine", quote(x.engine)).add("handle", handle(x.handle));
          },
          [&](const action::list_processes& x) {
            f.add("engine", quote(x.engine)).add("handle", handle(x.handle));
            if (x.pids) f.add("pids", pid_list(*x.pids));
            if (x.max != action::list_processes{}.max) f.add("max", std::to_string(x.max));
          },
          [&](const action::find_process& x) {
            f.add("engine", quote(x.engine))
                .add("handle", handle(x.handle))
                .add("exe", quote(x.exe));
            if (x.only_match) f.add("only_match", "true");
            if (!x.as.empty()) f.add("as", quote(x.as));
          },
          [&](const action::describe_process& x) {
            f.add("engine", quote(x.engine)).add("handle", handle(x.handle)).add("pid", pid(x.pid));
          },
          [&](const action::attach& x) {
            f.add("engine", quote(x.engine)).add("handle", handle(x.handle)).add("pid", pid(x.pid));
          },
          [&](const action::create_process& x) {
            f.add("engine", quote(x.engine))
                .add("handle", handle(x.handle))
                .add("command_line", quote(x.command_line));
            if (!x.as.empty()) f.add("as", quote(x.as));
          },
          [&](const action::detach& x) { f.add("engine", quote(x.engine)).add("pid", pid(x.pid)); },
          [&](const action::terminate& x) {
            f.add("engine", quote(x.engine)).add("pid", pid(x.pid));
          },
          [&](const action::detach_all& x) { f.add("engine", quote(x.engine)); },
          [&](const action::terminate_all& x) { f.add("engine", quote(x.engine)); },
          [&](const action::end_session& x) {
            f.add("engine", quote(x.engine)).add("mode", std::string(api::name_of(x.mode)));
          },
          [&](const action::process_options& x) {
            f.add("engine", quote(x.engine)).add("detach_on_exit", boolean(x.detach_on_exit));
          },
          [&](const action::start_server& x) {
            f.add("engine", quote(x.engine)).add("options", quote(x.options));
          },
          [&](const action::wait_server_end& x) {
            f.add("engine", quote(x.engine)).add("timeout", duration(x.timeout));
          },
          [&](const action::partition& x) { ends(f, x.ends); },
          [&](const action::heal& x) { ends(f, x.ends); },
          [&](const action::reset& x) {
            f.add("between", "[" + quote(x.a) + ", " + quote(x.b) + "]");
          },
          [&](const action::half_open& x) {
            f.add("between", "[" + quote(x.a) + ", " + quote(x.b) + "]")
                .add("gone", x.server_gone ? "server" : "engine");
          },
          [&](const action::set_link& x) {
            ends(f, x.ends);
            if (x.latency) f.add("latency", duration(*x.latency));
            if (x.jitter) f.add("jitter", duration(*x.jitter));
            if (x.loss) f.add("loss", number(*x.loss));
            if (x.duplicate) f.add("duplicate", number(*x.duplicate));
          },
          [&](const action::crash_server& x) {
            f.add("server", quote(x.server));
            if (x.how != action::crash_server{}.how) f.add("how", std::string(name_of(x.how)));
          },
          [&](const action::restart_server& x) { f.add("server", quote(x.server)); },
          [&](const action::crash_engine& x) {
            f.add("engine", quote(x.engine));
            if (x.how != action::crash_engine{}.how) f.add("how", std::string(name_of(x.how)));
          },
          [&](const action::exit_process& x) {
            f.add("machine", quote(x.machine)).add("pid", pid(x.pid));
          },
          [&](const action::check& x) {
            if (!x.server.empty()) f.add("server", quote(x.server));
            if (!x.engine.empty()) f.add("engine", quote(x.engine));
            if (!x.machine.empty()) f.add("machine", quote(x.machine));
            if (x.sessions) f.add("sessions", std::to_string(*x.sessions));
            if (x.attached) f.add("attached", std::to_string(*x.attached));
            if (x.running) f.add("running", boolean(*x.running));
            if (x.handle) f.add("handle", handle(*x.handle));
            if (x.live) f.add("live", boolean(*x.live));
            if (x.handles) f.add("handles", std::to_string(*x.handles));
            if (x.targets) f.add("targets", std::to_string(*x.targets));
            if (x.pids) f.add("pids", pid_list(*x.pids));
          },
      },
      a);
  return f.str();
}

void link_params_text(std::ostream& out, const link_params& p) {
  // Every field is written, so that a direction with no delay and no faults still reads back.
  out << "    latency: " << duration(p.latency) << "\n"
      << "    jitter: " << duration(p.jitter) << "\n"
      << "    loss: " << number(p.loss) << "\n"
      << "    duplicate: " << number(p.duplicate) << "\n";
}

}  // namespace


void write_scenario(std::ostream& out, const scenario& s, const std::string& comment) {
  std::ostringstream o;
  if (!comment.empty()) {
    std::istringstream lines(comment);
    for (std::string line; std::getline(lines, line);)
      o << (line.empty() ? "#" : "# " + line) << "\n";
  }
  o << "name: " << quote(s.name) << "\n";
  if (!s.description.empty())
    o << "description: " << quote(s.description) << "\n";
  if (!s.tags.empty()) {
    o << "tags: [";
    for (std::size_t i = 0; i < s.tags.size(); ++i)
      o << (i ? ", " : "") << quote(s.tags[i]);
    o << "]\n";
  }
  o << "seed: " << s.seed << "\n";

  const auto& t = s.topo.times;
  if (!(t == timing{})) {
    o << "defaults:\n"
      << "  connect_timeout: " << duration(t.connect_timeout) << "\n"
      << "  rpc_timeout: " << duration(t.rpc_timeout) << "\n"
      << "  keepalive: " << duration(t.keepalive) << "\n"
      << "  lease: " << duration(t.lease) << "\n"
      << "  shutdown_grace: " << duration(t.shutdown_grace) << "\n";
  }

  if (!s.topo.machines.empty()) {
    o << "machines:\n";
    for (const auto& m : s.topo.machines) {
      o << "  - name: " << quote(m.name) << "\n";
      if (m.processes.empty())
        continue;
      o << "    processes:\n";
      for (const auto& p : m.processes) {
        flow f;
        f.add("pid", std::to_string(p.pid)).add("exe", quote(p.exe));
        if (!p.description.empty())
          f.add("description", quote(p.description));
        o << "      - " << f.str() << "\n";
      }
    }
  }

  if (!s.topo.servers.empty()) {
    o << "servers:\n";
    for (const auto& sv : s.topo.servers) {
      o << "  - name: " << quote(sv.name) << "\n";
      if (!sv.machine.empty())
        o << "    machine: " << quote(sv.machine) << "\n";
      o << "    listen: " << quote(sv.listen) << "\n";
      if (sv.start.count() != 0)
        o << "    start: " << duration(sv.start) << "\n";
    }
  }

  if (!s.topo.engines.empty()) {
    o << "engines:\n";
    for (const auto& e : s.topo.engines) {
      o << "  - name: " << quote(e.name) << "\n";
      if (!e.machine.empty())
        o << "    machine: " << quote(e.machine) << "\n";
      o << "    disconnect: " << name_of(e.mode) << "\n";
      o << "    detach_on_exit: " << boolean(e.detach_on_exit) << "\n";
      if (e.protocol_version != protocol::protocol_version)
        o << "    protocol_version: " << e.protocol_version << "\n";
    }
  }

  if (!s.topo.links.empty()) {
    o << "links:\n";
    for (const auto& l : s.topo.links) {
      if (l.a_to_b == l.b_to_a) {
        o << "  - between: [" << quote(l.a) << ", " << quote(l.b) << "]\n";
        link_params_text(o, l.a_to_b);
        continue;
      }
      // One direction each; the reverse entry is written only when it differs from a bare link.
      o << "  - from: " << quote(l.a) << "\n    to: " << quote(l.b) << "\n";
      link_params_text(o, l.a_to_b);
      if (!(l.b_to_a == link_params{})) {
        o << "  - from: " << quote(l.b) << "\n    to: " << quote(l.a) << "\n";
        link_params_text(o, l.b_to_a);
      }
    }
  }

  if (!s.clients.empty()) {
    o << "clients:\n";
    for (const auto& c : s.clients) {
      o << "  - name: " << quote(c.name) << "\n";
      o << "    engine: " << quote(c.engine) << "\n";
      o << "    program: " << quote(c.program) << "\n";
      if (!c.args.empty()) {
        o << "    args: [";
        for (std::size_t i = 0; i < c.args.size(); ++i)
          o << (i ? ", " : "") << quote(c.args[i]);
        o << "]\n";
      }
      if (c.start.count() != 0)
        o << "    start: " << duration(c.start) << "\n";
      o << "    timeout: " << duration(c.timeout) << "\n";
      o << "    expect: { findings: [";
      for (std::size_t i = 0; i < c.expect_findings.size(); ++i)
        o << (i ? ", " : "") << name_of(c.expect_findings[i]);
      o << "] }\n";
    }
  }

  if (!s.steps.empty()) {
    o << "steps:\n";
    for (const auto& st : s.steps) {
      o << "  - at: " << duration(st.at) << "\n";
      o << "    " << action_name(st.what) << ": " << action_text(st.what) << "\n";
      if (st.expect)
        o << "    expect: " << protocol::to_string(*st.expect) << "\n";
    }
  }
  out << o.str();
}

}  // namespace dbgsim
