#include "support/test_paths.hpp"

#include <unistd.h>

namespace tessera::test {

std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::path(TESSERA_BINARY_DIR) / "test-scratch" / name;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return dir;
}

std::filesystem::path test_data(const std::string& relative) {
  return std::filesystem::path(TESSERA_TEST_DATA) / relative;
}

std::filesystem::path tessera_exe() {
  return std::filesystem::path(TESSERA_BINARY_DIR) / "tessera";
}

}  // namespace tessera::test
