// CFITSIO wrapper (include/tessera/io/fits_file.hpp).
#include "tessera/io/fits_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "tessera/core/error.hpp"

namespace tessera::io {
namespace {

// CFITSIO status codes that mean "the file is not what it should be" rather
// than "the operating system refused" (fitsio.h numbering).
bool is_format_status(int status) {
  switch (status) {
    case FILE_NOT_OPENED:
    case FILE_NOT_CREATED:
    case WRITE_ERROR:
    case READONLY_FILE:
    case TOO_MANY_FILES:
    case MEMORY_ALLOCATION:
      return false;
    default:
      return true;
  }
}

std::string status_text(int status) {
  char text[FLEN_STATUS] = {0};
  fits_get_errstatus(status, text);
  std::string message = text;
  // The top of CFITSIO's error stack usually names the keyword or row.
  char stack[FLEN_ERRMSG] = {0};
  std::string detail;
  while (fits_read_errmsg(stack)) {
    if (detail.empty() && stack[0] != '\0')
      detail = stack;
  }
  if (!detail.empty() && detail != message)
    message += " (" + detail + ")";
  return message;
}

}  // namespace

void fits_check(int status, const std::string& what, const std::string& file,
                const std::string& object) {
  if (status == 0)
    return;
  const std::string message = fmt::format("{}: {}", what, status_text(status));
  if (is_format_status(status))
    throw FormatError(message, file, object);
  throw IoError(message, file, object);
}

void FitsCloser::operator()(fitsfile* f) const noexcept {
  int status = 0;
  if (f)
    fits_close_file(f, &status);
  if (status)
    fits_clear_errmsg();
}

FitsFile::FitsFile(const std::filesystem::path& path, Mode mode) : path_(path.string()) {
  int status = 0;
  fitsfile* raw = nullptr;
  if (mode == Mode::kCreate || mode == Mode::kCreateBare) {
    // fits_create_diskfile: the name is taken literally (no extended syntax).
    std::error_code ec;
    std::filesystem::remove(path, ec);
    fits_create_diskfile(&raw, path_.c_str(), &status);
    if (status == 0)
      file_.reset(raw);
    if (status == 0 && mode == Mode::kCreate) {
      long naxes[1] = {0};
      fits_create_img(raw, BYTE_IMG, 0, naxes, &status);
    }
    check(status, "cannot create FITS file");
    return;
  }
  if (!std::filesystem::exists(path)) {
    throw IoError("no such file", path_);
  }
  // CFITSIO's own words for these ("error reading from FITS file", "tried to
  // move past end of file") do not say what is wrong.
  std::error_code fs_ec;
  if (std::filesystem::is_directory(path, fs_ec))
    throw IoError("is a directory, not a FITS file", path_);
  if (std::filesystem::file_size(path, fs_ec) == 0 && !fs_ec)
    throw FormatError("empty file (0 bytes), not a FITS file", path_);
  // fits_open_diskfile: no extended-filename parsing of brackets in paths.
  fits_open_diskfile(&raw, path_.c_str(), mode == Mode::kRead ? READONLY : READWRITE, &status);
  if (status == 0)
    file_.reset(raw);
  if (status != 0) {
    const std::string message = fmt::format("cannot open as FITS: {}", status_text(status));
    if (status == FILE_NOT_OPENED)
      throw IoError(message, path_);
    throw FormatError(message, path_);
  }
  if (mode == Mode::kRead) {
    std::error_code ec;
    read_size_ = std::filesystem::file_size(path, ec);
    if (ec)
      throw IoError("cannot stat: " + ec.message(), path_);
    check_hdu_in_file();
  }
}

namespace {

// a * b, or nullopt when it does not fit in 63 bits (or a factor is negative).
std::optional<std::int64_t> times(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

}  // namespace

void FitsFile::check_hdu_in_file() const {
  if (read_size_ == 0)
    return;
  int status = 0;
  LONGLONG head = 0, data = 0, end = 0;
  fits_get_hduaddrll(file_.get(), &head, &data, &end, &status);
  check(status, "cannot locate the HDU's data");
  // The data unit's size from the header itself (FITS Standard 4.4.1.1:
  // |BITPIX|/8 x GCOUNT x (PCOUNT + NAXIS1 x ... x NAXISm)), with overflow
  // caught: CFITSIO's own end wraps for NAXISn near 2^63.
  std::optional<std::int64_t> bytes = std::abs(read_key_int("BITPIX").value_or(8)) / 8;
  const std::int64_t naxis = read_key_int("NAXIS").value_or(0);
  std::optional<std::int64_t> elements = naxis > 0 ? 1 : 0;
  for (std::int64_t i = 1; i <= naxis && elements; ++i) {
    const std::int64_t n = read_key_int(fmt::format("NAXIS{}", i)).value_or(0);
    if (i == 1 && n == 0 && naxis > 1)
      continue;  // random groups: NAXIS1 = 0 is not a dimension
    elements = times(*elements, n);
  }
  if (elements) {
    std::int64_t sum = 0;
    const std::int64_t pcount = read_key_int("PCOUNT").value_or(0);
    if (pcount < 0 || __builtin_add_overflow(*elements, pcount, &sum))
      elements.reset();
    else
      elements = sum;
  }
  if (elements)
    bytes = times(*bytes, *elements);
  if (bytes)
    bytes = times(*bytes, read_key_int("GCOUNT").value_or(1));
  // The data unit is padded to whole 2880-byte blocks (FITS Standard 3.3.2);
  // a file cut inside its last block is left to the reads to report.
  const std::uint64_t blocks = (read_size_ + 2879) / 2880 * 2880;
  const bool fits_in_file = bytes && static_cast<std::uint64_t>(data) <= blocks &&
                            static_cast<std::uint64_t>(*bytes) <= blocks - data;
  if (!fits_in_file || end < data || static_cast<std::uint64_t>(end) > blocks) {
    throw FormatError(
        fmt::format("the header declares a data unit of {} bytes from byte {} but the file has {} "
                    "bytes (truncated, or NAXISn/PCOUNT damaged)",
                    bytes ? std::to_string(*bytes) : std::string("more than 2^63"),
                    static_cast<long long>(data), read_size_),
        path_, hdu_label());
  }
}

FitsMemory::~FitsMemory() {
  std::free(data);
}

FitsFile FitsFile::in_memory(const std::string& label) {
  FitsFile f;
  f.path_ = label;
  f.memory_ = std::make_unique<FitsMemory>();
  int status = 0;
  fitsfile* raw = nullptr;
  // Start with two blocks (primary header + one extension header), grow by
  // ten; CFITSIO reallocs through the pointers it keeps to memory_'s fields.
  f.memory_->size = 2 * 2880;
  // Zeroed: CFITSIO must not find a stale FITS header in recycled memory.
  f.memory_->data = std::calloc(f.memory_->size, 1);
  if (f.memory_->data == nullptr)
    throw IoError("cannot allocate an in-memory FITS file", label);
  fits_create_memfile(&raw, &f.memory_->data, &f.memory_->size, 10 * 2880, std::realloc, &status);
  if (status == 0)
    f.file_.reset(raw);
  if (status == 0) {
    long naxes[1] = {0};
    fits_create_img(raw, BYTE_IMG, 0, naxes, &status);
  }
  f.check(status, "cannot create an in-memory FITS file");
  return f;
}

std::int64_t FitsFile::data_offset() const {
  int status = 0;
  LONGLONG head = 0, data = 0, end = 0;
  fits_get_hduaddrll(file_.get(), &head, &data, &end, &status);
  check(status, "cannot locate the HDU's data");
  return data;
}

std::string FitsFile::take_bytes() {
  if (!memory_ || !file_)
    throw IoError("take_bytes: not an open in-memory FITS file", path_);
  // The file ends where its last HDU's (padded) data unit ends.
  int status = 0;
  int n = 0;
  fits_get_num_hdus(file_.get(), &n, &status);
  fits_movabs_hdu(file_.get(), n, nullptr, &status);
  LONGLONG head = 0, data = 0, end = 0;
  fits_get_hduaddrll(file_.get(), &head, &data, &end, &status);
  check(status, "cannot size the in-memory FITS file");
  close();
  if (static_cast<std::size_t>(end) > memory_->size)
    throw IoError("in-memory FITS file shorter than its HDUs", path_);
  return std::string(static_cast<const char*>(memory_->data), static_cast<std::size_t>(end));
}

void FitsFile::check(int status, const std::string& what, const std::string& object) const {
  fits_check(status, what, path_, object.empty() && file_ ? hdu_label() : object);
}

std::string FitsFile::hdu_label() const {
  if (!file_)
    return {};
  int status = 0;
  int number = 0;
  fits_get_hdu_num(file_.get(), &number);
  char name[FLEN_VALUE] = {0};
  fits_read_key(file_.get(), TSTRING, "EXTNAME", name, nullptr, &status);
  if (status) {
    fits_clear_errmsg();
    return fmt::format("HDU {}", number);
  }
  return fmt::format("HDU {} '{}'", number, name);
}

void FitsFile::close() {
  if (!file_)
    return;
  int status = 0;
  fitsfile* raw = file_.release();
  fits_close_file(raw, &status);
  fits_check(status, "cannot close (flush) FITS file", path_);
}

int FitsFile::num_hdus() const {
  int status = 0;
  int n = 0;
  fits_get_num_hdus(file_.get(), &n, &status);
  check(status, "cannot count HDUs");
  return n;
}

void FitsFile::move_to(const std::string& extname) {
  int status = 0;
  fits_movnam_hdu(file_.get(), ANY_HDU, const_cast<char*>(extname.c_str()), 0, &status);
  if (status == BAD_HDU_NUM) {
    fits_clear_errmsg();
    throw FormatError("no HDU with this EXTNAME", path_, "HDU '" + extname + "'");
  }
  fits_check(status, "cannot move to HDU", path_, "HDU '" + extname + "'");
  check_hdu_in_file();
}

void FitsFile::move_to(int number) {
  int status = 0;
  fits_movabs_hdu(file_.get(), number, nullptr, &status);
  fits_check(status, "cannot move to HDU", path_, fmt::format("HDU {}", number));
  check_hdu_in_file();
}

bool FitsFile::has_hdu(const std::string& extname) const {
  int status = 0;
  int current = 0;
  fits_get_hdu_num(file_.get(), &current);
  fits_movnam_hdu(file_.get(), ANY_HDU, const_cast<char*>(extname.c_str()), 0, &status);
  const bool found = status == 0;
  if (status)
    fits_clear_errmsg();
  status = 0;
  fits_movabs_hdu(file_.get(), current, nullptr, &status);
  return found;
}

void FitsFile::move_to_table_with(const std::string& column) {
  const int n = num_hdus();
  for (int i = 2; i <= n; ++i) {
    move_to(i);
    int status = 0;
    int type = 0;
    fits_get_hdu_type(file_.get(), &type, &status);
    if (status == 0 && type == BINARY_TBL && has_column(column))
      return;
  }
  throw FormatError("no binary table HDU holds column '" + column + "'", path_,
                    "column '" + column + "'");
}

std::int64_t FitsFile::num_rows() const {
  int status = 0;
  long long n = 0;
  fits_get_num_rowsll(file_.get(), &n, &status);
  check(status, "cannot read the row count");
  return n;
}

std::int64_t FitsFile::buffered_rows() const {
  int status = 0;
  long n = 0;
  fits_get_rowsize(file_.get(), &n, &status);
  check(status, "cannot read the optimal row count");
  return std::max<std::int64_t>(n, 1);
}

bool FitsFile::has_column(const std::string& name) const {
  int status = 0;
  int number = 0;
  fits_get_colnum(file_.get(), CASEINSEN, const_cast<char*>(name.c_str()), &number, &status);
  if (status)
    fits_clear_errmsg();
  return status == 0;
}

FitsColumnInfo FitsFile::column(const std::string& name) const {
  FitsColumnInfo info;
  int status = 0;
  fits_get_colnum(file_.get(), CASEINSEN, const_cast<char*>(name.c_str()), &info.number, &status);
  if (status) {
    fits_clear_errmsg();
    throw FormatError("missing column", path_, hdu_label() + " column '" + name + "'");
  }
  long long repeat = 0;
  long long width = 0;
  fits_get_eqcoltypell(file_.get(), info.number, &info.typecode, &repeat, &width, &status);
  check(status, "cannot read the column type", hdu_label() + " column '" + name + "'");
  info.repeat = repeat;
  info.width = width;
  return info;
}

std::vector<std::string> FitsFile::column_names() const {
  int status = 0;
  int ncols = 0;
  fits_get_num_cols(file_.get(), &ncols, &status);
  check(status, "cannot count columns");
  std::vector<std::string> names;
  for (int i = 1; i <= ncols; ++i) {
    char key[FLEN_KEYWORD];
    char value[FLEN_VALUE] = {0};
    fits_make_keyn("TTYPE", i, key, &status);
    fits_read_key(file_.get(), TSTRING, key, value, nullptr, &status);
    check(status, "cannot read column names");
    names.emplace_back(value);
  }
  return names;
}

FitsColumnInfo FitsFile::numeric_column(const std::string& name) const {
  FitsColumnInfo info = column(name);
  if (info.typecode == TSTRING || info.typecode < 0) {
    throw FormatError("column is not numeric (or is variable-length)", path_,
                      hdu_label() + " column '" + name + "'");
  }
  return info;
}

void FitsFile::read_raw(const FitsColumnInfo& info, const std::string& name, int datatype,
                        std::int64_t first_row, std::int64_t nrows, void* out) const {
  int status = 0;
  int anynul = 0;
  fits_read_col(file_.get(), datatype, info.number, first_row + 1, 1, nrows * info.repeat, nullptr,
                out, &anynul, &status);
  check(status, fmt::format("cannot read rows {}..{}", first_row, first_row + nrows - 1),
        hdu_label() + " column '" + name + "'");
}

std::vector<std::string> FitsFile::read_strings(const std::string& name, std::int64_t first_row,
                                                std::int64_t nrows) const {
  const FitsColumnInfo info = column(name);
  if (info.typecode != TSTRING) {
    throw FormatError("column is not a string column", path_,
                      hdu_label() + " column '" + name + "'");
  }
  const auto width = static_cast<std::size_t>(std::max<std::int64_t>(info.repeat, 1));
  std::vector<std::string> out(static_cast<std::size_t>(nrows));
  std::vector<char> buffer(static_cast<std::size_t>(nrows) * (width + 1), '\0');
  std::vector<char*> pointers(static_cast<std::size_t>(nrows));
  for (std::size_t i = 0; i < pointers.size(); ++i)
    pointers[i] = buffer.data() + i * (width + 1);
  if (nrows > 0) {
    int status = 0;
    int anynul = 0;
    char empty[] = "";
    fits_read_col(file_.get(), TSTRING, info.number, first_row + 1, 1, nrows, empty,
                  pointers.data(), &anynul, &status);
    check(status, "cannot read strings", hdu_label() + " column '" + name + "'");
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::string s = pointers[i];
    while (!s.empty() && s.back() == ' ')
      s.pop_back();
    out[i] = std::move(s);
  }
  return out;
}

void FitsFile::create_table(const std::string& extname, const std::vector<FitsColumnSpec>& columns,
                            std::int64_t nrows) {
  std::vector<char*> names;
  std::vector<char*> forms;
  std::vector<char*> units;
  for (const auto& c : columns) {
    names.push_back(const_cast<char*>(c.name.c_str()));
    forms.push_back(const_cast<char*>(c.tform.c_str()));
    units.push_back(const_cast<char*>(c.unit.c_str()));
  }
  int status = 0;
  fits_create_tbl(file_.get(), BINARY_TBL, nrows, static_cast<int>(columns.size()), names.data(),
                  forms.data(), units.data(), extname.c_str(), &status);
  fits_check(status, "cannot create binary table", path_, "HDU '" + extname + "'");
}

void FitsFile::write_raw(const std::string& name, int datatype, std::int64_t first_row, void* data,
                         std::int64_t nelem) {
  const FitsColumnInfo info = column(name);
  if (nelem <= 0)
    return;
  int status = 0;
  fits_write_col(file_.get(), datatype, info.number, first_row + 1, 1, nelem, data, &status);
  check(status, "cannot write", hdu_label() + " column '" + name + "'");
}

void FitsFile::write_strings(const std::string& name, std::int64_t first_row,
                             const std::vector<std::string>& values) {
  const FitsColumnInfo info = column(name);
  if (values.empty())
    return;
  std::vector<char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values)
    pointers.push_back(const_cast<char*>(v.c_str()));
  int status = 0;
  fits_write_col(file_.get(), TSTRING, info.number, first_row + 1, 1,
                 static_cast<long long>(values.size()), pointers.data(), &status);
  check(status, "cannot write strings", hdu_label() + " column '" + name + "'");
}

void FitsFile::insert_columns(int before, const std::vector<FitsColumnSpec>& columns) {
  std::vector<char*> names;
  std::vector<char*> forms;
  for (const auto& c : columns) {
    names.push_back(const_cast<char*>(c.name.c_str()));
    forms.push_back(const_cast<char*>(c.tform.c_str()));
  }
  int status = 0;
  fits_insert_cols(file_.get(), before, static_cast<int>(columns.size()), names.data(),
                   forms.data(), &status);
  check(status, "cannot insert columns");
}

std::int64_t FitsFile::row_bytes() const {
  const auto v = read_key_int("NAXIS1");
  if (!v)
    throw FormatError("no NAXIS1 key", path_, hdu_label());
  return *v;
}

void FitsFile::read_row_bytes(std::int64_t first_row, std::int64_t nrows, std::uint8_t* out) const {
  if (nrows <= 0)
    return;
  int status = 0;
  fits_read_tblbytes(file_.get(), first_row + 1, 1, nrows * row_bytes(), out, &status);
  check(status, fmt::format("cannot read rows {}..{}", first_row, first_row + nrows - 1));
}

void FitsFile::write_row_bytes(std::int64_t first_row, std::int64_t nrows,
                               const std::uint8_t* data) {
  if (nrows <= 0)
    return;
  int status = 0;
  fits_write_tblbytes(file_.get(), first_row + 1, 1, nrows * row_bytes(),
                      const_cast<std::uint8_t*>(data), &status);
  check(status, fmt::format("cannot write rows {}..{}", first_row, first_row + nrows - 1));
}

void FitsFile::copy_header_keys_to(FitsFile& out, const std::vector<std::string>& skip) const {
  int status = 0;
  int nkeys = 0;
  fits_get_hdrspace(file_.get(), &nkeys, nullptr, &status);
  check(status, "cannot count header keys");
  auto structural = [&](const std::string& name) {
    static const char* fixed[] = {"XTENSION", "BITPIX", "PCOUNT", "GCOUNT", "TFIELDS", "END"};
    for (const char* f : fixed) {
      if (name == f)
        return true;
    }
    for (const char* prefix : {"NAXIS", "TTYPE", "TFORM"}) {
      if (name.rfind(prefix, 0) == 0)
        return true;
    }
    for (const auto& k : skip) {
      if (name == k)
        return true;
    }
    return false;
  };
  for (int i = 1; i <= nkeys; ++i) {
    char card[FLEN_CARD] = {0};
    char name[FLEN_KEYWORD] = {0};
    char value[FLEN_VALUE] = {0};
    fits_read_record(file_.get(), i, card, &status);
    fits_read_keyn(file_.get(), i, name, value, nullptr, &status);
    check(status, fmt::format("cannot read header record {}", i));
    if (structural(name))
      continue;
    fits_write_record(out.file_.get(), card, &status);
    fits_check(status, fmt::format("cannot copy header key {}", name), out.path_);
  }
  fits_set_hdustruc(out.file_.get(), &status);
  fits_check(status, "cannot re-read the table structure", out.path_);
}

std::vector<FitsColumnSpec> FitsFile::column_specs() const {
  std::vector<FitsColumnSpec> specs;
  int status = 0;
  int ncols = 0;
  fits_get_num_cols(file_.get(), &ncols, &status);
  check(status, "cannot count columns");
  for (int i = 1; i <= ncols; ++i) {
    char key[FLEN_KEYWORD];
    char ttype[FLEN_VALUE] = {0};
    char tform[FLEN_VALUE] = {0};
    fits_make_keyn("TTYPE", i, key, &status);
    fits_read_key(file_.get(), TSTRING, key, ttype, nullptr, &status);
    fits_make_keyn("TFORM", i, key, &status);
    fits_read_key(file_.get(), TSTRING, key, tform, nullptr, &status);
    check(status, fmt::format("cannot read the definition of column {}", i));
    specs.push_back({ttype, tform, ""});
  }
  return specs;
}

void FitsFile::copy_hdu_to(FitsFile& out) const {
  int status = 0;
  fits_copy_hdu(file_.get(), out.file_.get(), 0, &status);
  fits_check(status, "cannot copy " + hdu_label() + " from " + path_, out.path_);
}

std::vector<std::int64_t> FitsFile::image_dims() const {
  int status = 0;
  int naxis = 0;
  fits_get_img_dim(file_.get(), &naxis, &status);
  check(status, "cannot read image dimensions");
  std::vector<long long> naxes(static_cast<std::size_t>(std::max(naxis, 1)), 0);
  if (naxis > 0)
    fits_get_img_sizell(file_.get(), naxis, naxes.data(), &status);
  check(status, "cannot read image size");
  std::vector<std::int64_t> dims(naxes.rbegin(), naxes.rend());
  if (naxis == 0)
    dims.clear();
  return dims;
}

void FitsFile::read_image_span(int datatype, std::int64_t first, std::int64_t n, void* out) const {
  int status = 0;
  int anynul = 0;
  fits_read_img(file_.get(), datatype, first + 1, n, nullptr, out, &anynul, &status);
  check(status, fmt::format("cannot read image elements {}..{}", first, first + n - 1));
}

void FitsFile::create_image_raw(const std::string& extname, int bitpix,
                                const std::vector<std::int64_t>& dims) {
  std::vector<long long> naxes(dims.rbegin(), dims.rend());
  int status = 0;
  fits_create_imgll(file_.get(), bitpix, static_cast<int>(naxes.size()), naxes.data(), &status);
  fits_check(status, "cannot create image", path_, "HDU '" + extname + "'");
  fits_update_key(file_.get(), TSTRING, "EXTNAME", const_cast<char*>(extname.c_str()), nullptr,
                  &status);
  fits_check(status, "cannot write EXTNAME", path_, "HDU '" + extname + "'");
}

void FitsFile::write_image_raw(int datatype, std::int64_t first, void* data, std::int64_t n) {
  int status = 0;
  fits_write_img(file_.get(), datatype, first + 1, n, data, &status);
  check(status, "cannot write image");
}

std::optional<std::string> FitsFile::read_key_string(const std::string& key) const {
  int status = 0;
  char value[FLEN_VALUE] = {0};
  fits_read_key(file_.get(), TSTRING, key.c_str(), value, nullptr, &status);
  if (status == KEY_NO_EXIST) {
    fits_clear_errmsg();
    return std::nullopt;
  }
  check(status, "cannot read key", hdu_label() + " key '" + key + "'");
  return std::string(value);
}

std::optional<std::int64_t> FitsFile::read_key_int(const std::string& key) const {
  int status = 0;
  long long value = 0;
  fits_read_key(file_.get(), TLONGLONG, key.c_str(), &value, nullptr, &status);
  if (status == KEY_NO_EXIST) {
    fits_clear_errmsg();
    return std::nullopt;
  }
  check(status, "cannot read integer key", hdu_label() + " key '" + key + "'");
  return value;
}

std::optional<double> FitsFile::read_key_double(const std::string& key) const {
  int status = 0;
  double value = 0;
  fits_read_key(file_.get(), TDOUBLE, key.c_str(), &value, nullptr, &status);
  if (status == KEY_NO_EXIST) {
    fits_clear_errmsg();
    return std::nullopt;
  }
  check(status, "cannot read real key", hdu_label() + " key '" + key + "'");
  return value;
}

void FitsFile::write_key(const std::string& key, const std::string& value,
                         const std::string& comment) {
  int status = 0;
  fits_update_key(file_.get(), TSTRING, key.c_str(), const_cast<char*>(value.c_str()),
                  comment.empty() ? nullptr : comment.c_str(), &status);
  check(status, "cannot write key", hdu_label() + " key '" + key + "'");
}

void FitsFile::write_key(const std::string& key, std::int64_t value, const std::string& comment) {
  int status = 0;
  long long v = value;
  fits_update_key(file_.get(), TLONGLONG, key.c_str(), &v,
                  comment.empty() ? nullptr : comment.c_str(), &status);
  check(status, "cannot write key", hdu_label() + " key '" + key + "'");
}

void FitsFile::write_key(const std::string& key, double value, const std::string& comment) {
  int status = 0;
  double v = value;
  fits_update_key(file_.get(), TDOUBLE, key.c_str(), &v,
                  comment.empty() ? nullptr : comment.c_str(), &status);
  check(status, "cannot write key", hdu_label() + " key '" + key + "'");
}

}  // namespace tessera::io
