// The world's own delayed messages: what an actor sends itself or another actor to arrive later in
// simulated time (a timer, a frame leaving a link), kept in one small entry each.
//
// Why not CAF's clock, which delayed_send uses: CAF 0.17's clock holds each delayed message in
// three allocations (the mailbox element, a polymorphic clock event, a multimap node), about 370
// bytes for a timer, and a 10,000-engine world has some 30,000 timers pending at once (each
// engine's keepalive and connect timers, each session's lease). Here a timer is 40 bytes of a
// heap until it fires, and a delayed frame is its mailbox element and those 40 bytes.
//
// The order is CAF's: the earliest due time first, and among messages due at one time the one
// sent first, so that moving a sender from delayed_send to this changes no trace.
#pragma once

#include "vocabulary/timing.hpp"

#include <caf/fwd.hpp>
#include <caf/mailbox_element.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace dbgsim {

/// The pending delayed messages of one world, in the order they are due.
class delayed_messages {
public:
  delayed_messages() = default;
  delayed_messages(const delayed_messages&) = delete;
  delayed_messages& operator=(const delayed_messages&) = delete;
  /// Drops what is still pending (clear()).
  ~delayed_messages();

  /// Enqueues `content` at `to` once simulated time reaches `due`.
  void add(sim_time due, caf::strong_actor_ptr to, caf::mailbox_element_ptr content);

  /// Enqueues (timer_atom, id) at `to` once simulated time reaches `due`; the message is made
  /// only then.
  void add_timer(sim_time due, caf::strong_actor_ptr to, std::uint64_t id);

  /// Whether none is pending.
  bool empty() const { return size_ == 0; }

  /// How many are pending.
  std::size_t size() const { return size_; }

  /// When the next one is due; sim_time::max() when none is pending.
  sim_time next_due() const;

  /// Takes the next one out and enqueues it at its receiver (dropped there if the receiver has
  /// quit, as CAF's clock drops it). Pending only: check empty() first.
  void ship_next();

  /// Drops every pending one without delivering it, releasing the actors they hold.
  void clear();

private:
  // Why raw pointers that the entry owns by hand: the heap moves entries at every level of every
  // sift, and with two smart pointers in each (every move a test and a reset of the source),
  // ship_next took 7.5% of the realistic world's instructions; a trivially copyable entry moves
  // as 40 bytes, and ship_next takes 4.9%.
  struct entry {
    sim_time due{0};
    std::uint64_t seq = 0;  ///< Sending order: the tie-break among messages due at one time.
    caf::actor_control_block* to = nullptr;   ///< One strong reference, owned.
    caf::mailbox_element* content = nullptr;  ///< Owned; null for a timer.
    std::uint64_t timer = 0;                  ///< The timer's id, when content is null.
  };
  static bool earlier(const entry& x, const entry& y) {
    return x.due != y.due ? x.due < y.due : x.seq < y.seq;
  }

  /// Entries live in blocks of 256 (10 KiB): a vector of 40,000 would double to room for 65,536
  /// and copy itself, holding both for a moment, and a 10,000-engine world's memory figure would
  /// pay for that peak; a block index is a shift and a mask, where std::deque's iterators cost
  /// a sixth of a busy world's time in the heap's sifting.
  static constexpr std::size_t block_bits = 8;
  static constexpr std::size_t block_size = std::size_t{1} << block_bits;
  entry& at(std::size_t i) { return blocks_[i >> block_bits][i & (block_size - 1)]; }
  const entry& at(std::size_t i) const { return blocks_[i >> block_bits][i & (block_size - 1)]; }
  void push(const entry& e);

  /// A binary heap, the next due at index 0, stored in blocks_.
  std::vector<std::unique_ptr<entry[]>> blocks_;
  std::size_t size_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace dbgsim
