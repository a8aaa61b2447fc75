#include "tessera/io/uvh5_writer.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "tessera/core/error.hpp"
#include "tessera/io/hdf5.hpp"
#include "tessera/io/uvh5_hdf5.hpp"

namespace tessera::io {

namespace {
using U64 = std::uint64_t;
U64 u(std::int64_t v) {
  return static_cast<U64>(v);
}
}  // namespace

Uvh5Writer::Uvh5Writer(const std::filesystem::path& path, const Comm& comm, const Uvh5Output& in,
                       std::uint64_t chunk_freqs) {
  // Scalars and strings from rank 0, so every rank creates identical datasets.
  Uvh5Output h;
  const bool root = comm.is_root();
  if (root)
    h = in;
  std::vector<double> reals{h.latitude_deg, h.longitude_deg, h.altitude,
                            h.cat_lon,      h.cat_lat,       h.dut1};
  std::vector<std::int64_t> ints{h.nants_data, h.nants_telescope, h.nbls,  h.nblts,
                                 h.nfreqs,     h.npols,           h.ntimes};
  comm.bcast(reals);
  comm.bcast(ints);
  for (std::string* s : {&h.telescope_name, &h.instrument, &h.history, &h.vis_units, &h.cat_name}) {
    comm.bcast(*s);
  }
  std::int64_t name_count = static_cast<std::int64_t>(h.antenna_names.size());
  std::int64_t have_diameters = h.antenna_diameters.empty() ? 0 : 1;
  comm.bcast(name_count);
  comm.bcast(have_diameters);
  h.latitude_deg = reals[0], h.longitude_deg = reals[1], h.altitude = reals[2];
  h.cat_lon = reals[3], h.cat_lat = reals[4], h.dut1 = reals[5];
  h.nants_data = ints[0], h.nants_telescope = ints[1], h.nbls = ints[2], h.nblts = ints[3];
  h.nfreqs = ints[4], h.npols = ints[5], h.ntimes = ints[6];
  // antenna_names: fixed width decided on rank 0 (the string type must match everywhere).
  std::string names_joined;
  if (root) {
    for (const auto& n : h.antenna_names)
      names_joined += n + '\n';
  }
  comm.bcast(names_joined);
  if (!root) {
    h.antenna_names.clear();
    std::size_t pos = 0;
    while (pos < names_joined.size()) {
      auto nl = names_joined.find('\n', pos);
      h.antenna_names.push_back(names_joined.substr(pos, nl - pos));
      pos = nl + 1;
    }
  }
  nblts_ = h.nblts, nfreqs_ = h.nfreqs, npols_ = h.npols;

  file_ = std::make_unique<File>(path, File::Mode::kCreate, comm);
  File& f = *file_;
  f.create_group("Header");
  f.create_group("Header/extra_keywords");
  f.create_group("Header/phase_center_catalog");
  f.create_group("Header/phase_center_catalog/0");
  f.create_group("Data");
  const U64 nblts = u(h.nblts), nants = u(h.nants_telescope), nfreqs = u(h.nfreqs);
  // Each array is only read on the root (its data pointer is ignored elsewhere).
  auto D = [&](const char* name, const std::vector<double>& v, std::vector<U64> dims) {
    h5::write_doubles(f, std::string("Header/") + name, v, dims, root);
  };
  auto I = [&](const char* name, const std::vector<std::int64_t>& v, std::vector<U64> dims) {
    h5::write_ints(f, std::string("Header/") + name, v, dims, root);
  };
  auto S = [&](const char* name, const std::string& v) {
    h5::write_string(f, std::string("Header/") + name, v, root);
  };
  h5::write_double(f, "Header/latitude", h.latitude_deg, root);
  h5::write_double(f, "Header/longitude", h.longitude_deg, root);
  h5::write_double(f, "Header/altitude", h.altitude, root);
  S("telescope_name", h.telescope_name);
  S("instrument", h.instrument);
  S("history", h.history);
  S("vis_units", h.vis_units);
  S("version", "1.1");
  h5::write_int(f, "Header/Nants_data", h.nants_data, root);
  h5::write_int(f, "Header/Nants_telescope", h.nants_telescope, root);
  h5::write_int(f, "Header/Nbls", h.nbls, root);
  h5::write_int(f, "Header/Nblts", h.nblts, root);
  h5::write_int(f, "Header/Nspws", 1, root);
  h5::write_int(f, "Header/Nfreqs", h.nfreqs, root);
  h5::write_int(f, "Header/Npols", h.npols, root);
  h5::write_int(f, "Header/Ntimes", h.ntimes, root);
  h5::write_int(f, "Header/Nphase", 1, root);
  I("ant_1_array", h.ant_1_array, {nblts});
  I("ant_2_array", h.ant_2_array, {nblts});
  I("antenna_numbers", h.antenna_numbers, {nants});
  h5::write_strings(f, "Header/antenna_names", h.antenna_names, root);
  D("antenna_positions", h.antenna_positions, {nants, 3});
  if (have_diameters)
    D("antenna_diameters", h.antenna_diameters, {nants});
  D("uvw_array", h.uvw_array, {nblts, 3});
  D("time_array", h.time_array, {nblts});
  D("integration_time", h.integration_time, {nblts});
  D("lst_array", h.lst_array, {nblts});
  D("freq_array", h.freq_array, {nfreqs});
  D("channel_width", h.channel_width, {nfreqs});
  I("spw_array", {0}, {1});
  I("flex_spw_id_array", std::vector<std::int64_t>(root ? nfreqs : 0, 0), {nfreqs});
  I("polarization_array", h.polarization_array, {u(h.npols)});
  I("phase_center_id_array", std::vector<std::int64_t>(root ? nblts : 0, 0), {nblts});
  D("phase_center_app_ra", h.phase_center_app_ra, {nblts});
  D("phase_center_app_dec", h.phase_center_app_dec, {nblts});
  D("phase_center_frame_pa", h.phase_center_frame_pa, {nblts});
  h5::write_double(f, "Header/extra_keywords/dut1", h.dut1, root);
  const std::string cat = "Header/phase_center_catalog/0/";
  h5::write_string(f, cat + "cat_name", h.cat_name, root);
  h5::write_string(f, cat + "cat_type", "sidereal", root);
  h5::write_double(f, cat + "cat_lon", h.cat_lon, root);
  h5::write_double(f, cat + "cat_lat", h.cat_lat, root);
  h5::write_string(f, cat + "cat_frame", "icrs", root);
  h5::write_double(f, cat + "cat_epoch", 2000.0, root);
  h5::write_int(f, cat + "cat_id", 0, root);

  // Data: chunks of one subband's channels (whole chunks per rank slab), ~4 MiB of visdata.
  const U64 cf = std::max<U64>(1, std::min<U64>(chunk_freqs, nfreqs));
  const U64 rows = std::max<U64>(
      1, std::min<U64>(nblts, (U64{4} << 20) / std::max<U64>(1, cf * u(h.npols) * 8)));
  const std::vector<U64> dims{nblts, nfreqs, u(h.npols)}, chunk{rows, cf, u(h.npols)};
  Handle vis_t = h5::complex_float_type();
  Handle flag_t = h5::bool_enum_type();
  f.create_dataset("Data/visdata", vis_t.id(), dims, chunk);
  f.create_dataset("Data/flags", flag_t.id(), dims, chunk);
  f.create_dataset("Data/nsamples", H5T_IEEE_F32LE, dims, chunk);
}

Uvh5Writer::~Uvh5Writer() = default;

void Uvh5Writer::write_channels(std::uint64_t first, std::uint64_t nchan,
                                const std::complex<float>* vis, const std::uint8_t* flags,
                                const float* nsamples) {
  File& f = *file_;
  Slab slab{{0, first, 0}, {u(nblts_), nchan, u(npols_)}};
  if (nchan == 0)
    slab = Slab{{0, 0, 0}, {0, 0, 0}};
  {
    Handle ds = f.open_dataset("Data/visdata");
    Handle t = h5::complex_float_type();
    f.write_slab(ds.id(), t.id(), slab, vis, "Data/visdata");
    all_collective_ = all_collective_ && f.last_io_was_collective();
  }
  {
    Handle ds = f.open_dataset("Data/flags");
    Handle t = h5::bool_enum_type();
    f.write_slab(ds.id(), t.id(), slab, flags, "Data/flags");
    all_collective_ = all_collective_ && f.last_io_was_collective();
  }
  {
    Handle ds = f.open_dataset("Data/nsamples");
    f.write_slab(ds.id(), H5T_NATIVE_FLOAT, slab, nsamples, "Data/nsamples");
    all_collective_ = all_collective_ && f.last_io_was_collective();
  }
}

void Uvh5Writer::close() {
  if (file_)
    file_->close();
}

}  // namespace tessera::io
