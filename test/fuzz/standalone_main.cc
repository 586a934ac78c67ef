// test/fuzz/standalone_main.cc
//! Runs a libFuzzer target without libFuzzer: every file named on the command line (directories
//! are walked, non-recursively) is passed once to LLVMFuzzerTestOneInput. Used to replay the
//! checked-in corpus and crash reproducers with any compiler, e.g.
//!   pg_messages_replay test/fuzz/corpus/pg_messages crash-1234
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool runFile(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // A null pointer for empty input, as libFuzzer may pass.
  LLVMFuzzerTestOneInput(bytes.empty() ? nullptr : bytes.data(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  size_t ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg = argv[i];
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      for (const auto& entry : fs::directory_iterator(arg, ec)) {
        if (!entry.is_regular_file()) continue;
        ok = runFile(entry.path()) && ok;
        ++ran;
      }
    } else {
      ok = runFile(arg) && ok;
      ++ran;
    }
  }
  std::printf("ran %zu inputs\n", ran);
  return ok && ran > 0 ? 0 : 1;
}
