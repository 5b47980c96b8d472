// `dbgsim options STRING [--client|--server]`: parses a transport string and prints its fields as
// JSON. Without a flag the side is read from the string's keys (protocol::detect_side), and the
// output says which side was read and why.
#include "cli/commands.hpp"
#include "protocol/transport.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <variant>

namespace dbgsim::cli {
namespace {

struct options_args {
  std::string text;
  bool client = false;
  bool server = false;
};

nlohmann::ordered_json to_json(const protocol::transport_options& o) {
  nlohmann::ordered_json j;
  j["transport"] = std::string(protocol::name_of(o.kind));
  j["side"] = o.side == protocol::options_side::server ? "server" : "client";
  auto put = [&](const char* key, const auto& field) {
    if (field)
      j[key] = *field;
  };
  put("proto", o.proto);
  put("certuser", o.certuser);
  put("machuser", o.machuser);
  put("server", o.server);
  put("clicon", o.clicon);
  put("port", o.port);
  put("port_high", o.port_high);
  put("com_port", o.com_port);
  put("pipe", o.pipe);
  put("baud", o.baud);
  put("channel", o.channel);
  put("password", o.password);
  put("ipversion", o.ipversion);
  if (o.hidden)
    j["hidden"] = true;
  if (o.icf_enable)
    j["icf_enable"] = true;
  j["canonical"] = protocol::to_string(o);
  j["endpoint"] = protocol::endpoint_of(o);
  return j;
}

// A line of blanks that puts a caret under byte `offset` of `text` (tabs kept, UTF-8
// continuation bytes skipped, so the caret lines up in a terminal).
std::string caret_line(const std::string& text, std::size_t offset) {
  std::string line;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\t')
      line += '\t';
    else if ((c & 0xC0) != 0x80)
      line += ' ';
  }
  line += '^';
  return line;
}

int run_options(const options_args& args) {
  protocol::side_reading reading;
  if (args.client)
    reading = {protocol::options_side::client, "given by --client"};
  else if (args.server)
    reading = {protocol::options_side::server, "given by --server"};
  else
    reading = protocol::detect_side(args.text);
  const char* side_name = reading.side == protocol::options_side::client ? "client" : "server";
  auto result = protocol::parse_transport(args.text, reading.side);
  if (auto* err = std::get_if<protocol::options_error>(&result)) {
    std::cerr << "options: error at byte " << err->offset << ": " << err->message << '\n'
              << "  " << args.text << '\n'
              << "  " << caret_line(args.text, err->offset) << '\n'
              << "  (read as the " << side_name << " side: " << reading.reason << ")\n";
    return exit_bad_input;
  }
  auto j = to_json(std::get<protocol::transport_options>(result));
  j["side_reason"] = reading.reason;
  // Invalid UTF-8 in an option value is printed as U+FFFD rather than ending the program.
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  return exit_ok;
}

}  // namespace

command_fn add_options_command(CLI::App& app) {
  auto args = std::make_shared<options_args>();
  auto* sub = app.add_subcommand(
      "options", "Parse a transport option string and print its fields as JSON (exit 2 on error)");
  sub->add_option("STRING", args->text,
                  "The transport string, e.g. tcp:port=5005,password=x; its side is read from its "
                  "keys unless --client or --server says")
      ->required();
  auto* client = sub->add_flag("--client", args->client,
                               "Parse it as the client's ConnectProcessServer form");
  auto* server = sub->add_flag("--server", args->server, "Parse it as the server's dbgsrv -t form");
  client->excludes(server);
  return [args] { return run_options(*args); };
}

}  // namespace dbgsim::cli
