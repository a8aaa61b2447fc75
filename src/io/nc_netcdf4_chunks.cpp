// NetCDF-4 files whose chunks are compressed by the ranks that computed them
// and written by rank 0: the NcBackend of NcFormat::kNetcdf4 when the writer
// puts whole chunks only (NcCreateOptions::whole_chunks; raster grid).
//
// Why not netcdf-c's parallel writes (nc_netcdf4.cpp) here: a gridded day
// costs 0.1 % of its time to compute and the rest to deflate, and inside
// HDF5's filter pipeline deflate is zlib (filter 1 cannot be re-registered,
// H5Zregister refuses predefined filters). Compressing the chunks ourselves
// lets the fastest deflate do it (deflate_stream.hpp: igzip, 8x zlib at
// level 1); HDF5 then stores the finished streams with H5Dwrite_chunk. That
// call is not safe from several ranks of a parallel HDF5 file in HDF5 1.10:
// each rank allocates file space for its own chunks, their views of the
// file diverge and the collective close hangs (tried: H5Fclose waits in
// H5FD_truncate's broadcast on one rank and a barrier on the other). So rank
// 0 alone holds the file: it defines it with netcdf-c (serial API), reopens
// it with HDF5 and writes what every rank sends it. The data rank 0 receives
// is the compressed size (0.05 of the raw grid on the medium case), which
// is what a single writer can take; the deflate work stays spread over all
// ranks and their threads.
//
// Collective points: create, enddef, every complete() and close() end with
// rank 0's verdict broadcast, so every rank throws the same IoError or none
// does. Define calls run on rank 0 only (the other ranks keep the names and
// shapes); a define error is reported at enddef.
#include <hdf5.h>
#include <netcdf.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <utility>

#include "nc_backend.hpp"
#include "nc_netcdf4_common.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/deflate_stream.hpp"
#include "tessera/io/hdf5.hpp"
#include "tessera/io/slab_chunks.hpp"

namespace tessera::io {

namespace {

std::size_t elem_size(NcType t) {
  return t == NcType::kDouble ? 8 : 4;
}

hid_t to_h5(NcType t) {
  switch (t) {
    case NcType::kInt:
      return H5T_NATIVE_INT;
    case NcType::kFloat:
      return H5T_NATIVE_FLOAT;
    case NcType::kDouble:
      break;
  }
  return H5T_NATIVE_DOUBLE;
}

// One piece of a put as shipped to rank 0: a finished chunk (its element
// origin) or a raw hyperslab of a contiguous variable.
struct PieceHeader {
  std::int32_t varid;  ///< kErrorRecord: the bytes are a rank's error text
  std::int32_t is_chunk;
  std::int64_t bytes;
};

constexpr std::int32_t kErrorRecord = -1;

void append(std::vector<std::uint8_t>& buf, const void* data, std::size_t n) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  buf.insert(buf.end(), p, p + n);
}

template <class T>
T take(const std::vector<std::uint8_t>& buf, std::size_t& at) {
  T v;
  if (at + sizeof(T) > buf.size())
    throw IoError("internal: a shipped chunk record is cut short");
  std::memcpy(&v, buf.data() + at, sizeof(T));
  at += sizeof(T);
  return v;
}

class Netcdf4ChunkBackend final : public NcBackend {
 public:
  Netcdf4ChunkBackend(MPI_Comm comm, std::string path, const NcCreateOptions& options)
      : comm_(comm), path_(std::move(path)), options_(options) {}
  ~Netcdf4ChunkBackend() override { close_quietly(); }

  void create() {
    std::string error;
    if (comm_.is_root()) {
      const int rc = nc_create(path_.c_str(), NC_CLOBBER | NC_NETCDF4, &ncid_);
      if (rc != NC_NOERR)
        error = std::string("cannot create NetCDF-4 file: ") + nc_strerror(rc);
    }
    agree(std::move(error));
    open_ = true;
  }

  NcFormat format() const override { return NcFormat::kNetcdf4; }

  int def_dim(const std::string& name, std::int64_t length) override {
    dims_.push_back({name, length});
    const int id = static_cast<int>(dims_.size()) - 1;
    if (comm_.is_root() && define_error_.empty()) {
      int real = -1;
      note(nc_def_dim(ncid_, name.c_str(), static_cast<std::size_t>(length), &real), "def_dim",
           name);
      if (define_error_.empty() && real != id)
        define_error_ = "def_dim " + name + ": unexpected dimension id";
    }
    return id;
  }

