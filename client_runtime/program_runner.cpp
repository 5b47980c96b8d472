#include "client_runtime/program_runner.hpp"

#include "client_runtime/program_catalog.hpp"
#include "vocabulary/event.hpp"
#include "world/random.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <variant>

namespace dbgsim {
namespace {

/// Thrown out of the API call of a program that was stopped (its timeout, or the world's end), so
/// that it unwinds. Not a std::exception, so that a program's `catch (const std::exception&)`
/// does not swallow it.
struct program_stopped {};

// What a program asks of the world when it hands control over.
struct call_request { api::call c; };              // A world call; back when it completes.
struct sleep_request { DWORD ms = 0; };             // Back after ms of simulated time.
struct local_request { event e; };                  // A client_call to record; back at once.
struct current_request { bool terminate = false; }; // Detach/TerminateCurrentProcess.
struct options_request { char op = 'g'; ULONG options = 0; };  // get, add, remove, set.
struct end_request { int code = 0; reason_kind why = reason_kind::returned; std::string detail; };
using request = std::variant<std::monostate, call_request, sleep_request, local_request,
                             current_request, options_request, end_request>;

// The DEBUG_PROCESS_* bits the model knows; DEBUG_PROCESS_DETACH_ON_EXIT reaches the engine.
constexpr ULONG known_process_options = DEBUG_PROCESS_DETACH_ON_EXIT | DEBUG_PROCESS_ONLY_THIS_PROCESS;

constexpr ULONG known_attach_flags =
    DEBUG_ATTACH_NONINVASIVE | DEBUG_ATTACH_EXISTING | DEBUG_ATTACH_NONINVASIVE_NO_SUSPEND |
    DEBUG_ATTACH_INVASIVE_NO_INITIAL_BREAK | DEBUG_ATTACH_INVASIVE_RESUME_PROCESS |
    DEBUG_ATTACH_NONINVASIVE_ALLOW_PARTIAL;
// A noninvasive attach, or one to a process already debugged, is another kind of attach than
// the model's: E_NOTIMPL rather than a silent invasive attach.
constexpr ULONG unsupported_attach_flags = DEBUG_ATTACH_NONINVASIVE | DEBUG_ATTACH_EXISTING |
                                           DEBUG_ATTACH_NONINVASIVE_NO_SUSPEND |
                                           DEBUG_ATTACH_NONINVASIVE_ALLOW_PARTIAL;
constexpr ULONG known_create_flags = DEBUG_PROCESS | DEBUG_ONLY_THIS_PROCESS | CREATE_SUSPENDED |
                                     DETACHED_PROCESS | CREATE_NEW_CONSOLE |
                                     CREATE_NEW_PROCESS_GROUP | CREATE_UNICODE_ENVIRONMENT |
                                     CREATE_NO_WINDOW;
constexpr ULONG known_find_flags = DEBUG_GET_PROC_FULL_MATCH | DEBUG_GET_PROC_ONLY_MATCH |
                                   DEBUG_GET_PROC_SERVICE_NAME;
constexpr ULONG known_describe_flags = 0x3F;  // DEBUG_PROC_DESC_NO_PATHS ... NO_USER_NAME.

HRESULT to_hr(protocol::hresult hr) { return static_cast<HRESULT>(hr.value); }
protocol::hresult from_hr(HRESULT hr) { return protocol::hresult{static_cast<std::uint32_t>(hr)}; }

/// Copies `text` into a caller's buffer as dbgeng does: NUL-terminated, truncated to fit; the
/// size it needs (with the NUL) goes to `actual`. False when it did not fit.
bool copy_out(const std::string& text, PSTR buffer, ULONG size, PULONG actual) {
  const auto needed = static_cast<ULONG>(text.size() + 1);
  if (actual != nullptr)
    *actual = needed;
  if (buffer == nullptr || size == 0)
    return buffer == nullptr;  // Not asked for: nothing was truncated.
  const auto n = std::min<std::size_t>(text.size(), size - 1);
  std::copy_n(text.data(), n, buffer);
  buffer[n] = '\0';
  return needed <= size;
}

}  // namespace

struct program_runner::impl {
  struct slot;

