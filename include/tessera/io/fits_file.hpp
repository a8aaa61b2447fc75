// RAII over CFITSIO: one open FITS file, its HDUs, binary-table columns,
// images and header keys.
//
// Every CFITSIO call goes through fits_check(), which turns a non-zero status
// into a tessera::Error naming the file, the HDU / column / key involved and
// CFITSIO's own message (ffgerr text plus the top of its error stack).
// Structural problems (missing HDU, missing column, wrong type, truncated
// file) are FormatError; refusals of the operating system (cannot open,
// cannot write) are IoError.
//
// A FitsFile owns one fitsfile*; moving nulls the source; the destructor
// closes quietly (close() reports errors for writers that care).
//
// Thread safety: one FitsFile must not be used by two threads at once;
// separate FitsFile objects on separate threads are fine (CFITSIO is built
// reentrant on Debian and Spack).
//
// Works with CFITSIO 3.49 and 4.x: only long-standing APIs are used
// (fits_read_col, fits_read_pix, fits_create_tbl, fits_insert_cols, ...).
#pragma once

#include <fitsio.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace tessera::io {

/// Throws FormatError or IoError when `status` is non-zero:
/// "<file>: <object>: <what>: <CFITSIO message>".
void fits_check(int status, const std::string& what, const std::string& file,
                const std::string& object = {});

/// CFITSIO datatype code of a C++ element type (TDOUBLE, TINT, ...).
template <typename T>
constexpr int fits_type_code() {
  if constexpr (std::is_same_v<T, double>)
    return TDOUBLE;
  if constexpr (std::is_same_v<T, float>)
    return TFLOAT;
  if constexpr (std::is_same_v<T, std::int64_t>)
    return TLONGLONG;
  if constexpr (std::is_same_v<T, std::int32_t>)
    return TINT;
  if constexpr (std::is_same_v<T, std::int16_t>)
    return TSHORT;
  if constexpr (std::is_same_v<T, std::uint8_t>)
    return TBYTE;
  if constexpr (std::is_same_v<T, char>)
    return TLOGICAL;
}

/// One column of a binary table to create: name, TFORM ("K", "5E", "6A").
struct FitsColumnSpec {
  std::string name;
  std::string tform;
  std::string unit;
};

/// Type and shape of an existing column.
struct FitsColumnInfo {
  int number = 0;    ///< 1-based column number
  int typecode = 0;  ///< CFITSIO type code (TDOUBLE, TLONGLONG, TSTRING, ...)
  std::int64_t repeat = 1;
  std::int64_t width = 0;
};

struct FitsCloser {
  void operator()(fitsfile* f) const noexcept;
};

/// The buffer of a FITS file held by CFITSIO's memory driver: CFITSIO grows
/// it with realloc() while the file is open; its owner frees it.
struct FitsMemory {
  void* data = nullptr;
  std::size_t size = 0;
  FitsMemory() = default;
  FitsMemory(const FitsMemory&) = delete;
  FitsMemory& operator=(const FitsMemory&) = delete;
  ~FitsMemory();
};

class FitsFile {
 public:
  enum class Mode { kRead, kReadWrite, kCreate, kCreateBare };

  /// Opens (kRead, kReadWrite) or creates (kCreate: replaces an existing file,
  /// writes an empty primary HDU; kCreateBare: no HDU yet, e.g. to copy one in)
  /// a FITS file.
  FitsFile(const std::filesystem::path& path, Mode mode);
  FitsFile(FitsFile&&) noexcept = default;
  /// Closes this file (before its memory buffer, if any, is released).
  FitsFile& operator=(FitsFile&& other) noexcept {
    if (this != &other) {
      file_.reset();
      memory_ = std::move(other.memory_);
      file_ = std::move(other.file_);
      path_ = std::move(other.path_);
      read_size_ = other.read_size_;
    }
    return *this;
  }
  ~FitsFile() = default;

  /// A new FITS file built in memory by CFITSIO's memory driver, with an empty
  /// primary HDU; `label` names it in messages. Many small files are then
  /// each written with one write(2) (take_bytes), not block by block.
  static FitsFile in_memory(const std::string& label);
  /// Closes an in_memory() file (flushing it) and returns the file's bytes:
  /// every HDU, padded to whole 2880-byte blocks as on disk.
  std::string take_bytes();
  /// Byte offset of the current HDU's data unit (= the end of its header).
  std::int64_t data_offset() const;

