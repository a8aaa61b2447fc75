// Input fingerprints: re-running a step skips outputs that are up to date.
//
// A fingerprint hashes what an output was made from: each input's path, size
// and modification time, plus the options that change the result. It is
// stored beside the output as "<output>.fp" after the output was committed, so
// an output without a matching sidecar (older inputs, other options, or a run
// killed between the two renames) is redone. --clobber ignores it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace tessera {

class Fingerprint {
 public:
  /// Adds an input file (path, size, mtime). Throws IoError if it is missing.
  Fingerprint& add_file(const std::filesystem::path& path);
  /// Adds an option or any other value that changes the output.
  Fingerprint& add(std::string_view key, std::string_view value);
  /// 16 hex digits (FNV-1a 64 over the added records).
  std::string hex() const;

 private:
  void mix(std::string_view bytes);
  std::uint64_t hash_ = 14695981039346656037ull;
};

/// True when `output` exists and its sidecar records `fp`.
bool is_up_to_date(const std::filesystem::path& output, const Fingerprint& fp);
/// Writes the sidecar for a committed output (atomically).
void record_fingerprint(const std::filesystem::path& output, const Fingerprint& fp);
std::filesystem::path fingerprint_path(const std::filesystem::path& output);

}  // namespace tessera