  /// The IDebugClient a program gets: every method checks its arguments as dbgeng does, then
  /// asks the world through the slot.
  class simulated_client final : public IDebugClient {
  public:
    explicit simulated_client(slot& s) : s_(s) {}

    ULONG AddRef() override { return ++refs_; }
    ULONG Release() override { return refs_ > 1 ? --refs_ : 1; }

    HRESULT AttachProcess(ULONG64 Server, ULONG ProcessId, ULONG AttachFlags) override {
      if ((AttachFlags & ~known_attach_flags) != 0)
        return refuse("AttachProcess", api::call_kind::attach, Server, ProcessId, E_INVALIDARG);
      if ((AttachFlags & unsupported_attach_flags) != 0)
        return refuse("AttachProcess", api::call_kind::attach, Server, ProcessId, E_NOTIMPL);
      return call(api::attach{Server, ProcessId}).first;
    }
    HRESULT GetProcessOptions(PULONG Options) override {
      if (Options == nullptr)
        return refuse("GetProcessOptions", std::nullopt, 0, 0, E_INVALIDARG);
      auto r = s_.ask(options_request{'g', 0});
      *Options = r.options;
      return to_hr(r.result.hr);
    }
    HRESULT AddProcessOptions(ULONG Options) override { return options('a', "AddProcessOptions", Options); }
    HRESULT RemoveProcessOptions(ULONG Options) override {
      return options('r', "RemoveProcessOptions", Options);
    }
    HRESULT SetProcessOptions(ULONG Options) override { return options('s', "SetProcessOptions", Options); }
    HRESULT ConnectProcessServer(PCSTR RemoteOptions, PULONG64 Server) override {
      if (RemoteOptions == nullptr || Server == nullptr)
        return refuse("ConnectProcessServer", api::call_kind::connect, 0, 0, E_INVALIDARG);
      auto [hr, r] = call(api::connect{RemoteOptions});
      if (SUCCEEDED(hr))
        *Server = r.handle;
      return hr;
    }
    HRESULT DisconnectProcessServer(ULONG64 Server) override {
      return call(api::disconnect{Server}).first;
    }
    HRESULT GetRunningProcessSystemIds(ULONG64 Server, PULONG Ids, ULONG Count,
                                       PULONG ActualCount) override {
      // A null buffer asks for the count alone, whatever Count says.
      const ULONG room = Ids == nullptr ? 0 : Count;
      auto [hr, r] = call(api::list_processes{Server, room});
      if (SUCCEEDED(hr)) {
        std::copy_n(r.pids.begin(), std::min<std::size_t>(r.pids.size(), room), Ids);
        if (ActualCount != nullptr)
          *ActualCount = r.total;
      }
      return hr;
    }
    HRESULT GetRunningProcessSystemIdByExecutableName(ULONG64 Server, PCSTR ExeName, ULONG Flags,
                                                      PULONG Id) override {
      static constexpr const char* method = "GetRunningProcessSystemIdByExecutableName";
      if (ExeName == nullptr || Id == nullptr || (Flags & ~known_find_flags) != 0)
        return refuse(method, api::call_kind::find_process, Server, 0, E_INVALIDARG);
      if ((Flags & DEBUG_GET_PROC_SERVICE_NAME) != 0)  // The model's machines run no services.
        return refuse(method, api::call_kind::find_process, Server, 0, E_NOTIMPL);
      auto [hr, r] = call(api::find_process{Server, ExeName, (Flags & DEBUG_GET_PROC_ONLY_MATCH) != 0});
      if (SUCCEEDED(hr))
        *Id = r.pid;
      return hr;
    }
    HRESULT GetRunningProcessDescription(ULONG64 Server, ULONG SystemId, ULONG Flags, PSTR ExeName,
                                         ULONG ExeNameSize, PULONG ActualExeNameSize,
                                         PSTR Description, ULONG DescriptionSize,
                                         PULONG ActualDescriptionSize) override {
      if ((Flags & ~known_describe_flags) != 0)
        return refuse("GetRunningProcessDescription", api::call_kind::describe_process, Server,
                      SystemId, E_INVALIDARG);
      auto [hr, r] = call(api::describe_process{Server, SystemId});
      if (FAILED(hr))
        return hr;
      const bool exe_fits = copy_out(r.exe, ExeName, ExeNameSize, ActualExeNameSize);
      const bool desc_fits =
          copy_out(r.description, Description, DescriptionSize, ActualDescriptionSize);
      return exe_fits && desc_fits ? hr : S_FALSE;  // S_FALSE: a buffer truncated the text.
    }
    HRESULT CreateProcess(ULONG64 Server, PSTR CommandLine, ULONG CreateFlags) override {
      if (CommandLine == nullptr || (CreateFlags & ~known_create_flags) != 0 ||
          (CreateFlags & (DEBUG_PROCESS | DEBUG_ONLY_THIS_PROCESS)) == 0)
        return refuse("CreateProcess", api::call_kind::create_process, Server, 0, E_INVALIDARG);
      return call(api::create_process{Server, CommandLine}).first;
    }
    HRESULT CreateProcessAndAttach(ULONG64 Server, PSTR CommandLine, ULONG CreateFlags,
                                   ULONG ProcessId, ULONG AttachFlags) override {
      static constexpr const char* method = "CreateProcessAndAttach";
      if (CommandLine != nullptr && ProcessId != 0)  // Create one process, attach another.
        return refuse(method, api::call_kind::create_process, Server, ProcessId, E_NOTIMPL);
      if (CommandLine != nullptr)
        return CreateProcess(Server, CommandLine, CreateFlags);
      if (ProcessId != 0)
        return AttachProcess(Server, ProcessId, AttachFlags);
      return refuse(method, api::call_kind::create_process, Server, 0, E_INVALIDARG);
    }
    HRESULT DetachProcesses() override { return call(api::detach_all{}).first; }
    HRESULT TerminateProcesses() override { return call(api::terminate_all{}).first; }
    HRESULT EndSession(ULONG Flags) override {
      switch (Flags) {
        case DEBUG_END_PASSIVE:
        case DEBUG_END_REENTRANT:  // Only what needs no wait for the engine: a passive end.
          return call(api::end_session{api::end_mode::passive}).first;
        case DEBUG_END_ACTIVE_TERMINATE:
          return call(api::end_session{api::end_mode::active_terminate}).first;
        case DEBUG_END_ACTIVE_DETACH:
          return call(api::end_session{api::end_mode::active_detach}).first;
        case DEBUG_END_DISCONNECT:
          // For a remote client of a debugging server; a program is never one.
          return refuse("EndSession", api::call_kind::end_session, 0, 0, E_UNEXPECTED);
        default:
          return refuse("EndSession", api::call_kind::end_session, 0, 0, E_INVALIDARG);
      }
    }
    HRESULT StartProcessServer(ULONG Flags, PCSTR Options, PVOID Reserved) override {
      if (Flags != DEBUG_CLASS_USER_WINDOWS || Options == nullptr || Reserved != nullptr)
        return refuse("StartProcessServer", api::call_kind::start_server, 0, 0, E_INVALIDARG);
      return call(api::start_server{Options}).first;
    }
    HRESULT EndProcessServer(ULONG64 Server) override { return call(api::end_server{Server}).first; }
    HRESULT WaitForProcessServerEnd(ULONG Timeout) override {
      return call(api::wait_server_end{Timeout}).first;
    }
    HRESULT DetachCurrentProcess() override {
      return to_hr(s_.ask(current_request{false}).result.hr);
    }
    HRESULT TerminateCurrentProcess() override {
      return to_hr(s_.ask(current_request{true}).result.hr);
    }

