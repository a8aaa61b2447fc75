#include "tessera/core/fingerprint.hpp"

#include <fmt/format.h>

#include <chrono>
#include <fstream>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/error.hpp"

namespace fs = std::filesystem;

namespace tessera {

void Fingerprint::mix(std::string_view bytes) {
  // FNV-1a 64: fast, stable across platforms, no dependency. A fingerprint
  // guards against stale outputs, not against adversaries.
  for (unsigned char c : bytes) {
    hash_ ^= c;
    hash_ *= 1099511628211ull;
  }
  hash_ ^= 0xff;  // record separator
  hash_ *= 1099511628211ull;
}

Fingerprint& Fingerprint::add_file(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec)
    throw IoError(fmt::format("cannot stat input: {}", ec.message()), path.string());
  const auto mtime = fs::last_write_time(path, ec);
  if (ec)
    throw IoError(fmt::format("cannot stat input: {}", ec.message()), path.string());
  const auto ticks = mtime.time_since_epoch().count();
  mix(fs::absolute(path).lexically_normal().string());
  mix(fmt::format("{}:{}", size, ticks));
  return *this;
}

Fingerprint& Fingerprint::add(std::string_view key, std::string_view value) {
  mix(key);
  mix(value);
  return *this;
}

std::string Fingerprint::hex() const {
  return fmt::format("{:016x}", hash_);
}

fs::path fingerprint_path(const fs::path& output) {
  return output.parent_path() / (output.filename().string() + ".fp");
}

bool is_up_to_date(const fs::path& output, const Fingerprint& fp) {
  std::error_code ec;
  if (!fs::exists(output, ec))
    return false;
  std::ifstream in(fingerprint_path(output));
  std::string recorded;
  if (!(in >> recorded))
    return false;
  return recorded == fp.hex();
}

void record_fingerprint(const fs::path& output, const Fingerprint& fp) {
  write_file_atomically(fingerprint_path(output), fp.hex() + "\n");
}

}  // namespace tessera
