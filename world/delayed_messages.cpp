#include "world/delayed_messages.hpp"

#include "actors/messages.hpp"

#include <caf/abstract_actor.hpp>
#include <caf/actor_control_block.hpp>
#include <caf/message_id.hpp>

#include <algorithm>
#include <utility>

namespace dbgsim {

void delayed_messages::add(sim_time due, caf::strong_actor_ptr to,
                           caf::mailbox_element_ptr content) {
  heap_.push_back(entry{due, next_seq_++, std::move(to), std::move(content)});
  std::push_heap(heap_.begin(), heap_.end(), later);
}

void delayed_messages::add_timer(sim_time due, caf::strong_actor_ptr to, std::uint64_t id) {
  heap_.push_back(entry{due, next_seq_++, std::move(to), nullptr, id});
  std::push_heap(heap_.begin(), heap_.end(), later);
}

sim_time delayed_messages::next_due() const {
  return heap_.empty() ? sim_time::max() : heap_.front().due;
}

void delayed_messages::ship_next() {
  std::pop_heap(heap_.begin(), heap_.end(), later);
  entry e = std::move(heap_.back());
  heap_.pop_back();
  // Taken out before it is enqueued: enqueueing runs no actor under the test coordinator, but
  // the heap must be whole before anything can add to it.
  auto content = e.content != nullptr ? std::move(e.content)
                                      : caf::make_mailbox_element(nullptr, caf::make_message_id(),
                                                                  {}, timer_atom::value, e.timer);
  e.to->get()->enqueue(std::move(content), nullptr);
}

}  // namespace dbgsim
