// `dbgsim connect OPTIONS [CALL...]`: a live engine that connects to a real process server (a
// `dbgsim serve`, or anything speaking docs/protocol.md), makes the calls in order, and prints
// each result, so that a person can poke a server by hand. OPTIONS is ConnectProcessServer's
// string; each CALL is an API call's name with its argument after ':' (live/engine_calls.hpp),
// through the handle of the latest connect.
#include "cli/commands.hpp"
#include "live/engine_calls.hpp"
#include "live/engine_host.hpp"
#include "live/runtime.hpp"
#include "protocol/transport.hpp"

#include <asio/ip/tcp.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dbgsim::cli {
namespace {

struct connect_args {
  std::string options;
  std::vector<std::string> calls;
  bool verbose = false;
};

// The endpoint a route goes to: its `server=` resolved, and the port of its endpoint ("tcp:N").
// The engine reads a loopback `server=` (127.0.0.1, localhost) as its own machine, "local".
std::optional<asio::ip::tcp::endpoint> resolve(asio::io_context& io, const route& r) {
  if (!r.endpoint.view().starts_with("tcp:"))
    return std::nullopt;
  const auto port = static_cast<std::uint16_t>(std::stoul(r.endpoint.str().substr(4)));
  if (r.server_machine == "local")
    return asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port);
  std::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  auto found = resolver.resolve(r.server_machine, std::to_string(port), ec);
  if (ec || found.empty())
    return std::nullopt;
  return found.begin()->endpoint();
}

int run_connect(const connect_args& args) {
  auto parsed = protocol::parse_client_options(args.options);
  if (auto* err = std::get_if<protocol::options_error>(&parsed)) {
    std::cerr << "connect: OPTIONS: error at byte " << err->offset << ": " << err->message << '\n';
    return exit_bad_input;
  }
  const auto& o = std::get<protocol::transport_options>(parsed);
  if (o.kind != protocol::transport_kind::tcp || o.clicon) {
    std::cerr << "connect: OPTIONS: live mode speaks tcp only (no clicon, ssl, npipe or com)\n";
    return exit_bad_input;
  }
  // Every CALL is checked before anything is sent, so a typo costs no connection.
  for (std::size_t i = 0; i < args.calls.size(); ++i) {
    auto c = live::parse_call_spec(args.calls[i], 0);
    if (auto* err = std::get_if<live::call_spec_error>(&c)) {
      std::cerr << "connect: CALL " << i + 1 << " '" << args.calls[i] << "': " << err->message
                << '\n';
      return exit_bad_input;
    }
  }
  live::runtime rt(1.0);
  if (args.verbose)
    rt.log_to(&std::cerr);
  machine local("local");
  engine_config config;
  config.name = "connect";
  config.machine = "local";
  live::engine_host_options ho;
  ho.where = [&](const route& r) { return resolve(rt.context(), r); };
  live::engine_host engine(rt, config, local, ho);

  std::vector<std::string> texts{"connect:" + args.options};
  texts.insert(texts.end(), args.calls.begin(), args.calls.end());
  std::uint64_t handle = 0;
  bool failed = false;
  for (const auto& text : texts) {
    auto c = std::get<api::call>(live::parse_call_spec(text, handle));
    const auto bound = api::bound_of(c, config.times);
    std::optional<api::result> got;
    engine.call(c, [&](const api::result& r) { got = r; });
    // S15 bounds every call; a little more than the bound is the run's own deadline.
    if (!rt.run_until([&] { return got.has_value(); }, rt.real(bound) + std::chrono::seconds(2))) {
      std::cerr << "connect: " << text << " did not complete within its bound ("
                << std::chrono::duration_cast<std::chrono::milliseconds>(bound).count()
                << " ms): the engine broke S15\n";
      return exit_failed;
    }
    std::cout << live::result_line(text, *got) << '\n' << std::flush;
    failed = failed || got->hr.failed();
    if (api::kind_of(c) == api::call_kind::connect) {
      if (got->hr.failed()) {
        if (texts.size() > 1 && &text == &texts.front())
          std::cerr << "connect: no connection, so the calls after it were not made\n";
        return exit_failed;
      }
      handle = got->handle;
    }
  }
  return failed ? exit_failed : exit_ok;
}

}  // namespace

command_fn add_connect_command(CLI::App& app) {
  auto args = std::make_shared<connect_args>();
  auto* sub = app.add_subcommand(
      "connect",
      "Connect a live engine to a real process server, make CALLs in order and print each result "
      "(exit 1 if any failed, 2 for a bad OPTIONS or CALL)");
  sub->add_option("OPTIONS", args->options,
                  "ConnectProcessServer's string, e.g. tcp:server=127.0.0.1,port=5005,password=s3cret")
      ->required();
  sub->add_option("CALL", args->calls,
                  "An API call (dbgsim list calls) with its argument after ':': connect:OPTIONS, "
                  "disconnect, end_server, list_processes[:MAX], find_process:EXE, "
                  "describe_process:PID, attach:PID, create_process:COMMAND_LINE, detach:PID, "
                  "terminate:PID, detach_all, terminate_all, end_session[:MODE], "
                  "process_options:detach_on_exit|none, wait_server_end:MS; calls through a "
                  "handle use the latest connect's");
  sub->add_flag("--verbose", args->verbose, "Log connections on stderr");
  return [args] { return run_connect(*args); };
}

}  // namespace dbgsim::cli