  int def_var(const std::string& name, NcType type, const std::vector<int>& dims,
              const NcStorage& storage) override {
    Var v{name, type, {}, {}, storage.compress};
    for (int d : dims) {
      if (d < 0 || d >= static_cast<int>(dims_.size()))
        throw UsageError("def_var: no such dimension", path_, name);
      v.dims.push_back(dims_[static_cast<std::size_t>(d)].length);
    }
    if (!dims.empty() && !storage.chunk.empty()) {
      if (storage.chunk.size() != dims.size())
        throw UsageError("chunk shape has the wrong rank", path_, name);
      v.chunk.assign(storage.chunk.begin(), storage.chunk.end());
    }
    vars_.push_back(v);
    const int id = static_cast<int>(vars_.size()) - 1;
    if (comm_.is_root() && define_error_.empty())
      define_on_root(v, dims, id);
    return id;
  }

  void put_att(int varid, const std::string& name, const std::string& text) override {
    if (comm_.is_root() && define_error_.empty())
      note(nc_put_att_text(ncid_, varid, name.c_str(), text.size(), text.c_str()),
           "put_att " + name, var_name(varid));
  }

  void put_att(int varid, const std::string& name, NcType type, const void* values,
               std::size_t n) override {
    if (!comm_.is_root() || !define_error_.empty())
      return;
    const int rc = nc4::put_att(ncid_, varid, name, type, values, n);
    note(rc, "put_att " + name, var_name(varid));
  }

  // The structure is complete: netcdf-c closes the file and HDF5 (serial
  // driver, rank 0) reopens it for the data.
  void enddef() override {
    std::string error = define_error_;
    if (comm_.is_root()) {
      // Fill stays on (netcdf-c's default): direct chunk writes never fill,
      // and a variable never written (the CF grid-mapping scalar) then
      // reads the same in every file.
      if (error.empty()) {
        if (const int rc = nc_enddef(ncid_); rc != NC_NOERR)
          error = std::string("enddef: ") + nc_strerror(rc);
      }
      if (const int rc = nc_close(std::exchange(ncid_, -1)); rc != NC_NOERR && error.empty())
        error = std::string("close after define: ") + nc_strerror(rc);
      if (error.empty()) {
        try {
          file_ = std::make_unique<File>(path_, File::Mode::kReadWrite);
        } catch (const std::exception& e) {
          error = e.what();
        }
      }
    }
    agree(std::move(error));
  }

  void iput(int varid, const NcIndex& start, const NcIndex& count, NcType type,
            const void* data) override {
    if (varid < 0 || varid >= static_cast<int>(vars_.size()))
      throw UsageError("iput: no such variable", path_);
    queued_.push_back(
        {varid, {start.begin(), start.end()}, {count.begin(), count.end()}, type, data});
  }

  void complete(bool collective) override {
    if (!collective) {
      queued_.clear();
      throw IoError("independent writes are not possible here: rank 0 writes this file", path_);
    }
    std::vector<Put> queued = std::move(queued_);
    queued_.clear();
    std::vector<std::uint8_t> packed;
    try {
      perf::Region r("deflate");
      for (const auto& p : queued)
        pack(p, packed);
    } catch (const std::exception& e) {
      // A rank that failed ships its reason instead of its pieces, so that
      // every rank still takes part in the gather and hears the verdict.
      const std::string error = e.what();
      packed.clear();
      PieceHeader h{kErrorRecord, 0, static_cast<std::int64_t>(error.size())};
      append(packed, &h, sizeof h);
      append(packed, error.data(), error.size());
    }
    std::vector<std::uint8_t> all;
    {
      perf::Region r("funnel");
      all = comm_.gatherv(packed);
    }
    std::string first;
    if (comm_.is_root()) {
      perf::Region r("write");
      try {
        first = write_pieces(all);
      } catch (const std::exception& e) {
        first = e.what();
      }
    }
    agree(std::move(first));
  }

  void get(int varid, const NcIndex&, const NcIndex&, NcType, void*, bool) const override {
    throw IoError("this NetCDF-4 file is open for writing only", path_, var_name(varid));
  }
  void begin_independent() override {
    throw IoError("independent mode: rank 0 alone writes this NetCDF-4 file", path_);
  }
  bool writes_independently() const override { return false; }

  int varid(const std::string& name) const override {
    for (std::size_t i = 0; i < vars_.size(); ++i) {
      if (vars_[i].name == name)
        return static_cast<int>(i);
    }
    throw IoError("no such variable", path_, name);
  }
  bool has_var(const std::string& name) const override {
    return std::any_of(vars_.begin(), vars_.end(), [&](const Var& v) { return v.name == name; });
  }
  std::int64_t dim_length(const std::string& name) const override {
    for (const auto& d : dims_) {
      if (d.name == name)
        return d.length;
    }
    throw IoError("no such dimension", path_, name);
  }
  bool has_att(int, const std::string&) const override { return false; }
  std::string att_text(int varid, const std::string& name) const override {
    throw IoError("attribute " + name + ": this NetCDF-4 file is open for writing only", path_,
                  var_name(varid));
  }
  std::vector<double> att_doubles(int varid, const std::string& name) const override {
    throw IoError("attribute " + name + ": this NetCDF-4 file is open for writing only", path_,
                  var_name(varid));
  }
  std::string var_name(int varid) const override {
    if (varid == NC_GLOBAL)
      return "global attributes";
    if (varid >= 0 && varid < static_cast<int>(vars_.size()))
      return vars_[static_cast<std::size_t>(varid)].name;
    return "variable " + std::to_string(varid);
  }
  std::int64_t data_end() const override { return 0; }
  bool is_open() const override { return open_; }

