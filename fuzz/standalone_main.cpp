// Runs a fuzz target without libFuzzer: every file named on the command line (or found in a
// directory named there) is passed once to LLVMFuzzerTestOneInput. This is how the gcc build and
// ctest replay the seed corpora; a crash or an abort fails the run like a fuzzer finding would.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int run_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", p.c_str());
    return 1;
  }
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE|DIR...  (replays inputs through the fuzz target)\n", argv[0]);
    return 2;
  }
  std::size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(arg))
        if (e.is_regular_file())
          files.push_back(e.path());
      std::sort(files.begin(), files.end());  // Same order on every machine.
      for (const auto& f : files) {
        if (run_file(f) != 0)
          return 1;
        ++runs;
      }
    } else {
      if (run_file(arg) != 0)
        return 1;
      ++runs;
    }
  }
  std::printf("%s: %zu inputs replayed, no crash\n", argv[0], runs);
  return runs == 0 ? 1 : 0;
}
