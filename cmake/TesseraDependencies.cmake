# Finds every dependency named in the design and fails at configure time with
# one message that lists everything missing (and the Debian/Spack package that
# provides it). Each dependency ends up as an imported target:
#   MPI::MPI_CXX OpenMP::OpenMP_CXX tessera_dep::hdf5 tessera_dep::pnetcdf
#   tessera_dep::netcdf (netcdf-c with parallel HDF5)
#   tessera_dep::cfitsio tessera_dep::healpix tessera_dep::erfa tessera_dep::tiff
#   tessera_dep::deflate tessera_dep::isal nanoflann::nanoflann
#   Boost::program_options Eigen3::Eigen GDAL::GDAL SQLite::SQLite3
#   nlohmann_json::nlohmann_json fmt::fmt   (+ Catch2 for tests)
include(FindPackageHandleStandardArgs)
find_package(PkgConfig QUIET)
set(TESSERA_MISSING "")

macro(tessera_missing what hint)
  list(APPEND TESSERA_MISSING "  - ${what}  (${hint})")
endmacro()

# A library found through pkg-config, or by header + library name (Spack, Cray).
function(tessera_find_c_library name pcname header libnames hint)
  set(tgt tessera_dep::${name})
  if(TARGET ${tgt})
    return()
  endif()
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(TESSERA_PC_${name} QUIET IMPORTED_TARGET GLOBAL ${pcname})
    if(TESSERA_PC_${name}_FOUND)
      add_library(${tgt} INTERFACE IMPORTED GLOBAL)
      target_link_libraries(${tgt} INTERFACE PkgConfig::TESSERA_PC_${name})
      set(TESSERA_VERSION_${name} "${TESSERA_PC_${name}_VERSION}" CACHE INTERNAL "")
      return()
    endif()
  endif()
  find_path(TESSERA_${name}_INCLUDE ${header} PATH_SUFFIXES healpix_cxx)
  find_library(TESSERA_${name}_LIB NAMES ${libnames})
  if(TESSERA_${name}_INCLUDE AND TESSERA_${name}_LIB)
    add_library(${tgt} INTERFACE IMPORTED GLOBAL)
    target_include_directories(${tgt} INTERFACE ${TESSERA_${name}_INCLUDE})
    target_link_libraries(${tgt} INTERFACE ${TESSERA_${name}_LIB})
  else()
    set(TESSERA_MISSING_ONE "  - ${name}  (${hint})" PARENT_SCOPE)
  endif()
endfunction()

macro(tessera_require_c name pcname header libnames hint)
  set(TESSERA_MISSING_ONE "")
  tessera_find_c_library(${name} ${pcname} ${header} "${libnames}" "${hint}")
  if(TESSERA_MISSING_ONE)
    list(APPEND TESSERA_MISSING "${TESSERA_MISSING_ONE}")
  endif()
endmacro()

# --- MPI and OpenMP ---------------------------------------------------------
find_package(MPI COMPONENTS C CXX QUIET)
if(NOT MPI_CXX_FOUND)
  tessera_missing("MPI" "Debian libopenmpi-dev; Spack mpi")
endif()
find_package(OpenMP COMPONENTS CXX QUIET)
if(NOT OpenMP_CXX_FOUND)
  tessera_missing("OpenMP" "a compiler with OpenMP, e.g. g++")
endif()

# --- parallel HDF5 -------------------------------------------------------------
# Debian installs the MPI build beside the serial one; ask pkg-config for it
# first, then FindHDF5 with HDF5_PREFER_PARALLEL (Spack hdf5+mpi, cray-hdf5-parallel).
set(_hdf5_ok FALSE)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(TESSERA_PC_hdf5 QUIET IMPORTED_TARGET GLOBAL hdf5-openmpi)
  if(TESSERA_PC_hdf5_FOUND)
    add_library(tessera_dep::hdf5 INTERFACE IMPORTED GLOBAL)
    target_link_libraries(tessera_dep::hdf5 INTERFACE PkgConfig::TESSERA_PC_hdf5)
    set(_hdf5_ok TRUE)
  endif()
endif()
if(NOT _hdf5_ok)
  set(HDF5_PREFER_PARALLEL TRUE)
  find_package(HDF5 COMPONENTS C QUIET)
  if(HDF5_FOUND AND HDF5_IS_PARALLEL)
    add_library(tessera_dep::hdf5 INTERFACE IMPORTED GLOBAL)
    target_include_directories(tessera_dep::hdf5 INTERFACE ${HDF5_C_INCLUDE_DIRS})
    target_link_libraries(tessera_dep::hdf5 INTERFACE ${HDF5_C_LIBRARIES})
    target_compile_definitions(tessera_dep::hdf5 INTERFACE ${HDF5_C_DEFINITIONS})
    set(_hdf5_ok TRUE)
  endif()
endif()
if(NOT _hdf5_ok)
  tessera_missing("parallel HDF5" "Debian libhdf5-openmpi-dev; Spack hdf5+mpi")
endif()

# --- C libraries through pkg-config ------------------------------------------
tessera_require_c(pnetcdf pnetcdf pnetcdf.h "pnetcdf"
                  "Debian libpnetcdf-dev; Spack parallel-netcdf~fortran")