  void close() override {
    if (!open_)
      return;
    open_ = false;
    std::string error;
    if (comm_.is_root()) {
      try {
        datasets_.clear();
        if (ncid_ >= 0)  // enddef never ran
          nc_close(std::exchange(ncid_, -1));
        if (file_)
          file_->close();
      } catch (const std::exception& e) {
        error = e.what();
      }
      file_.reset();
    }
    agree(std::move(error));
  }

  void close_quietly() noexcept override {
    open_ = false;
    datasets_.clear();
    if (ncid_ >= 0)
      nc_close(std::exchange(ncid_, -1));
    file_.reset();  // File's destructor closes quietly
  }

 private:
  struct Dim {
    std::string name;
    std::int64_t length;
  };
  struct Var {
    std::string name;
    NcType type;
    SlabIndex dims, chunk;
    bool compress;
  };
  struct Put {
    int varid;
    SlabIndex start, count;
    NcType type;
    const void* data;
  };

  void note(int rc, const std::string& what, const std::string& object) {
    if (rc != NC_NOERR && define_error_.empty())
      define_error_ = what + " (" + object + "): " + nc_strerror(rc);
  }

  // The same filters netcdf-c's parallel writer would declare: readers see
  // an ordinary deflate (and shuffle) variable.
  void define_on_root(const Var& v, const std::vector<int>& dims, int id) {
    int real = -1;
    note(nc_def_var(ncid_, v.name.c_str(), nc4::to_nc(v.type), static_cast<int>(dims.size()),
                    dims.data(), &real),
         "def_var", v.name);
    if (!define_error_.empty() || dims.empty())
      return;
    if (real != id) {
      define_error_ = "def_var " + v.name + ": unexpected variable id";
      return;
    }
    if (v.chunk.empty()) {
      note(nc_def_var_chunking(ncid_, id, NC_CONTIGUOUS, nullptr), "def_var_chunking", v.name);
      return;
    }
    std::vector<std::size_t> chunk(v.chunk.begin(), v.chunk.end());
    note(nc_def_var_chunking(ncid_, id, NC_CHUNKED, chunk.data()), "def_var_chunking", v.name);
    if (v.compress && (options_.deflate_level > 0 || options_.shuffle)) {
      note(nc_def_var_deflate(ncid_, id, options_.shuffle ? 1 : 0, options_.deflate_level > 0,
                              options_.deflate_level),
           "def_var_deflate", v.name);
    }
  }

  // Throws on rank 0 alike on every rank; a rank's own failure is shared
  // first (complete()), so all ranks reach every collective.
  void agree(std::string error) {
    comm_.bcast(error);
    if (!error.empty())
      throw IoError(error, path_);
  }

  // Appends a put's pieces: finished chunks (compressed in parallel by this
  // rank's threads) or one raw hyperslab of a contiguous variable.
  void pack(const Put& p, std::vector<std::uint8_t>& out) const {
    const Var& v = vars_[static_cast<std::size_t>(p.varid)];
    if (p.type != v.type)
      throw UsageError("put of another element type than the variable's", path_, v.name);
    const std::size_t es = elem_size(v.type);
    const auto* data = static_cast<const std::uint8_t*>(p.data);
    if (v.chunk.empty()) {
      std::size_t n = es;
      for (auto c : p.count)
        n *= static_cast<std::size_t>(c);
      PieceHeader h{p.varid, 0, static_cast<std::int64_t>(n)};
      append(out, &h, sizeof h);
      append(out, p.start.data(), p.start.size() * 8);
      append(out, p.count.data(), p.count.size() * 8);
      append(out, data, n);
      return;
    }
    if (!slab_is_chunk_aligned(p.start, p.count, v.chunk, v.dims))
      throw UsageError("put does not cover whole chunks (this writer compresses whole chunks)",
                       path_, v.name);
    const auto origins = slab_chunk_origins(p.start, p.count, v.chunk);
    std::vector<std::vector<std::uint8_t>> done(origins.size());
    const int level = v.compress ? options_.deflate_level : 0;
    const bool shuffle = v.compress && options_.shuffle;
    std::string error;
#pragma omp parallel
    {
      // Per thread, kept between calls: fresh megabyte buffers for every
      // chunk cost more in page faults and zeroing than deflate itself.
      thread_local std::vector<std::uint8_t> chunk, shuffled, z;
#pragma omp for schedule(dynamic)
      for (std::size_t k = 0; k < origins.size(); ++k) {
        try {
          copy_chunk_from_slab(data, p.start, p.count, origins[k], v.chunk, es, chunk);
          const std::vector<std::uint8_t>* raw = &chunk;
          if (shuffle) {
            shuffle_bytes(chunk, es, shuffled);
            raw = &shuffled;
          }
          if (level > 0) {
            const std::size_t n = deflate_zlib(*raw, level, z);
            done[k].assign(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(n));
          } else {
            done[k] = *raw;
          }
        } catch (const std::exception& e) {
#pragma omp critical(tessera_nc_chunk_error)
          error = e.what();
        }
      }
    }
    if (!error.empty())
      throw IoError(error, path_, v.name);
    for (std::size_t k = 0; k < origins.size(); ++k) {
      PieceHeader h{p.varid, 1, static_cast<std::int64_t>(done[k].size())};
      append(out, &h, sizeof h);
      append(out, origins[k].data(), origins[k].size() * 8);
      append(out, done[k].data(), done[k].size());
    }
  }