    void dbgsim_sleep(DWORD milliseconds) override { s_.ask(sleep_request{milliseconds}); }
    DWORD dbgsim_tick_count() override {
      // Simulated milliseconds, wrapping at 2^32 like Windows' 49.7-day counter.
      return static_cast<DWORD>(static_cast<std::uint64_t>(s_.now.count() / 1000));
    }

  private:
    std::pair<HRESULT, api::result> call(api::call c) {
      auto r = s_.ask(call_request{std::move(c)});
      return {to_hr(r.result.hr), std::move(r.result)};
    }
    HRESULT refuse(const char* method, std::optional<api::call_kind> kind, ULONG64 handle,
                   ULONG pid, HRESULT hr) {
      event e;
      e.kind = event_kind::client_call;
      e.detail = method;
      e.api = kind;
      e.handle = handle;
      e.pid = pid;
      e.hr = from_hr(hr);
      s_.ask(local_request{std::move(e)});
      return hr;
    }
    HRESULT options(char op, const char* method, ULONG value) {
      if ((value & ~known_process_options) != 0)
        return refuse(method, api::call_kind::process_options, 0, 0, E_INVALIDARG);
      return to_hr(s_.ask(options_request{op, value}).result.hr);
    }

    slot& s_;
    ULONG refs_ = 1;
  };

