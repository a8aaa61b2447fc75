// What the two netcdf-c backends share (nc_netcdf4.cpp, the collective
// writer and reader; nc_netcdf4_chunks.cpp, the writer of chunks compressed
// on the ranks). netcdf.h only: PnetCDF's header defines the same names.
#pragma once

#include <netcdf.h>

#include <cstddef>
#include <string>

#include "tessera/io/nc_file.hpp"

namespace tessera::io::nc4 {

inline nc_type to_nc(NcType t) {
  switch (t) {
    case NcType::kInt:
      return NC_INT;
    case NcType::kFloat:
      return NC_FLOAT;
    case NcType::kDouble:
      break;
  }
  return NC_DOUBLE;
}

/// nc_put_att_<type> for `n` values of `type`; returns netcdf-c's status.
inline int put_att(int ncid, int varid, const std::string& name, NcType type, const void* values,
                   std::size_t n) {
  switch (type) {
    case NcType::kInt:
      return nc_put_att_int(ncid, varid, name.c_str(), NC_INT, n, static_cast<const int*>(values));
    case NcType::kFloat:
      return nc_put_att_float(ncid, varid, name.c_str(), NC_FLOAT, n,
                              static_cast<const float*>(values));
    case NcType::kDouble:
      break;
  }
  return nc_put_att_double(ncid, varid, name.c_str(), NC_DOUBLE, n,
                           static_cast<const double*>(values));
}

}  // namespace tessera::io::nc4
