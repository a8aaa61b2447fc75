#include "tessera/io/uvh5_reader.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <numbers>

#include "tessera/core/error.hpp"
#include "tessera/io/hdf5.hpp"
#include "tessera/io/uvh5_hdf5.hpp"

namespace tessera::io {

namespace {

void expect_size(const Uvh5Header& h, const std::string& name, std::size_t got, std::size_t want) {
  if (got != want) {
    throw FormatError(fmt::format("has {} values, expected {}", got, want), h.path,
                      "Header/" + name);
  }
}

std::string optional_string(const File& f, const std::string& name) {
  return f.exists(name) ? h5::read_string(f, name) : std::string();
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Name of the first entry of Header/phase_center_catalog ("" if none).
std::string first_catalog_entry(const File& f) {
  if (!f.exists("Header/phase_center_catalog"))
    return {};
  Handle g = f.open_group("Header/phase_center_catalog");
  H5G_info_t info{};
  if (H5Gget_info(g.id(), &info) < 0 || info.nlinks == 0)
    return {};
  char name[256] = {};
  if (H5Lget_name_by_idx(g.id(), ".", H5_INDEX_NAME, H5_ITER_INC, 0, name, sizeof(name),
                         H5P_DEFAULT) < 0)
    return {};
  return std::string("Header/phase_center_catalog/") + name;
}

// How the file is phased and to where (pyuvdata's UVH5 memo: the 1.1
// phase_center_catalog, or before it phase_type "drift"/"phased" with
// phase_center_ra/dec/epoch/frame; the DSA-110 writer's drift header adds
// phase_center_app_dec and extra_keywords/phase_center_dec).
void read_phasing(const File& f, Uvh5Header& h) {
  auto H = [](const char* n) { return std::string("Header/") + n; };
  const std::string entry = first_catalog_entry(f);
  if (!entry.empty()) {
    const std::string type = lower(optional_string(f, entry + "/cat_type"));
    // pyuvdata 2.2+: "unprojected" is the zenith drift; our own outputs and
    // pyuvdata's phased files are "sidereal".
    h.phase_kind = (type.empty() || type == "unprojected") ? "drift" : type;
    h.cat_name = optional_string(f, entry + "/cat_name");
    h.cat_frame = lower(optional_string(f, entry + "/cat_frame"));
    if (f.exists(entry + "/cat_lon"))
      h.cat_lon = h5::read_double(f, entry + "/cat_lon");
    if (f.exists(entry + "/cat_lat"))
      h.cat_lat = h5::read_double(f, entry + "/cat_lat");
    if (f.exists(entry + "/cat_epoch"))
      h.cat_epoch = h5::read_double(f, entry + "/cat_epoch");
    if (h.phase_kind == "sidereal" &&
        (!f.exists(entry + "/cat_lon") || !f.exists(entry + "/cat_lat")))
      throw FormatError("a sidereal phase centre without cat_lon/cat_lat", h.path, entry);
  } else if (lower(h.phase_type) == "phased") {
    h.phase_kind = "sidereal";
    h.cat_name = optional_string(f, H("object_name"));
    h.cat_frame = lower(optional_string(f, H("phase_center_frame")));
    if (!f.exists(H("phase_center_ra")) || !f.exists(H("phase_center_dec")))
      throw FormatError("phase_type is \"phased\" but phase_center_ra/dec are missing", h.path,
                        H("phase_center_ra"));
    h.cat_lon = h5::read_double(f, H("phase_center_ra"));
    h.cat_lat = h5::read_double(f, H("phase_center_dec"));
    if (f.exists(H("phase_center_epoch")))
      h.cat_epoch = h5::read_double(f, H("phase_center_epoch"));
    if (h.cat_frame.empty())  // pyuvdata before 1.5: an epoch-2000 position meant FK5 J2000
      h.cat_frame = h.cat_epoch == 2000.0 ? "fk5" : "";
  } else if (!h.phase_type.empty() && lower(h.phase_type) != "drift") {
    h.phase_kind = lower(h.phase_type);
  }
  if (h.phase_kind != "drift")
    return;
  // Where drift data are fringe-stopped to (DSA-110: the meridian at this dec).
  if (f.exists(H("phase_center_app_dec"))) {
    auto v = h5::read_doubles(f, H("phase_center_app_dec"));
    if (!v.empty())
      h.pointing_dec = v[0];
  }
  if (!h.pointing_dec && f.exists(H("extra_keywords/phase_center_dec"))) {
    h.pointing_dec = h5::read_double(f, H("extra_keywords/phase_center_dec"));
  }
  if (!h.pointing_dec && !entry.empty() && f.exists(entry + "/cat_lat") &&
      lower(optional_string(f, entry + "/cat_type")) != "unprojected") {
    h.pointing_dec = h5::read_double(f, entry + "/cat_lat");
  }
  if (!h.pointing_dec) {
    // A drift header with no declination at all (HERA, PAPER, MWA files of
    // pyuvdata 1.x/2.0): pyuvdata's "drift" is the zenith, i.e. the meridian
    // at the site's geodetic latitude (pyuvdata calc_uvw, to_enu).
    h.pointing_dec = h.latitude_deg * std::numbers::pi / 180.0;
    h.pointing_dec_is_latitude = true;
  }
}

}  // namespace

Uvh5Header read_uvh5_header(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path))
    throw IoError("file does not exist", path.string());
  File f(path, File::Mode::kRead);
  Uvh5Header h;
  h.path = path.string();
  if (!f.exists("Header"))
    throw FormatError("not a UVH5 file: no Header group", h.path, "Header");
  if (!f.exists("Data"))
    throw FormatError("not a UVH5 file: no Data group", h.path, "Data");
  auto H = [](const char* n) { return std::string("Header/") + n; };
  h.latitude_deg = h5::read_double(f, H("latitude"));
  h.longitude_deg = h5::read_double(f, H("longitude"));
  h.altitude = h5::read_double(f, H("altitude"));
  h.telescope_name = h5::read_string(f, H("telescope_name"));
  h.instrument = optional_string(f, H("instrument"));
  h.history = optional_string(f, H("history"));
  h.version = optional_string(f, H("version"));
  h.vis_units = optional_string(f, H("vis_units"));
  h.phase_type = optional_string(f, H("phase_type"));
  h.nants_data = h5::read_int(f, H("Nants_data"));
  h.nants_telescope = h5::read_int(f, H("Nants_telescope"));
  h.nbls = h5::read_int(f, H("Nbls"));
  h.nblts = h5::read_int(f, H("Nblts"));
  h.nspws = h5::read_int(f, H("Nspws"));
  h.nfreqs = h5::read_int(f, H("Nfreqs"));
  h.npols = h5::read_int(f, H("Npols"));
  h.ntimes = h5::read_int(f, H("Ntimes"));
  if (h.nblts <= 0)
    throw FormatError("Nblts is zero: no data", h.path, "Header/Nblts");
  if (h.nfreqs <= 0 || h.npols <= 0) {
    throw FormatError("Nfreqs and Npols must be positive", h.path, "Header/Nfreqs");
  }
  h.time_array = h5::read_doubles(f, H("time_array"));
  if (h.time_array.empty())
    throw FormatError("time_array is empty", h.path, "Header/time_array");
  const auto nblts = static_cast<std::size_t>(h.nblts);
  expect_size(h, "time_array", h.time_array.size(), nblts);
  h.ant_1_array = h5::read_ints(f, H("ant_1_array"));
  h.ant_2_array = h5::read_ints(f, H("ant_2_array"));
  expect_size(h, "ant_1_array", h.ant_1_array.size(), nblts);
  expect_size(h, "ant_2_array", h.ant_2_array.size(), nblts);
  h.antenna_numbers = h5::read_ints(f, H("antenna_numbers"));
  expect_size(h, "antenna_numbers", h.antenna_numbers.size(),
              static_cast<std::size_t>(h.nants_telescope));
  h.antenna_names = h5::read_strings(f, H("antenna_names"));
  h.antenna_positions = h5::read_doubles(f, H("antenna_positions"));
  expect_size(h, "antenna_positions", h.antenna_positions.size(),
              3 * static_cast<std::size_t>(h.nants_telescope));
  if (f.exists(H("antenna_diameters"))) {
    h.antenna_diameters = h5::read_doubles(f, H("antenna_diameters"));
  }
  h.uvw_array = h5::read_doubles(f, H("uvw_array"));
  expect_size(h, "uvw_array", h.uvw_array.size(), 3 * nblts);
  h.integration_time = h5::read_doubles(f, H("integration_time"));
  if (h.integration_time.size() == 1)
    h.integration_time.assign(nblts, h.integration_time[0]);
  expect_size(h, "integration_time", h.integration_time.size(), nblts);
  // freq_array: (Nfreqs) in 1.1, (1, Nfreqs) before; same values either way.
  h.freq_array = h5::read_doubles(f, H("freq_array"));
  expect_size(h, "freq_array", h.freq_array.size(), static_cast<std::size_t>(h.nfreqs));
  h.channel_width = h5::read_doubles(f, H("channel_width"));
  if (h.channel_width.size() == 1) {
    h.channel_width.assign(static_cast<std::size_t>(h.nfreqs), h.channel_width[0]);
  }
  expect_size(h, "channel_width", h.channel_width.size(), static_cast<std::size_t>(h.nfreqs));
  h.spw_array = h5::read_ints(f, H("spw_array"));
  h.polarization_array = h5::read_ints(f, H("polarization_array"));
  expect_size(h, "polarization_array", h.polarization_array.size(),
              static_cast<std::size_t>(h.npols));
  read_phasing(f, h);
  // Data shapes.
  const auto vdims = h5::dataset_dims(f, "Data/visdata");
  h.visdata_rank = static_cast<int>(vdims.size());
  const bool rank3 = vdims.size() == 3 && vdims[0] == nblts &&
                     vdims[1] == static_cast<std::uint64_t>(h.nfreqs) &&
                     vdims[2] == static_cast<std::uint64_t>(h.npols);
  const bool rank4 = vdims.size() == 4 && vdims[0] == nblts && vdims[1] == 1 &&
                     vdims[2] == static_cast<std::uint64_t>(h.nfreqs) &&
                     vdims[3] == static_cast<std::uint64_t>(h.npols);
  if (!rank3 && !rank4) {
    throw FormatError(
        "visdata shape is neither (Nblts, Nfreqs, Npols) nor (Nblts, 1, Nfreqs, Npols)", h.path,
        "Data/visdata");
  }
  for (const char* name : {"Data/flags", "Data/nsamples"}) {
    if (h5::dataset_dims(f, name) != vdims) {
      throw FormatError("shape differs from visdata", h.path, name);
    }
  }
  for (const char* name : {"Data/visdata", "Data/flags", "Data/nsamples"})
    h5::require_filters(f, name);
  {
    Handle ds = f.open_dataset("Data/visdata");
    Handle type(h5check(H5Dget_type(ds.id()), "H5Dget_type", h.path, "Data/visdata"));
    if (H5Tget_class(type.id()) != H5T_COMPOUND || H5Tget_nmembers(type.id()) != 2) {
      throw FormatError("visdata is not a compound {r, i}", h.path, "Data/visdata");
    }
    h.visdata_double = H5Tget_size(type.id()) == 16;
  }
  f.close();
  return h;
}