  /// What the world hands back to a program.
  struct reply {
    api::result result;
    ULONG options = 0;  ///< GetProcessOptions.
  };

  /// One program: its thread, what it asked for, what it got back.
  struct slot {
    slot(impl& r, std::size_t i, program_launch l, const program_ref& p)
        : runner(r), index(i), launch(std::move(l)), prog(p), client(*this) {
      argv_text.push_back(launch.program);
      for (const auto& a : launch.args)
        argv_text.push_back(a);
      for (const auto& a : argv_text)
        argv.push_back(a.c_str());
      argv.push_back(nullptr);
    }

    impl& runner;
    std::size_t index;
    program_launch launch;
    const program_ref& prog;
    std::vector<std::string> argv_text;
    std::vector<const char*> argv;
    simulated_client client;
    std::thread thread;
    std::thread::id tid;
    std::condition_variable cv;  ///< The program waits on it for its turn.
    request req;                 ///< What it asked for when it last handed control over.
    reply rep;                   ///< What it gets back.
    sim_time now{0};             ///< Simulated time when it last got control (GetTickCount).
    bool started = false, ended = false, stop = false, thread_done = false, abandoned = false;
    int exit_code = 0;
    std::uint64_t calls = 0, sleeps = 0;
    std::uint64_t timeout_action = 0;
    std::optional<std::uint64_t> in_flight;   ///< The engine call it waits for.
    std::uint32_t attach_pid = 0;             ///< The pid of the attach in flight.
    api::call_kind last_kind = api::call_kind::connect;  ///< The kind of its latest world call.
    std::optional<ULONG> options_after;       ///< The word a process-options call in flight sets.

    // -- on the program's thread --------------------------------------------------------------

    /// Hands control to the world with `r` and waits for it to come back.
    reply ask(request r) {
      if (std::holds_alternative<sleep_request>(r))
        ++sleeps;
      else
        ++calls;
      // dbgeng's clients belong to the thread that made them; a program has one thread.
      if (std::this_thread::get_id() != tid)
        return failed(E_UNEXPECTED);
      {
        std::unique_lock lock(runner.m);
        if (stop)
          return stopped();
        req = std::move(r);
        runner.turn = world_turn;
        runner.world_cv.notify_all();
      }
      await_turn();
      if (stop)
        return stopped();
      return std::move(rep);
    }

    static reply failed(HRESULT hr) {
      reply out;
      out.result.hr = from_hr(hr);
      return out;
    }

