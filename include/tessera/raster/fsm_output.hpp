// FSM (Factorial Snow Model) point outputs: one text file per terrain cluster.
//
// FSM writes daily rows with the Fortran format i4,2(2x,i2),7(2x,f10.3):
//   year month day [hour] alb rof snd swe tsf tsl
// Some FSM builds omit the hour column (the real Col de Porte file in
// tests/data/fsm has 9 columns), so the variables are taken counting from
// the end of the row: rof -5, snd -4, swe -3, gst (= tsf) -2. The date is the
// first three columns. The parser is strict because a silently shifted series
// would grid plausible but wrong snow: every row must have the same number of
// columns and the days must be consecutive; otherwise a FormatError names the
// file and line.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/raster/civil_date.hpp"

namespace tessera::raster {

/// The gridded FSM variables, in the order of the original's outputs.
enum class FsmVariable : int { kSwe = 0, kSnd = 1, kRof = 2, kGst = 3 };
inline constexpr int kFsmVariableCount = 4;

/// Name, units and descriptions of a variable (CF attributes and file names).
struct FsmVariableInfo {
  const char* name;           ///< NetCDF variable name: "swe"
  const char* file_tag;       ///< the original's file-name tag: "SWE"
  const char* units;          ///< CF units
  const char* long_name;      ///< CF long_name
  const char* standard_name;  ///< CF standard name ("" if none fits)
  int column_from_end;        ///< -3 for swe
};
const FsmVariableInfo& variable_info(FsmVariable v);
/// Parses "swe" | "snd" | "rof" | "gst"; throws UsageError otherwise.
FsmVariable parse_variable(std::string_view name);
/// Parses "swe,snd,rof,gst" (any subset, any order, no duplicates).
std::vector<FsmVariable> parse_variable_list(std::string_view list);

/// One cluster's daily series of every variable.
struct FsmSeries {
  CivilDate start;                                           ///< date of the first row
  std::array<std::vector<float>, kFsmVariableCount> values;  ///< [variable][day]
  std::size_t days() const noexcept { return values[0].size(); }
};

/// Parses the text of one FSM output file. `file` names it in errors.
/// Throws FormatError("<file>", "line N", ...) for ragged rows, unparsable
/// numbers, missing or repeated days, fewer than 8 columns or no rows.
FsmSeries parse_fsm_text(std::string_view text, const std::string& file);
/// Reads and parses one file (IoError if it cannot be read).
FsmSeries read_fsm_file(const std::filesystem::path& path);

/// The FSM outputs of a run directory: sim_FSM_pt_XXXX.txt, XXXX the cluster
/// id. Returns the paths ordered by cluster id; throws FormatError if the ids
/// are not exactly 0..N-1 (a missing cluster would shift every later one)
/// or IoError if the directory has none.
std::vector<std::filesystem::path> list_fsm_files(const std::filesystem::path& dir);

}  // namespace tessera::raster
