// Subband file names and observation groups.
//
// The DSA-110 correlator nodes name files "YYYY-MM-DDTHH:MM:SS_sbNN.hdf5" with
// their own clock at file open, so the 16 subbands of one ~5-minute group
// carry timestamps a few seconds apart. A group is therefore a run of files
// whose timestamps lie within a tolerance (default 60 s) of the group's
// earliest file. Writers use "..._incomplete.hdf5" until the file is
// complete: those names are never part of a group.
// Pure functions: no MPI, no file access (names only).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tessera::subband {

inline constexpr int kSubbandsPerGroup = 16;

struct SubbandFile {
  std::filesystem::path path;
  std::string stamp;        ///< "2022-06-01T00:00:03"
  double unix_seconds = 0;  ///< the stamp as seconds since 1970 (UTC)
  int subband = 0;          ///< NN of "_sbNN"
};

/// Parses a subband file name; nullopt for other names and "_incomplete" files.
std::optional<SubbandFile> parse_subband_name(const std::filesystem::path& path);

/// "YYYY-MM-DDTHH:MM:SS" -> seconds since 1970-01-01 UTC; nullopt if malformed.
std::optional<double> parse_stamp(const std::string& stamp);
/// Seconds since 1970 -> "YYYY-MM-DDTHH:MM:SS".
std::string format_stamp(double unix_seconds);
/// Seconds since 1970 -> Julian date (UTC).
inline double unix_to_jd(double unix_seconds) {
  return 2440587.5 + unix_seconds / 86400.0;
}

struct SubbandGroup {
  std::string stamp;  ///< the earliest file's stamp: the group's name
  double unix_seconds = 0;
  std::vector<SubbandFile> files;  ///< sorted by subband number, one per subband
  /// "sb03: a.hdf5 and b.hdf5" for every subband seen twice (the group is then unusable).
  std::vector<std::string> duplicates;

  bool complete() const { return duplicates.empty() && files.size() == kSubbandsPerGroup; }
  /// Subband numbers 0..15 that no file provides.
  std::vector<int> missing() const;
};

/// Groups files by timestamp: sorted by time, a file joins the current group
/// when it lies within `tolerance_seconds` of the group's first file, else it
/// starts a new group. Groups come out in time order.
std::vector<SubbandGroup> group_subbands(std::vector<SubbandFile> files, double tolerance_seconds);

/// Scans `dir` (not recursive) for subband files and groups them.
std::vector<SubbandGroup> scan_groups(const std::filesystem::path& dir, double tolerance_seconds);

}  // namespace tessera::subband