  hid_t dataset(int varid) {
    auto& d = datasets_[varid];
    if (!d.valid())
      d = file_->open_dataset(vars_[static_cast<std::size_t>(varid)].name);
    return d.id();
  }

  // Stores every piece, in rank order; stops at a rank's error record and
  // returns its text (the file is then discarded, so what was stored before
  // it does not matter).
  std::string write_pieces(const std::vector<std::uint8_t>& all) {
    std::size_t at = 0;
    while (at < all.size()) {
      const auto h = take<PieceHeader>(all, at);
      if (h.varid == kErrorRecord) {
        if (h.bytes < 0 || at + static_cast<std::size_t>(h.bytes) > all.size())
          throw IoError("internal: a shipped error is cut short");
        return {reinterpret_cast<const char*>(all.data() + at), static_cast<std::size_t>(h.bytes)};
      }
      if (h.varid < 0 || h.varid >= static_cast<int>(vars_.size()))
        throw IoError("internal: a shipped chunk names no variable");
      const Var& v = vars_[static_cast<std::size_t>(h.varid)];
      const std::size_t rank = v.dims.size();
      std::vector<hsize_t> origin(rank), count(rank);
      for (auto& o : origin)
        o = static_cast<hsize_t>(take<std::int64_t>(all, at));
      if (!h.is_chunk) {
        for (auto& c : count)
          c = static_cast<hsize_t>(take<std::int64_t>(all, at));
      }
      if (h.bytes < 0 || at + static_cast<std::size_t>(h.bytes) > all.size())
        throw IoError("internal: a shipped chunk is cut short");
      const void* bytes = all.data() + at;
      at += static_cast<std::size_t>(h.bytes);
      const hid_t did = dataset(h.varid);
      if (h.is_chunk) {
        // Filter mask 0: every filter of the variable was applied.
        h5check(
            H5Dwrite_chunk(did, H5P_DEFAULT, 0, origin.data(), static_cast<size_t>(h.bytes), bytes),
            "H5Dwrite_chunk", path_, v.name);
        continue;
      }
      if (rank == 0) {
        h5check(H5Dwrite(did, to_h5(v.type), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes), "H5Dwrite",
                path_, v.name);
        continue;
      }
      Handle file_space(h5check(H5Dget_space(did), "H5Dget_space", path_, v.name));
      h5check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, origin.data(), nullptr,
                                  count.data(), nullptr),
              "H5Sselect_hyperslab", path_, v.name);
      Handle mem_space(h5check(H5Screate_simple(static_cast<int>(rank), count.data(), nullptr),
                               "H5Screate_simple", path_, v.name));
      h5check(H5Dwrite(did, to_h5(v.type), mem_space.id(), file_space.id(), H5P_DEFAULT, bytes),
              "H5Dwrite", path_, v.name);
    }
    return {};
  }

  Comm comm_;
  std::string path_;
  NcCreateOptions options_;
  int ncid_ = -1;
  bool open_ = false;
  std::string define_error_;
  std::vector<Dim> dims_;
  std::vector<Var> vars_;
  std::vector<Put> queued_;
  std::unique_ptr<File> file_;
  std::map<int, Handle> datasets_;
};

}  // namespace

std::unique_ptr<NcBackend> netcdf4_create_chunked(MPI_Comm comm, const std::filesystem::path& path,
                                                  const NcCreateOptions& options) {
  auto f = std::make_unique<Netcdf4ChunkBackend>(comm, path.string(), options);
  f->create();
  return f;
}

}  // namespace tessera::io
