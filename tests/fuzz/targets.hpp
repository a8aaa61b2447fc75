// The readers the fuzzer drives, one Target each, registered by the
// target_<pipeline>.cpp files of the pipelines being built.
//
// A target's `read` does what the pipeline does with such a file: open it,
// validate it, read every part a step reads (not only the header), so that
// damage anywhere in the file reaches a check or a failure.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "mutator.hpp"

namespace tessera::fuzz {

struct Target {
  std::string name;       ///< "las": also the folder of its regression files
  std::string extension;  ///< the input is written as input<extension>
  FormatTraits traits;
  /// Valid inputs to mutate, absolute paths (tests/data/...).
  std::vector<std::filesystem::path> seeds;
  std::function<void(const std::filesystem::path&)> read;
  /// Run once in the parent before the first input (library start-up that
  /// every forked child would otherwise repeat: GDAL's drivers, HDF5).
  std::function<void()> prepare = [] {};
};

/// Every registered target, by name.
std::vector<Target>& targets();

struct TargetRegistrar {
  explicit TargetRegistrar(Target t) { targets().push_back(std::move(t)); }
};

/// A file under tests/data.
std::filesystem::path test_data(const std::string& relative);

}  // namespace tessera::fuzz
