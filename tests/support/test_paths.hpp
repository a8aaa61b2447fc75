// Paths the tests need: a fresh scratch directory per test, the tessera
// executable, the test data folder (tests/data).
#pragma once

#include <filesystem>
#include <string>

namespace tessera::test {

/// An empty directory under the build tree, unique to `name`; with MPI the
/// caller passes the same name on every rank and creates it on rank 0.
std::filesystem::path scratch_dir(const std::string& name);
std::filesystem::path test_data(const std::string& relative);
std::filesystem::path tessera_exe();

}  // namespace tessera::test
