// `dbgsim serve OPTIONS --processes FILE`: the reference process server live, on a real TCP port
// (docs/live.md): sessions, leases, the process table of a scenario file's machine, the exit
// policy, EndProcessServer; SIGINT and SIGTERM end it as EndProcessServer does.
#include "cli/commands.hpp"
#include "cli/scenario_files.hpp"
#include "live/server_host.hpp"
#include "protocol/transport.hpp"
#include "scenario/scenario.hpp"

#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace dbgsim::cli {
namespace {

struct serve_args {
  std::string options;
  std::string processes;
  std::string machine;
  std::string bind = "127.0.0.1";
  std::optional<std::uint16_t> port;
  std::string port_file;
  std::string trace;
  std::size_t max_connections = 256;
};

/// The machine of `s` the server runs on: --machine, else its first server's, else its only one.
const machine_spec* pick_machine(const scenario& s, const std::string& wanted, std::string& error) {
  auto find = [&](const std::string& name) -> const machine_spec* {
    for (const auto& m : s.topo.machines)
      if (m.name == name)
        return &m;
    return nullptr;
  };
  std::string names;
  for (const auto& m : s.topo.machines)
    names += (names.empty() ? "" : ", ") + m.name;
  if (!wanted.empty()) {
    if (auto* m = find(wanted))
      return m;
    error = "no machine '" + wanted + "' in the file; its machines are " +
            (names.empty() ? std::string("none") : names);
    return nullptr;
  }
  if (!s.topo.servers.empty()) {
    const auto& srv = s.topo.servers.front();
    if (auto* m = find(srv.machine.empty() ? srv.name : srv.machine))
      return m;
  }
  if (s.topo.machines.size() == 1)
    return &s.topo.machines.front();
  error = s.topo.machines.empty()
              ? "the file lists no machine under `machines:`, so there is no process table"
              : "the file lists machines " + names + ": say which with --machine";
  return nullptr;
}

/// The server's name: the file's server on that machine, else "dbgsrv".
std::string server_name(const scenario& s, const std::string& machine_name) {
  for (const auto& srv : s.topo.servers)
    if ((srv.machine.empty() ? srv.name : srv.machine) == machine_name)
      return srv.name;
  return "dbgsrv";
}

/// Writes `text` to `path` through a temporary file, so a reader never sees half of it.
bool write_whole(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush())
      return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int run_serve(const serve_args& args) {
  auto parsed = protocol::parse_server_options(args.options);
  if (auto* err = std::get_if<protocol::options_error>(&parsed)) {
    std::cerr << "serve: error at byte " << err->offset << " of the options: " << err->message
              << "\n  " << args.options << '\n';
    return exit_bad_input;
  }
  const auto listen = std::get<protocol::transport_options>(parsed);
  if (listen.kind != protocol::transport_kind::tcp) {
    std::cerr << "serve: only tcp is served live, not " << protocol::name_of(listen.kind) << '\n';
    return exit_bad_input;
  }
  if (listen.clicon) {
    std::cerr << "serve: a reverse connection (clicon=) is not served live\n";
    return exit_bad_input;
  }
  if (!listen.port && !args.port) {
    std::cerr << "serve: the options name no port: give port= or --port\n";
    return exit_bad_input;
  }
  std::optional<scenario> file;
  try {
    file = load_file(args.processes);
  } catch (const scenario_error& e) {
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  }
  std::string error;
  const auto* spec = pick_machine(*file, args.machine, error);
  if (spec == nullptr) {
    std::cerr << "serve: " << args.processes << ": " << error << '\n';
    return exit_bad_input;
  }
  machine host(spec->name);
  for (const auto& p : spec->processes)
    host.add(p);

  live::runtime rt;
  rt.log_to(&std::cerr);
  std::ofstream trace;
  if (!args.trace.empty()) {
    trace.open(args.trace, std::ios::trunc);
    if (!trace) {
      std::cerr << "serve: cannot write the trace to " << args.trace << '\n';
      return exit_bad_input;
    }
    rt.trace_to(trace);
  }

  server_config config;
  config.name = server_name(*file, spec->name);
  config.machine = spec->name;
  config.listen = listen;
  config.times = file->topo.times;
  live::server_host_options options;
  options.bind = args.bind;
  options.port = args.port;
  options.max_connections = args.max_connections;
  // A client that keeps its session with a keepalive per half lease is never idle too long.
  options.limits.idle_deadline = std::max<live::real_duration>(
      options.limits.idle_deadline, rt.real(2 * config.times.lease));
  std::unique_ptr<live::server_host> server;
  try {
    server = std::make_unique<live::server_host>(rt, config, host, options);
  } catch (const std::exception& e) {
    std::cerr << "serve: " << e.what() << '\n';
    return exit_bad_input;
  }
  if (!args.port_file.empty() &&
      !write_whole(args.port_file, std::to_string(server->port()) + "\n")) {
    std::cerr << "serve: cannot write the port to " << args.port_file << '\n';
    return exit_bad_input;
  }

  // The first signal ends the server as EndProcessServer does (S8); a second one does not wait
  // for the grace period.
  asio::signal_set signals(rt.context(), SIGINT, SIGTERM);
  int signals_seen = 0;
  bool stop_now = false;
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](const std::error_code& ec, int number) {
      if (ec)
        return;
      ++signals_seen;
      const char* name = number == SIGINT ? "SIGINT" : "SIGTERM";
      if (signals_seen == 1) {
        rt.log(std::string(name) + ": ending the server (shutting-down notices to its sessions)");
        server->end();
      } else {
        rt.log(std::string(name) + " again: ending now");
        stop_now = true;
      }
      wait_signal();
    });
  };
  wait_signal();
  // Looked at ten times a second: the end is not urgent, and an idle server should sleep.
  asio::steady_timer poll(rt.context());
  std::function<void()> watch = [&] {
    poll.expires_after(std::chrono::milliseconds(100));
    poll.async_wait([&](const std::error_code& ec) {
      if (ec)
        return;
      if (stop_now || server->drained())
        return rt.stop();
      watch();
    });
  };
  watch();
  rt.run();
  rt.log(config.name + " ended");
  signals.cancel();
  trace.flush();
  return exit_ok;
}

}  // namespace

command_fn add_serve_command(CLI::App& app) {
  auto args = std::make_shared<serve_args>();
  auto* sub = app.add_subcommand(
      "serve", "Run the reference process server on a real TCP port (docs/live.md); ends on "
               "EndProcessServer, SIGINT or SIGTERM");
  sub->add_option("OPTIONS", args->options,
                  "The dbgsrv -t string, e.g. tcp:port=5005,password=s3cret")
      ->required();
  sub->add_option("--processes", args->processes,
                  "A scenario file whose machine gives the process table (its `defaults:` the "
                  "lease and grace period)")
      ->required();
  sub->add_option("--machine", args->machine,
                  "Which machine of the file (default: its first server's, or its only one)");
  sub->add_option("--bind", args->bind,
                  "The address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 "
                  "serves other hosts)");
  sub->add_option("--port", args->port,
                  "Listen on this port instead of the options' (0: one the system chooses)");
  sub->add_option("--port-file", args->port_file, "Write the port listened on to this file");
  sub->add_option("--trace", args->trace, "Write the server's trace as JSON lines to this file");
  sub->add_option("--max-connections", args->max_connections,
                  "Most connections open at once; more are reset (default 256)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  return [args] { return run_serve(*args); };
}

}  // namespace dbgsim::cli
