// `dbgsim decode FILE|-`: prints each frame of a captured byte stream as one JSON line.
//
// Each line is an object with, in this order: offset (of the frame's first byte in the stream),
// size (bytes), type (the snake_case message name), session, incarnation, then every message
// field by name (HRESULTs as their text names, pid lists as arrays). A message field whose name
// is also a header key (connect_accepted's session and incarnation) is printed as
// "message_<name>". On a malformed stream the frames before the error are printed, then one line
// on stderr naming the byte offset from the stream start, the error kind and the detail; exit 2.
#include "cli/commands.hpp"
#include "io/input.hpp"
#include "protocol/stream_decoder.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>

namespace dbgsim::cli {
namespace {

using json = nlohmann::ordered_json;

json to_json(const protocol::frame& f, std::size_t offset, std::size_t size) {
  json j;
  j["offset"] = offset;
  j["size"] = size;
  j["type"] = std::string(protocol::name_of(protocol::type_of(f.body)));
  j["session"] = f.session;
  j["incarnation"] = f.incarnation;
  std::visit(
      [&](const auto& m) {
        protocol::for_each_field(m, [&](std::string_view name, const auto& value) {
          std::string key(name);
          if (j.contains(key)) key = "message_" + key;
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, protocol::hresult>)
            j[key] = protocol::to_string(value);
          else
            j[key] = value;
        });
      },
      f.body);
  return j;
}

int report_error(const std::string& source, const protocol::decode_error& e) {
  std::cout.flush();
  std::cerr << "dbgsim decode: " << source << ": " << protocol::name_of(e.code) << " at byte offset "
            << e.offset << ": " << e.detail << '\n';
  return exit_bad_input;
}

/// Prints every frame of `in`; returns the exit code.
int decode_stream(std::istream& in, const std::string& source) {
  protocol::stream_decoder decoder;
  std::size_t offset = 0;  // stream offset of the next frame
  std::array<char, 4096> chunk{};
  for (;;) {
    in.read(chunk.data(), chunk.size());
    const auto got = static_cast<std::size_t>(in.gcount());
    if (in.bad()) {
      std::cout.flush();
      std::cerr << "dbgsim decode: " << source << ": read error after " << offset + decoder.buffered()
                << " bytes\n";
      return exit_bad_input;
    }
    decoder.feed({reinterpret_cast<const std::uint8_t*>(chunk.data()), got});
    while (auto r = decoder.next()) {
      if (auto* e = std::get_if<protocol::decode_error>(&*r)) return report_error(source, *e);
      const auto& d = std::get<protocol::decoded>(*r);
      // Invalid UTF-8 in a string field is printed as U+FFFD rather than failing the dump.
      std::cout << to_json(d.value, offset, d.size).dump(-1, ' ', false, json::error_handler_t::replace)
                << '\n';
      offset += d.size;
    }
    if (got < chunk.size()) break;  // end of input
  }
  if (auto e = decoder.finish()) return report_error(source, *e);
  std::cout.flush();
  return exit_ok;
}

}  // namespace

command_fn add_decode_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("decode", "Print each frame of a captured byte stream as one JSON line");
  sub->add_option("FILE", *path, "Raw bytes of a captured stream, or - for stdin")->required();
  return [path]() -> int {
    // A capture longer than this is not a capture of one session; refuse it instead of growing.
    constexpr std::size_t max_capture_bytes = 256u << 20;
    auto read = io::read_input(*path, max_capture_bytes);
    if (auto* err = std::get_if<io::read_error>(&read)) {
      std::cerr << "dbgsim decode: " << err->message << '\n';
      return exit_bad_input;
    }
    std::istringstream in(std::get<std::string>(read));
    return decode_stream(in, *path == "-" ? "<stdin>" : *path);
  };
}

}  // namespace dbgsim::cli