# netcdf-c built on parallel HDF5 (NetCDF-4 written collectively with
# compression). Debian installs it beside the serial netcdf-c that GDAL uses:
# its pkg-config file (netcdf-mpi) names the serial headers' directory, so the
# MPI build's own include directory goes first. The two libraries version their
# symbols apart (NETCDF_MPI_*). Elsewhere (Spack netcdf-c+mpi, Cray
# cray-netcdf-hdf5parallel) it is the ordinary netcdf pkg-config module; the
# backend refuses a build without NC_HAS_PARALLEL4 at compile time.
if(PKG_CONFIG_FOUND AND NOT TARGET tessera_dep::netcdf)
  pkg_check_modules(TESSERA_PC_netcdf_mpi QUIET IMPORTED_TARGET GLOBAL netcdf-mpi)
  if(TESSERA_PC_netcdf_mpi_FOUND)
    pkg_get_variable(_nc_mpi_prefix netcdf-mpi prefix)
    add_library(tessera_dep::netcdf INTERFACE IMPORTED GLOBAL)
    if(EXISTS "${_nc_mpi_prefix}/include/netcdf_par.h")
      target_include_directories(tessera_dep::netcdf BEFORE INTERFACE "${_nc_mpi_prefix}/include")
    endif()
    target_link_libraries(tessera_dep::netcdf INTERFACE PkgConfig::TESSERA_PC_netcdf_mpi)
    set(TESSERA_VERSION_netcdf "${TESSERA_PC_netcdf_mpi_VERSION}" CACHE INTERNAL "")
  endif()
endif()
tessera_require_c(netcdf netcdf netcdf_par.h "netcdf"
                  "Debian libnetcdf-mpi-dev; Spack netcdf-c+mpi")
tessera_require_c(cfitsio cfitsio fitsio.h "cfitsio"
                  "Debian libcfitsio-dev; Spack cfitsio (3.49 or 4.x)")
tessera_require_c(healpix healpix_cxx healpix_base.h "healpix_cxx"
                  "Debian libhealpix-cxx-dev; Spack healpix-cxx")
tessera_require_c(erfa erfa erfa.h "erfa" "Debian liberfa-dev; Spack erfa")
# casacore: the Measurement Set writer of `subband convert --format ms|both`.
tessera_require_c(casacore casacore casacore/ms/MeasurementSets/MeasurementSet.h
                  "casa_ms;casa_measures;casa_tables;casa_casa" "Debian casacore-dev; Spack casacore")
# libtiff >= 4.5 (TIFFOpenExt) and libdeflate: the DoD GeoTIFF's tiles are
# compressed on every rank and appended by rank 0 (io/tiff_tiles.hpp). GDAL
# links both itself; Tessera names them because it calls them directly.
tessera_require_c(tiff libtiff-4>=4.5 tiffio.h "tiff" "Debian libtiff-dev; Spack libtiff@4.5:")
tessera_require_c(deflate libdeflate libdeflate.h "deflate" "Debian libdeflate-dev; Spack libdeflate")
# Intel ISA-L's igzip: deflate level 1 of the NetCDF-4 chunks that raster grid
# compresses on every rank (io/deflate_stream.hpp), 4-8x zlib's speed.
tessera_require_c(isal libisal isa-l/igzip_lib.h "isal" "Debian libisal-dev; Spack isa-l")

# --- CMake-config packages ---------------------------------------------------
find_package(nanoflann CONFIG QUIET)
if(NOT nanoflann_FOUND)
  tessera_missing("nanoflann" "Debian libnanoflann-dev (1.4.3); Spack nanoflann (>=1.5)")
endif()
find_package(Boost 1.70 COMPONENTS program_options QUIET)
if(NOT Boost_PROGRAM_OPTIONS_FOUND)
  tessera_missing("Boost.Program_options" "Debian libboost-program-options-dev; Spack boost+program_options")
endif()
find_package(Eigen3 3.3 CONFIG QUIET)
if(NOT Eigen3_FOUND)
  tessera_missing("Eigen 3" "Debian libeigen3-dev; Spack eigen")
endif()
find_package(GDAL QUIET)
if(NOT GDAL_FOUND)
  tessera_missing("GDAL" "Debian libgdal-dev; Spack gdal")
endif()
find_package(SQLite3 QUIET)
if(NOT SQLite3_FOUND)
  tessera_missing("SQLite3" "Debian libsqlite3-dev; Spack sqlite")
endif()
find_package(nlohmann_json 3.9 QUIET)
if(NOT nlohmann_json_FOUND)
  tessera_missing("nlohmann_json" "Debian nlohmann-json3-dev; Spack nlohmann-json")
endif()
find_package(fmt QUIET)
if(NOT fmt_FOUND)
  tessera_missing("fmt" "Debian libfmt-dev; Spack fmt")
endif()
if(TESSERA_BUILD_TESTS)
  find_package(Catch2 QUIET)
  if(NOT Catch2_FOUND)
    tessera_missing("Catch2 (v2 or v3)" "Debian catch2; Spack catch2")
  endif()
endif()

if(TESSERA_MISSING)
  list(JOIN TESSERA_MISSING "\n" _msg)
  message(FATAL_ERROR "Tessera: required dependencies not found:\n${_msg}\n"
                      "On Debian 12 run tools/setup.sh; with Spack use spack.yaml.")
endif()

# nanoflann changed its search API in 1.5 (ResultItem, SearchParameters);
# src/tiles/kdtree.hpp keys on this definition.
if(nanoflann_VERSION VERSION_GREATER_EQUAL 1.5)
  set(TESSERA_NANOFLANN_15 1)
else()
  set(TESSERA_NANOFLANN_15 0)
endif()
message(STATUS "Tessera: MPI ${MPI_CXX_VERSION}, HDF5 parallel, nanoflann ${nanoflann_VERSION}, "
               "GDAL ${GDAL_VERSION}, Catch2 ${Catch2_VERSION}")