    // A stopped program unwinds: every call throws, except while it is already unwinding (a
    // destructor that disconnects), when the call fails with E_ABORT as an engine gone would.
    reply stopped() {
      if (std::uncaught_exceptions() > 0)
        return failed(E_ABORT);
      throw program_stopped{};
    }

    /// Waits until the world gives this program control (spinning first, see spin_for_turn).
    void await_turn() {
      if (runner.spin_for_turn(index))
        return;
      std::unique_lock lock(runner.m);
      cv.wait(lock, [&] { return runner.turn == index; });
    }

    void body() {
      await_turn();
      end_request end;
      try {
        // A program stopped before its first turn (a world torn down before it started) does
        // not start at all.
        if (stop)
          end.why = reason_kind::hung;
        else
          end.code = prog.entry(&client, static_cast<int>(argv.size() - 1), argv.data());
      } catch (const program_stopped&) {
        end.why = reason_kind::hung;
      } catch (const std::exception& e) {
        end.why = reason_kind::threw;
        end.detail = e.what();
      } catch (...) {
        end.why = reason_kind::threw;
        end.detail = "an exception that is not a std::exception";
      }
      std::unique_lock lock(runner.m);
      req = std::move(end);
      thread_done = true;
      runner.turn = world_turn;
      runner.world_cv.notify_all();
    }
  };

  static constexpr std::size_t world_turn = static_cast<std::size_t>(-1);