  fitsfile* get() const noexcept { return file_.get(); }
  const std::string& path() const noexcept { return path_; }
  /// Name of the current HDU for messages ("HDU 2 'REDSHIFTS'").
  std::string hdu_label() const;
  /// Closes and reports errors (flushing a written file). Idempotent.
  void close();

  // ---- HDUs -----------------------------------------------------------------
  int num_hdus() const;
  /// Moves to the HDU with EXTNAME `name`; FormatError naming the HDU if absent
  /// (or, in read mode, if its data unit does not fit in the file).
  void move_to(const std::string& extname);
  /// Moves to HDU `number` (1 = primary).
  void move_to(int number);
  bool has_hdu(const std::string& extname) const;
  /// Moves to the first binary table HDU holding column `column`.
  void move_to_table_with(const std::string& column);

  // ---- binary tables --------------------------------------------------------
  std::int64_t num_rows() const;
  bool has_column(const std::string& name) const;
  FitsColumnInfo column(const std::string& name) const;
  std::vector<std::string> column_names() const;

  /// Reads `nrows` rows from 0-based `first_row` of a scalar or vector column
  /// (repeat elements per row), converting to T. Any numeric column converts;
  /// FormatError if the column is missing or not numeric.
  template <typename T>
  std::vector<T> read_column(const std::string& name, std::int64_t first_row,
                             std::int64_t nrows) const {
    const FitsColumnInfo info = numeric_column(name);
    std::vector<T> out(static_cast<std::size_t>(nrows * info.repeat));
    if (nrows > 0)
      read_raw(info, name, fits_type_code<T>(), first_row, nrows, out.data());
    return out;
  }
  template <typename T>
  std::vector<T> read_column(const std::string& name) const {
    return read_column<T>(name, 0, num_rows());
  }
  /// The same into `out` (nrows * repeat values), for reading in row chunks.
  template <typename T>
  void read_column(const std::string& name, std::int64_t first_row, std::int64_t nrows,
                   T* out) const {
    const FitsColumnInfo info = numeric_column(name);
    if (nrows > 0)
      read_raw(info, name, fits_type_code<T>(), first_row, nrows, out);
  }
  /// Rows per chunk that fit CFITSIO's I/O buffers (fits_get_rowsize): reading
  /// several columns chunk by chunk then reads each file block once, where
  /// whole-column reads of a wide table read the table once per column.
  std::int64_t buffered_rows() const;
  /// Reads a string column (trailing blanks removed).
  std::vector<std::string> read_strings(const std::string& name, std::int64_t first_row,
                                        std::int64_t nrows) const;

  /// Creates a binary table HDU after the current last HDU and moves to it.
  void create_table(const std::string& extname, const std::vector<FitsColumnSpec>& columns,
                    std::int64_t nrows = 0);
  /// Writes `nelem` values of column `name` starting at 0-based `first_row`
  /// (vector columns: nelem = rows * repeat, row-major).
  template <typename T>
  void write_column(const std::string& name, std::int64_t first_row, const T* data,
                    std::int64_t nelem) {
    write_raw(name, fits_type_code<T>(), first_row, const_cast<T*>(data), nelem);
  }
  template <typename T>
  void write_column(const std::string& name, const std::vector<T>& data) {
    write_column(name, 0, data.data(), static_cast<std::int64_t>(data.size()));
  }
  void write_strings(const std::string& name, std::int64_t first_row,
                     const std::vector<std::string>& values);
  /// Inserts columns before column `before` (1-based; ncols+1 appends).
  void insert_columns(int before, const std::vector<FitsColumnSpec>& columns);

  /// Bytes per row of the current binary table (NAXIS1).
  std::int64_t row_bytes() const;
  /// Raw big-endian row bytes of `nrows` rows from 0-based `first_row`
  /// (rows are contiguous in the file: one read).
  void read_row_bytes(std::int64_t first_row, std::int64_t nrows, std::uint8_t* out) const;
  void write_row_bytes(std::int64_t first_row, std::int64_t nrows, const std::uint8_t* data);
  /// Copies the current HDU's header records to the current HDU of `out`,
  /// except the structural keys (XTENSION, BITPIX, NAXISn, PCOUNT, GCOUNT,
  /// TFIELDS, TTYPEn, TFORMn) and those listed in `skip`; then re-reads the
  /// structure of `out` (so copied TZEROn/TSCALn take effect).
  void copy_header_keys_to(FitsFile& out, const std::vector<std::string>& skip) const;
  /// TTYPE/TFORM/TUNIT of every column of the current table, in order.
  std::vector<FitsColumnSpec> column_specs() const;

