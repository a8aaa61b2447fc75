// Small typed HDF5 helpers for the UVH5 reader and writer, on top of io/hdf5.hpp.
//
// Reading: whole datasets into vectors with HDF5 converting the element type
// (int32 -> int64, float32 -> float64), fixed- or variable-length strings,
// scalars. Every failure is an IoError/FormatError naming the file and dataset.
// Writing: `write_dataset` creates a dataset and writes it whole from the
// rank with `writer = true`; the other ranks of a parallel file take part in
// the collective create and in a collective transfer with an empty selection,
// so nothing waits on rank 0 alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/io/hdf5.hpp"

namespace tessera::io::h5 {

/// Throws FormatError naming the file and dataset when the dataset declares
/// more bytes than are stored for it in the file: its storage size without
/// filters, or 1100 times it with filters (deflate cannot pack more than
/// 1032:1). Every reader below calls it before allocating, so a damaged
/// dataspace cannot ask for terabytes, nor a sparse chunked dataset make
/// HDF5 fill millions of unwritten chunks.
void require_stored(const File& file, const std::string& name);
/// Throws FormatError naming the file, the dataset and the filter (id and
/// name, e.g. "HDF5 filter 32000 (LZF)") when the dataset is stored through
/// a filter this HDF5 cannot load (a plugin not installed, or
/// HDF5_PLUGIN_PATH pointing elsewhere), instead of the bare "can't read
/// data" that H5Dread gives later.
void require_filters(const File& file, const std::string& name);
/// Number of elements of a dataset (product of its dims; 1 for scalars).
std::uint64_t element_count(const File& file, const std::string& name);
/// Dims (empty for a scalar dataset).
std::vector<std::uint64_t> dataset_dims(const File& file, const std::string& name);

std::vector<double> read_doubles(const File& file, const std::string& name);
std::vector<float> read_floats(const File& file, const std::string& name);
std::vector<std::int64_t> read_ints(const File& file, const std::string& name);
double read_double(const File& file, const std::string& name);
std::int64_t read_int(const File& file, const std::string& name);
/// A scalar string dataset (fixed or variable length; numpy bytes included).
std::string read_string(const File& file, const std::string& name);
/// A 1-D array of strings.
std::vector<std::string> read_strings(const File& file, const std::string& name);

/// Creates `name` (shape `dims`, empty = scalar) with file type `file_type`
/// and writes `data` (memory type `mem_type`) from the writer rank.
void write_dataset(File& file, const std::string& name, hid_t file_type, hid_t mem_type,
                   const std::vector<std::uint64_t>& dims, const void* data, bool writer);
void write_doubles(File& file, const std::string& name, const std::vector<double>& values,
                   const std::vector<std::uint64_t>& dims, bool writer);
void write_ints(File& file, const std::string& name, const std::vector<std::int64_t>& values,
                const std::vector<std::uint64_t>& dims, bool writer);
void write_double(File& file, const std::string& name, double value, bool writer);
void write_int(File& file, const std::string& name, std::int64_t value, bool writer);
/// Fixed-length, null-padded string (what numpy.bytes_ / pyuvdata write).
void write_string(File& file, const std::string& name, const std::string& value, bool writer);
void write_strings(File& file, const std::string& name, const std::vector<std::string>& values,
                   bool writer);

/// The HDF5 enum {FALSE = 0, TRUE = 1} over int8 that h5py uses for numpy bool.
Handle bool_enum_type();
/// Compound {r, i} of float32: UVH5 visdata's element.
Handle complex_float_type();

}  // namespace tessera::io::h5
