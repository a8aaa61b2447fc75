// The target registry (targets.hpp).
#include "targets.hpp"

namespace tessera::fuzz {

std::vector<Target>& targets() {
  static std::vector<Target> all;
  return all;
}

std::filesystem::path test_data(const std::string& relative) {
  return std::filesystem::path(TESSERA_TEST_DATA) / relative;
}

}  // namespace tessera::fuzz