void read_uvh5_data(const std::filesystem::path& path, const Uvh5Header& h, Uvh5Data& out) {
  File f(path, File::Mode::kRead);
  // The header was checked, but the arrays' own dataspaces are what is
  // allocated for; a damaged one must not be believed.
  for (const char* name : {"Data/visdata", "Data/flags", "Data/nsamples"})
    h5::require_stored(f, name);
  const std::size_t n = static_cast<std::size_t>(h.nblts * h.nfreqs * h.npols);
  out.visdata.resize(n);
  out.flags.resize(n);
  out.nsamples.resize(n);
  const std::string p = path.string();
  {
    Handle ds = f.open_dataset("Data/visdata");
    Handle mem = h5::complex_float_type();
    h5check(H5Dread(ds.id(), mem.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.visdata.data()),
            "H5Dread", p, "Data/visdata");
  }
  {
    Handle ds = f.open_dataset("Data/flags");
    Handle type(h5check(H5Dget_type(ds.id()), "H5Dget_type", p, "Data/flags"));
    // h5py writes bool as an int8 enum {FALSE, TRUE}; HDF5 does not convert
    // enums to integers, so read 1-byte types as they are.
    if (H5Tget_size(type.id()) == 1) {
      h5check(H5Dread(ds.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.flags.data()),
              "H5Dread", p, "Data/flags");
    } else if (H5Tget_class(type.id()) == H5T_INTEGER) {
      h5check(H5Dread(ds.id(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.flags.data()),
              "H5Dread", p, "Data/flags");
    } else {
      throw FormatError("flags are neither boolean nor integer", p, "Data/flags");
    }
  }
  {
    Handle ds = f.open_dataset("Data/nsamples");
    h5check(H5Dread(ds.id(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.nsamples.data()),
            "H5Dread", p, "Data/nsamples");
  }
  f.close();
}

std::string quick_check_uvh5(const std::filesystem::path& path) {
  try {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
      return "cannot stat: " + ec.message();
    if (size == 0)
      return "empty file";
    File f(path, File::Mode::kRead);
    if (!f.exists("Header"))
      return "no Header group";
    if (!f.exists("Data"))
      return "no Data group";
    if (!f.exists("Header/time_array"))
      return "no Header/time_array";
    if (h5::element_count(f, "Header/time_array") == 0)
      return "Header/time_array is empty";
    if (!f.exists("Data/visdata"))
      return "no Data/visdata";
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace tessera::io