  impl(program_host& wr, std::vector<program_launch> launches, const std::map<std::string, bool>& doe,
       std::uint64_t seed)
      // A source of its own, so that adding a program leaves the world's own draws alone.
      : w(wr), rng(seed ^ 0x636C69656E74ull /* "client" */) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < launches.size(); ++i) {
      auto& l = launches[i];
      const auto* p = program_catalog::process().find(l.program);
      if (p == nullptr)
        throw std::invalid_argument("client `" + l.name + "`: no client program called `" +
                                    l.program + "`");
      if (!names.insert(l.name).second)
        throw std::invalid_argument("two clients are called `" + l.name + "`");
      if (auto e = doe.find(l.engine); e == doe.end())
        throw std::invalid_argument("client `" + l.name + "`: no engine called `" + l.engine + "`");
      slots.push_back(std::make_unique<slot>(*this, i, std::move(l), *p));
    }
    for (const auto& [engine, on] : doe)
      options_of[engine] = on ? DEBUG_PROCESS_DETACH_ON_EXIT : 0;
    for (auto& s : slots) {
      auto* sp = s.get();
      w.at(sp->launch.start, [this, sp] { start(*sp); });
      sp->timeout_action =
          w.at(sp->launch.start + sp->launch.timeout, [this, sp] { time_out(*sp); });
    }
  }

  /// Stops and joins every program; true when one could not be stopped (it runs on without
  /// calling the API), in which case its thread is detached and this runner must never be freed,
  /// since that thread may still touch it.
  bool stop_all() {
    bool abandoned = false;
    for (auto& s : slots) {
      if (s->started && !s->thread_done && !s->abandoned) {
        s->stop = true;
        try {
          resume(*s);
        } catch (const program_runaway&) {
        }
      }
      if (s->abandoned) {
        abandoned = true;
        if (s->thread.joinable())
          s->thread.detach();
      } else if (s->thread.joinable()) {
        s->thread.join();
      }
    }
    return abandoned;
  }

  program_host& w;
  random_source rng;
  std::vector<std::unique_ptr<slot>> slots;
  std::mutex m;
  std::condition_variable world_cv;
  /// Whose turn it is: a program's index or world_turn. Written under `m`; read by a side
  /// spinning for its turn without `m`, so its release store publishes what was written before.
  std::atomic<std::size_t> turn = world_turn;

  /// Waits a little, without `m` and without blocking, for `turn` to become `who`; true when it
  /// did. Why: a hand-over to a blocked thread costs a kernel wake-up, which on these virtual
  /// machines took 78% of the client benchmark (perf: futex wake and wait), while the other
  /// side usually hands control back within microseconds. Bounded, so a program computing for
  /// long, or a machine with one free core, falls back to the condition variable.
  bool spin_for_turn(std::size_t who) const {
    for (int i = 0; i < spin_limit; ++i) {
      if (turn.load(std::memory_order_acquire) == who)
        return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#else
      std::this_thread::yield();
#endif
    }
    return false;
  }
  static constexpr int spin_limit = 4000;  ///< Tens to a few hundred µs, by the CPU's pause.
  /// Programs due to run again, by instant, in the order they became due.
  std::map<sim_time, std::vector<slot*>> ready;
  /// The world action that runs an instant's due programs (one per instant).
  std::map<sim_time, std::uint64_t> ready_action;
  std::optional<sim_time> running_instant;  ///< Set while run_ready loops over an instant.
  slot* current = nullptr;                  ///< The program that has control.
  std::map<std::pair<std::string, std::uint64_t>, slot*> by_call;
  std::map<std::string, ULONG> options_of;                    ///< Each engine's process options.
  std::map<std::string, std::vector<std::uint32_t>> recent;   ///< Targets programs made, by engine.

  // -- hand-over -----------------------------------------------------------------------------

  /// Gives control to `s` until it hands it back.
  void resume(slot& s) {
    {
      std::unique_lock lock(m);
      s.now = w.now();
      turn = s.index;
      s.cv.notify_all();
    }
    if (spin_for_turn(world_turn))
      return;
    std::unique_lock lock(m);
    if (!world_cv.wait_for(lock, runaway_limit, [&] { return turn == world_turn; })) {
      s.abandoned = true;
      turn = world_turn;
      throw program_runaway("client `" + s.launch.name + "` (program " + s.launch.program +
                            ") ran for " + std::to_string(runaway_limit.count()) +
                            " s of wall time without calling the API, sleeping or returning: an "
                            "endless loop in it?");
    }
  }

  void start(slot& s) {
    s.started = true;
    event e;
    e.kind = event_kind::program_started;
    e.actor = s.launch.engine;
    e.program = s.launch.name;
    e.detail = s.launch.program;
    for (const auto& a : s.launch.args)
      e.detail += " " + a;
    w.note(std::move(e));
    s.thread = std::thread([&s] { s.body(); });
    s.tid = s.thread.get_id();
    // Through the ready list, so that programs starting at one instant run in the seed's order.
    due(s, w.now());
  }

  /// Runs `s` until it waits for something that takes simulated time, or ends.
  void run(slot& s) {
    current = &s;
    for (;;) {
      resume(s);
      if (!serve(s))
        break;
    }
    current = nullptr;
  }

  /// Acts on what `s` asked for; true when it gets control back at once.
  bool serve(slot& s) {
    auto r = std::exchange(s.req, std::monostate{});
    if (auto* x = std::get_if<local_request>(&r)) {
      x->e.actor = s.launch.engine;
      x->e.program = s.launch.name;
      w.note(std::move(x->e));
      s.rep = {};
      s.rep.result.hr = x->e.hr.value_or(protocol::S_OK);
      return true;
    }
    if (auto* x = std::get_if<call_request>(&r))
      return issue(s, std::move(x->c));
    if (auto* x = std::get_if<sleep_request>(&r)) {
      due(s, w.now() + std::chrono::milliseconds(x->ms));
      return false;
    }
    if (auto* x = std::get_if<current_request>(&r))
      return current_process(s, x->terminate);
    if (auto* x = std::get_if<options_request>(&r))
      return process_options(s, *x);
    if (auto* x = std::get_if<end_request>(&r)) {
      ended(s, std::move(*x));
      return false;
    }
    return false;
  }

  bool issue(slot& s, api::call c) {
    s.last_kind = api::kind_of(c);
    if (auto* a = std::get_if<api::attach>(&c))
      s.attach_pid = a->pid;
    const auto n = w.call(s.launch.engine, std::move(c), s.launch.name);
    // A call answered at once completed inside world::call, before its number was known here.
    if (auto r = w.result_of(s.launch.engine, n)) {
      deliver(s, *r);
      return false;
    }
    s.in_flight = n;
    by_call[{s.launch.engine, n}] = &s;
    return false;
  }

  void deliver(slot& s, const api::result& r) {
    const auto kind = s.last_kind;
    if (r.hr == protocol::S_OK) {
      if (kind == api::call_kind::attach)
        recent[s.launch.engine].push_back(s.attach_pid);
      else if (kind == api::call_kind::create_process && r.pid != 0)
        recent[s.launch.engine].push_back(r.pid);
    }
    if (kind == api::call_kind::process_options && s.options_after && r.hr.succeeded())
      options_of[s.launch.engine] = *s.options_after;
    s.options_after.reset();
    s.rep = {};
    s.rep.result = r;
    due(s, w.now());
  }

  bool current_process(slot& s, bool terminate) {
    const auto held = w.targets_of(s.launch.engine);
    const std::set<std::uint32_t> targets(held.begin(), held.end());
    std::optional<std::uint32_t> pid;
    const auto& mine = recent[s.launch.engine];
    for (auto i = mine.rbegin(); i != mine.rend() && !pid; ++i)
      if (targets.count(*i) != 0)
        pid = *i;
    // A target made by a scenario step rather than a program: the newest pid is the latest.
    if (!pid && !targets.empty())
      pid = *targets.rbegin();
    if (!pid) {
      event e;
      e.kind = event_kind::client_call;
      e.actor = s.launch.engine;
      e.program = s.launch.name;
      e.detail = terminate ? "TerminateCurrentProcess" : "DetachCurrentProcess";
      e.api = terminate ? api::call_kind::terminate : api::call_kind::detach;
      e.hr = protocol::E_UNEXPECTED;  // No current process: the engine is in no state for it.
      w.note(std::move(e));
      s.rep = {};
      s.rep.result.hr = protocol::E_UNEXPECTED;
      return true;
    }
    return issue(s, terminate ? api::call(api::terminate{*pid}) : api::call(api::detach{*pid}));
  }

  bool process_options(slot& s, const options_request& x) {
    auto& word = options_of[s.launch.engine];
    ULONG after = word;
    switch (x.op) {
      case 'a': after = word | x.options; break;
      case 'r': after = word & ~x.options; break;
      case 's': after = x.options; break;
      default: break;
    }
    const bool reaches_engine =
        x.op != 'g' && ((x.options & DEBUG_PROCESS_DETACH_ON_EXIT) != 0 || x.op == 's');
    if (!reaches_engine) {
      // GetProcessOptions, or a bit the engine does not model: answered here.
      event e;
      e.kind = event_kind::client_call;
      e.actor = s.launch.engine;
      e.program = s.launch.name;
      e.detail = x.op == 'g' ? "GetProcessOptions"
                 : x.op == 'a' ? "AddProcessOptions"
                               : "RemoveProcessOptions";
      if (x.op != 'g')
        e.api = api::call_kind::process_options;
      e.hr = protocol::S_OK;
      w.note(std::move(e));
      s.rep = {};
      s.rep.options = word;
      if (x.op != 'g')
        word = after;
      s.rep.result.hr = protocol::S_OK;
      return true;
    }
    s.options_after = after;
    return issue(s, api::process_options{(after & DEBUG_PROCESS_DETACH_ON_EXIT) != 0});
  }

  void ended(slot& s, end_request end) {
    s.ended = true;
    s.exit_code = end.code;
    if (!s.thread_done)
      return;
    if (s.thread.joinable())
      s.thread.join();
    w.cancel(s.timeout_action);
    // A stopped program's end was recorded when time_out stopped it, however it then ended (it
    // may catch what stopped it and return).
    if (s.stop)
      return;
    event e;
    e.kind = event_kind::program_ended;
    e.actor = s.launch.engine;
    e.program = s.launch.name;
    e.value = static_cast<std::uint32_t>(end.code);
    e.reason = end.why;
    e.detail = std::move(end.detail);
    w.note(std::move(e));
  }

  void time_out(slot& s) {
    if (s.ended || !s.started)
      return;
    event e;
    e.kind = event_kind::program_ended;
    e.actor = s.launch.engine;
    e.program = s.launch.name;
    e.reason = reason_kind::hung;
    w.note(std::move(e));
    // Forget what it waits for, then let it unwind: its calls now throw.
    if (s.in_flight)
      by_call.erase({s.launch.engine, *s.in_flight});
    s.in_flight.reset();
    for (auto& [t, list] : ready)
      list.erase(std::remove(list.begin(), list.end(), &s), list.end());
    s.stop = true;
    run(s);
  }

  // -- scheduling ----------------------------------------------------------------------------

  /// `s` may run again at `t`.
  void due(slot& s, sim_time t) {
    // The program that has control, due again in the same instant (Sleep(0), a call answered at
    // once), goes through a world action of its own: each turn is then a step of the run budget,
    // so that a program spinning on Sleep(0) stops with run_budget_exceeded, not a hang.
    if (current == &s && t == w.now()) {
      w.at(t, [this, &s] {
        if (!s.ended)
          run(s);
      });
      return;
    }
    ready[t].push_back(&s);
    if (running_instant == t)
      return;  // The loop running this instant will take it.
    if (ready_action.count(t) == 0)
      ready_action[t] = w.at(t, [this, t] { run_ready(t); });
  }

  /// Runs every program due at `t`, in an order drawn from the seed.
  void run_ready(sim_time t) {
    ready_action.erase(t);
    const auto outer = running_instant;
    running_instant = t;
    for (;;) {
      auto it = ready.find(t);
      if (it == ready.end() || it->second.empty())
        break;
      auto& list = it->second;
      // Draw only when there is a choice, so that one program alone draws nothing.
      const std::size_t k = list.size() == 1 ? 0 : static_cast<std::size_t>(rng.upto(list.size() - 1));
      slot* s = list[k];
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(k));
      if (!s->ended)
        run(*s);
    }
    ready.erase(t);
    running_instant = outer;
  }

  bool completed(const std::string& engine, std::uint64_t n, const api::result& r) {
    auto i = by_call.find({engine, n});
    if (i == by_call.end())
      return false;
    auto* s = i->second;
    by_call.erase(i);
    s->in_flight.reset();
    if (!s->ended)
      deliver(*s, r);
    return true;
  }
};

