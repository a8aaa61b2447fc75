// See include/tessera/core/mpiio_hints.hpp.
#include "tessera/core/mpiio_hints.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <mutex>

#include "tessera/core/error.hpp"
#include "tessera/core/mpi.hpp"

namespace tessera {

namespace {

std::mutex g_mutex;
MpiioHints g_cli;  // from --mpiio-hint

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

void put(MpiioHints& into, std::pair<std::string, std::string> kv) {
  for (auto& have : into) {
    if (have.first == kv.first) {
      have.second = std::move(kv.second);
      return;
    }
  }
  into.push_back(std::move(kv));
}

std::pair<std::string, std::string> parse_pair(const std::string& part, const std::string& source) {
  const auto eq = part.find('=');
  const std::string key = eq == std::string::npos ? std::string() : trim(part.substr(0, eq));
  const std::string value = eq == std::string::npos ? std::string() : trim(part.substr(eq + 1));
  if (key.empty() || value.empty()) {
    throw UsageError(fmt::format("{}: '{}' is not an MPI-IO hint KEY=VALUE", source, trim(part)));
  }
  // MPI_MAX_INFO_KEY / MPI_MAX_INFO_VAL bound what MPI_Info_set accepts (MPI 3.1 9.1).
  if (key.size() >= MPI_MAX_INFO_KEY || value.size() >= MPI_MAX_INFO_VAL)
    throw UsageError(fmt::format("{}: MPI-IO hint '{}' is too long", source, key));
  return {key, value};
}

}  // namespace

MpiioHints parse_mpiio_hints(const std::string& text, const std::string& source) {
  MpiioHints out;
  std::string part;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ';' || text[i] == '\n') {
      if (!trim(part).empty())
        put(out, parse_pair(part, source));
      part.clear();
    } else {
      part += text[i];
    }
  }
  return out;
}

void set_mpiio_hints(const std::vector<std::string>& key_values) {
  MpiioHints parsed;
  for (const auto& kv : key_values)
    put(parsed, parse_pair(kv, "--mpiio-hint"));
  const std::lock_guard<std::mutex> lock(g_mutex);
  g_cli = std::move(parsed);
}

MpiioHints mpiio_hints() {
  MpiioHints out;
  if (const char* env = std::getenv("TESSERA_MPIIO_HINTS"))
    out = parse_mpiio_hints(env, "TESSERA_MPIIO_HINTS");
  const std::lock_guard<std::mutex> lock(g_mutex);
  for (const auto& kv : g_cli)
    put(out, kv);
  return out;
}

MpiioInfo::MpiioInfo() {
  const MpiioHints hints = mpiio_hints();
  if (hints.empty())
    return;
  check_mpi(MPI_Info_create(&info_), "MPI_Info_create");
  for (const auto& [key, value] : hints)
    check_mpi(MPI_Info_set(info_, key.c_str(), value.c_str()), "MPI_Info_set");
}

MpiioInfo::~MpiioInfo() {
  if (info_ != MPI_INFO_NULL)
    MPI_Info_free(&info_);
}

}  // namespace tessera
