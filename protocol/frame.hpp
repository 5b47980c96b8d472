// A frame: one message with the session and incarnation it belongs to, as it crosses a link.
#pragma once

#include "protocol/message.hpp"

#include <cstdint>

namespace dbgsim::protocol {

/// One message plus its header fields; `session` and `incarnation` are 0 before the handshake.
struct frame {
  std::uint64_t session = 0;
  std::uint32_t incarnation = 0;
  message body;
  friend bool operator==(const frame&, const frame&) = default;
};

}  // namespace dbgsim::protocol