program_runner::program_runner(program_host& w, std::vector<program_launch> launches,
                               const std::map<std::string, bool>& detach_on_exit,
                               std::uint64_t seed)
    : impl_(std::make_unique<impl>(w, std::move(launches), detach_on_exit, seed)) {}

program_runner::~program_runner() {
  if (impl_->stop_all())
    (void)impl_.release();  // A runaway thread may still use it: leaked on purpose.
}

bool program_runner::completed(const std::string& engine, std::uint64_t call,
                               const api::result& r) {
  return impl_->completed(engine, call, r);
}

bool program_runner::running() const {
  for (const auto& s : impl_->slots)
    if (s && (!s->started || !s->ended))
      return true;
  return false;
}

sim_time program_runner::deadline() const {
  sim_time out{0};
  for (const auto& s : impl_->slots)
    if (s)
      out = std::max(out, s->launch.start + s->launch.timeout);
  return out;
}

std::vector<program_status> program_runner::status() const {
  std::vector<program_status> out;
  for (const auto& s : impl_->slots) {
    if (!s)
      continue;
    program_status st;
    st.name = s->launch.name;
    st.started = s->started;
    st.ended = s->ended;
    st.exit_code = s->exit_code;
    st.calls = s->calls;
    st.sleeps = s->sleeps;
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace dbgsim