  /// Copies the current HDU (header and data) of this file to the end of `out`.
  void copy_hdu_to(FitsFile& out) const;

  // ---- images ---------------------------------------------------------------
  /// Dimensions in C order (slowest first): a FLUX image [nspec, nwave].
  std::vector<std::int64_t> image_dims() const;
  /// A whole image, converted to T.
  template <typename T>
  std::vector<T> read_image() const {
    std::int64_t n = 1;
    for (auto d : image_dims())
      n *= d;
    std::vector<T> out(static_cast<std::size_t>(n));
    read_image_span(fits_type_code<T>(), 0, n, out.data());
    return out;
  }
  /// Row `row` (0-based, slowest axis) of a 2-D image into `out` (ncols values).
  template <typename T>
  void read_image_row(std::int64_t row, std::int64_t ncols, T* out) const {
    read_image_span(fits_type_code<T>(), row * ncols, ncols, out);
  }
  /// Creates an image HDU of element type T with C-order `dims` and moves to it.
  template <typename T>
  void create_image(const std::string& extname, const std::vector<std::int64_t>& dims) {
    create_image_raw(extname, image_bitpix<T>(), dims);
  }
  /// Writes `n` values from flat element `first` (0-based, C order).
  template <typename T>
  void write_image(std::int64_t first, const T* data, std::int64_t n) {
    write_image_raw(fits_type_code<T>(), first, const_cast<T*>(data), n);
  }

  // ---- header keys ----------------------------------------------------------
  std::optional<std::string> read_key_string(const std::string& key) const;
  std::optional<std::int64_t> read_key_int(const std::string& key) const;
  std::optional<double> read_key_double(const std::string& key) const;
  void write_key(const std::string& key, const std::string& value, const std::string& comment = {});
  void write_key(const std::string& key, std::int64_t value, const std::string& comment = {});
  void write_key(const std::string& key, double value, const std::string& comment = {});

 private:
  template <typename T>
  static constexpr int image_bitpix() {
    if constexpr (std::is_same_v<T, double>)
      return DOUBLE_IMG;
    if constexpr (std::is_same_v<T, float>)
      return FLOAT_IMG;
    if constexpr (std::is_same_v<T, std::int32_t>)
      return LONG_IMG;
    if constexpr (std::is_same_v<T, std::int16_t>)
      return SHORT_IMG;
    if constexpr (std::is_same_v<T, std::int64_t>)
      return LONGLONG_IMG;
    if constexpr (std::is_same_v<T, std::uint8_t>)
      return BYTE_IMG;
  }
  FitsColumnInfo numeric_column(const std::string& name) const;
  void read_raw(const FitsColumnInfo& info, const std::string& name, int datatype,
                std::int64_t first_row, std::int64_t nrows, void* out) const;
  void write_raw(const std::string& name, int datatype, std::int64_t first_row, void* data,
                 std::int64_t nelem);
  void read_image_span(int datatype, std::int64_t first, std::int64_t n, void* out) const;
  void create_image_raw(const std::string& extname, int bitpix,
                        const std::vector<std::int64_t>& dims);
  void write_image_raw(int datatype, std::int64_t first, void* data, std::int64_t n);
  void check(int status, const std::string& what, const std::string& object = {}) const;
  /// Read mode: FormatError unless the current HDU's data unit, as its header
  /// declares it (NAXISn, PCOUNT), lies inside the file; checked on every
  /// move, so no read or allocation ever believes a damaged size.
  void check_hdu_in_file() const;

  FitsFile() = default;
  // Declared before file_, so a memory file is closed before its buffer goes.
  std::unique_ptr<FitsMemory> memory_;
  std::unique_ptr<fitsfile, FitsCloser> file_;
  std::string path_;
  std::uint64_t read_size_ = 0;  ///< file size when opened for reading, else 0
};

}  // namespace tessera::io
