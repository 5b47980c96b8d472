// A process server on a runtime for the live tests, and a client that speaks the protocol to it
// over a raw socket, one request and its reply at a time.
#pragma once

#include "live/server_host.hpp"
#include "protocol/transport.hpp"
#include "tests/live/connection_harness.hpp"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <optional>
#include <thread>

namespace dbgsim::live::testing {

/// The machine every test's server runs on: three processes.
inline machine test_machine() {
  machine m("target");
  m.add(process{4242, "notepad.exe", "Notepad", std::nullopt});
  m.add(process{4343, "calc.exe", "Calculator", std::nullopt});
  m.add(process{4444, "cmd.exe", "Command Prompt", std::nullopt});
  return m;
}

/// The configuration of server "srv" on machine "target" with password s3cret and `times`.
inline server_config test_config(timing times = {}) {
  server_config c;
  c.name = "srv";
  c.machine = "target";
  c.listen = std::get<protocol::transport_options>(
      protocol::parse_server_options("tcp:port=5005,password=s3cret"));
  c.times = times;
  return c;
}

/// A host on port 0 of 127.0.0.1 with the test machine; the runtime runs on a thread of its own
/// while a test talks to it through blocking sockets, and every touch of the host from the test
/// goes through `on_runtime`.
class server_fixture {
public:
  explicit server_fixture(timing times = {}, server_host_options options = {},
                          double time_scale = 1.0)
      : rt_(time_scale), machine_(test_machine()) {
    options.port = 0;
    host_ = std::make_unique<server_host>(rt_, test_config(times), machine_, options);
    port_ = host_->port();
    guard_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
        rt_.context().get_executor());
    thread_ = std::thread([this] { rt_.context().run(); });
  }

  /// Runs `fn` on the runtime's thread and waits for it.
  template <class Fn>
  auto on_runtime(Fn fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    asio::post(rt_.context(), [&task] { task(); });
    return result.get();
  }

  ~server_fixture() {
    on_runtime([this] { host_.reset(); });
    guard_.reset();
    rt_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  server_host& host() { return *host_; }
  machine& target() { return machine_; }
  runtime& rt() { return rt_; }

  /// The server's state, read on the runtime's thread.
  server_view inspect() {
    return on_runtime([this] { return host_->inspect(); });
  }

private:
  runtime rt_;
  machine machine_;
  std::unique_ptr<server_host> host_;
  std::uint16_t port_ = 0;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::thread thread_;
};

/// A client of the protocol on one connection: connect, then requests and their replies.
class test_client {
public:
  explicit test_client(std::uint16_t port) : peer_(port) {}

  /// Sends connect_request; returns the reply (connect_accepted sets the session).
  std::optional<protocol::frame> connect(const std::string& password = "s3cret") {
    peer_.write(protocol::frame{0, 0, protocol::connect_request{next_id_++, 1, "test", password}});
    auto reply = peer_.read_frame();
    if (reply) {
      if (auto* a = std::get_if<protocol::connect_accepted>(&reply->body)) {
        session_ = a->session;
        incarnation_ = a->incarnation;
      }
    }
    return reply;
  }

  /// Sends `m` on the session and returns the first frame back that is not a notice.
  std::optional<protocol::frame> call(protocol::message m) {
    peer_.write(protocol::frame{session_, incarnation_, std::move(m)});
    for (;;) {
      auto f = peer_.read_frame();
      if (!f || !std::holds_alternative<protocol::server_shutting_down>(f->body))
        return f;
      saw_shutting_down_ = true;
    }
  }

  /// The pids list_processes returns, or nothing when the reply is not a list.
  std::optional<std::vector<std::uint32_t>> list() {
    auto f = call(protocol::list_processes_request{next_id_++, 100});
    if (!f)
      return std::nullopt;
    auto* l = std::get_if<protocol::list_processes_reply>(&f->body);
    if (l == nullptr)
      return std::nullopt;
    return l->pids;
  }

  /// A call id not used before on this client.
  std::uint32_t next_id() { return next_id_++; }

  std::uint64_t session() const { return session_; }
  bool saw_shutting_down() const { return saw_shutting_down_; }
  raw_peer& peer() { return peer_; }

private:
  raw_peer peer_;
  std::uint64_t session_ = 0;
  std::uint32_t incarnation_ = 0;
  std::uint32_t next_id_ = 1;
  bool saw_shutting_down_ = false;
};

}  // namespace dbgsim::live::testing
