// Runs a fuzz target without libFuzzer: every file named on the command line (or found in a
// directory named there) is passed once to LLVMFuzzerTestOneInput. This is how the gcc build and
// ctest replay the seed corpora; a crash or an abort fails the run like a fuzzer finding would.
//
// With --each first, every input runs in a child process of its own, so that one input's abort
// does not stop the others: before each input the driver writes `== INPUT PATH` to stderr, after
// it `== OK PATH` or `== CRASH PATH (signal N | exit N)`, and the target's own report in between
// (disconnect_fuzzer names the rules violated). The run exits 1 if any input crashed. This is how
// scripts/corpus-mutant asks which inputs show which rule under a planted bug.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool read_bytes(const std::filesystem::path& p, std::vector<std::uint8_t>& bytes) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", p.c_str());
    return false;
  }
  bytes.assign(std::istreambuf_iterator<char>(in), {});
  return true;
}

int run_file(const std::filesystem::path& p) {
  std::vector<std::uint8_t> bytes;
  if (!read_bytes(p, bytes))
    return 1;
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 0;
}

// Runs one input in a child process; 0 if it returned, 1 if it crashed or could not be read.
int run_file_apart(const std::filesystem::path& p) {
  std::vector<std::uint8_t> bytes;
  if (!read_bytes(p, bytes))
    return 1;
  std::fprintf(stderr, "== INPUT %s\n", p.c_str());
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (pid == 0) {
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    std::fflush(stderr);
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    std::fprintf(stderr, "== OK %s\n", p.c_str());
    return 0;
  }
  if (WIFSIGNALED(status))
    std::fprintf(stderr, "== CRASH %s (signal %d)\n", p.c_str(), WTERMSIG(status));
  else
    std::fprintf(stderr, "== CRASH %s (exit %d)\n", p.c_str(), WEXITSTATUS(status));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  bool each = false;
  if (argc > 1 && std::strcmp(argv[1], "--each") == 0) {
    each = true;
    first = 2;
  }
  if (argc <= first) {
    std::fprintf(stderr,
                 "usage: %s [--each] FILE|DIR...  (replays inputs through the fuzz target; "
                 "--each: every input in a process of its own, reporting each)\n",
                 argv[0]);
    return 2;
  }
  std::vector<std::filesystem::path> inputs;
  for (int i = first; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(arg))
        if (e.is_regular_file())
          files.push_back(e.path());
      std::sort(files.begin(), files.end());  // Same order on every machine.
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else {
      inputs.push_back(arg);
    }
  }
  std::size_t crashed = 0;
  for (const auto& f : inputs) {
    if (each) {
      crashed += static_cast<std::size_t>(run_file_apart(f));
    } else if (run_file(f) != 0) {
      return 1;
    }
  }
  if (each) {
    std::printf("%s: %zu inputs replayed, %zu crashed\n", argv[0], inputs.size(), crashed);
    return inputs.empty() || crashed > 0 ? 1 : 0;
  }
  std::printf("%s: %zu inputs replayed, no crash\n", argv[0], inputs.size());
  return inputs.empty() ? 1 : 0;
}
