#include "world/delayed_messages.hpp"

#include "actors/messages.hpp"

#include <caf/abstract_actor.hpp>
#include <caf/actor_control_block.hpp>
#include <caf/message_id.hpp>

#include <utility>

namespace dbgsim {

delayed_messages::~delayed_messages() { clear(); }

void delayed_messages::add(sim_time due, caf::strong_actor_ptr to,
                           caf::mailbox_element_ptr content) {
  push(entry{due, next_seq_++, to.release(), content.release()});
}

void delayed_messages::add_timer(sim_time due, caf::strong_actor_ptr to, std::uint64_t id) {
  push(entry{due, next_seq_++, to.release(), nullptr, id});
}

sim_time delayed_messages::next_due() const {
  return size_ == 0 ? sim_time::max() : at(0).due;
}

// Sift up from the new last place: parents later than `e` move down into the hole.
void delayed_messages::push(const entry& e) {
  if (size_ == blocks_.size() * block_size)
    blocks_.push_back(std::make_unique<entry[]>(block_size));
  std::size_t i = size_++;
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (!earlier(e, at(parent)))
      break;
    at(i) = at(parent);
    i = parent;
  }
  at(i) = e;
}

void delayed_messages::ship_next() {
  const entry e = at(0);
  // Sift the last entry down from the root's hole: earlier children move up into it.
  const entry last = at(--size_);
  if (size_ > 0) {
    std::size_t i = 0;
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= size_)
        break;
      if (child + 1 < size_ && earlier(at(child + 1), at(child)))
        ++child;
      if (!earlier(at(child), last))
        break;
      at(i) = at(child);
      i = child;
    }
    at(i) = last;
  }
  // Taken out before it is enqueued: enqueueing runs no actor under the test coordinator, but
  // the heap must be whole before anything can add to it.
  caf::strong_actor_ptr to{e.to, false};  // Adopts the entry's reference.
  auto content = e.content != nullptr
                     ? caf::mailbox_element_ptr{e.content}
                     : caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                                 timer_atom::value, e.timer);
  to->get()->enqueue(std::move(content), nullptr);
}

void delayed_messages::clear() {
  // In index order, and within an entry its content first, as destroying the blocks released
  // them when entries held smart pointers.
  for (std::size_t i = 0; i < size_; ++i) {
    const entry& e = at(i);
    caf::mailbox_element_ptr{e.content};    // Destroys the content.
    caf::strong_actor_ptr{e.to, false};     // Drops the reference.
  }
  blocks_.clear();
  size_ = 0;
}

}  // namespace dbgsim
