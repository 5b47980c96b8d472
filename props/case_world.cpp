#include "props/case_world.hpp"

#include <ostream>

namespace dbgsim::props {

topology to_topology(const case_world& w) {
  topology t;
  link_params lp;
  lp.latency = w.latency;
  lp.jitter = w.jitter;
  for (const auto& s : w.servers) {
    t.machines.push_back({s.name, s.processes});
    std::string listen = (s.clicon ? "tcp:clicon=" + w.engines.front().name + ",port="
                                   : std::string("tcp:port=")) +
                         std::to_string(case_port);
    if (!s.password.empty())
      listen += ",password=" + s.password;
    t.servers.push_back({s.name, "", listen, sim_time{0}});
  }
  for (const auto& e : w.engines) {
    t.machines.push_back({e.name, e.processes});
    t.engines.push_back({e.name, "", e.mode, e.detach_on_exit, e.protocol_version});
    for (const auto& s : w.servers)
      t.links.push_back({e.name, s.name, lp, lp});
  }
  return t;
}

rc::Gen<case_world> gen_case_world(int max_engines, int max_servers) {
  // Sized at 100 so that every shape is as likely in the first cases as in the last.
  return rc::gen::resize(100, rc::gen::exec([=] {
    case_world w;
    const int engines = *rc::gen::inRange(1, max_engines + 1);
    const int servers = *rc::gen::inRange(1, max_servers + 1);
    for (int i = 0; i < servers; ++i) {
      case_server s;
      s.name = "s" + std::to_string(i + 1);
      // Most servers ask for a password, so that wrong and missing ones are refused (S4, S14).
      if (*rc::gen::inRange(0, 4) != 0)
        s.password = "pw" + std::to_string(i + 1);
      s.processes = {{4242, "notepad.exe", "Notepad", {}}, {4343, "calc.exe", "Calc", {}}};
      if (*rc::gen::arbitrary<bool>())
        s.processes.push_back({4444, "notepad.exe", "Notepad 2", {}});
      // Now and then the last server is a reverse-connection one (S16).
      s.clicon = i > 0 && i + 1 == servers && *rc::gen::inRange(0, 3) == 0;
      w.servers.push_back(std::move(s));
    }
    for (int i = 0; i < engines; ++i) {
      case_engine e;
      e.name = "e" + std::to_string(i + 1);
      e.mode = *rc::gen::element(disconnect_mode::async, disconnect_mode::sync);
      e.detach_on_exit = *rc::gen::arbitrary<bool>();
      e.processes = {{7000, "cmd.exe", "Command prompt", {}}};
      // Now and then a later engine speaks another remoting protocol version (S4).
      if (i > 0 && *rc::gen::inRange(0, 6) == 0)
        e.protocol_version = protocol::protocol_version + 1;
      w.engines.push_back(std::move(e));
    }
    w.latency = std::chrono::milliseconds(*rc::gen::inRange(0, 60));
    w.jitter = std::chrono::milliseconds(*rc::gen::inRange(0, 20));
    return w;
  }));
}

void showValue(const case_world& w, std::ostream& os) {
  os << "world{engines:";
  for (const auto& e : w.engines)
    os << ' ' << e.name << (e.mode == disconnect_mode::sync ? "(sync" : "(async")
       << (e.detach_on_exit ? ",detach-on-exit" : "")
       << (e.protocol_version != protocol::protocol_version
               ? ",version " + std::to_string(e.protocol_version) + ")"
               : ")");
  os << "; servers:";
  for (const auto& s : w.servers)
    os << ' ' << s.name << (s.password.empty() ? "(no password" : "(password " + s.password)
       << (s.clicon ? ", clicon)" : ")");
  os << "; latency " << w.latency.count() / 1000 << "ms jitter " << w.jitter.count() / 1000
     << "ms}";
}

}  // namespace dbgsim::props
