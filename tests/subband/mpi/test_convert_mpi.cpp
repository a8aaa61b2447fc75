// Distributed conversion of a tiny synthetic group at 1, 2 and 4 ranks:
// collective writes, flat phase on the source, visdata = input x phase
// factors, bad groups fail on every rank without leaving an output.
#include <cmath>
#include <complex>
#include <filesystem>
#include <numbers>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/uvh5_reader.hpp"
#include "tessera/subband/convert.hpp"
#include "tessera/subband/synth.hpp"

using namespace tessera;
using namespace tessera::subband;

namespace {
std::filesystem::path fresh_dir(const Comm& comm, const std::string& name) {
  const auto dir = test::scratch_dir(name + ".np" + std::to_string(comm.size()));
  if (comm.is_root()) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  comm.barrier();
  return dir;
}
}  // namespace

TEST_CASE("a group converted on every rank count has flat source phase and the input data",
          "[subband][mpi]") {
  const Comm comm = Comm::world();
  const auto dir = fresh_dir(comm, "subband_convert");
  SynthOptions so;
  so.scale = synth_scale("tiny");
  so.sources = 1;
  so.noise = 0.0;
  synthesize(comm, dir / "in", so);
  const auto source = synth_sources(so).front();
  const auto groups = scan_groups(dir / "in", 60.0);
  REQUIRE(groups.size() == 1);
  REQUIRE(groups[0].complete());
  ConvertOptions opt;
  opt.phase_center = source.icrs;
  const auto result = convert_group(comm, groups[0], dir / "out", opt);
  CHECK(result.nfreqs == 16 * so.scale.nchan);
  if (comm.size() > 1)
    CHECK(result.collective);
  REQUIRE(std::filesystem::exists(result.output));

  if (comm.is_root()) {
    const auto out = io::read_uvh5_header(result.output);
    io::Uvh5Data od;
    io::read_uvh5_data(result.output, out, od);
    CHECK(out.nfreqs == 16 * so.scale.nchan);
    for (std::size_t j = 1; j < out.freq_array.size(); ++j) {
      CHECK(out.freq_array[j] > out.freq_array[j - 1]);
    }
    // Flat phase: a lone 10 Jy source at the phase centre is real and positive everywhere.
    double worst = 0;
    for (const auto& v : od.visdata) {
      if (double(std::abs(v)) > 1e-3)
        worst = std::max(worst, double(std::abs(std::arg(v))));
    }
    CHECK(worst < 1e-3);
    // visdata = input x exp(-2 pi i (w_new - w_old) f / c), per subband file.
    const int nchan = so.scale.nchan, npol = so.scale.npols;
    double max_err = 0;
    for (const auto& f : groups[0].files) {
      const auto in = io::read_uvh5_header(f.path);
      io::Uvh5Data id;
      io::read_uvh5_data(f.path, in, id);
      // output position of this file's channel 0 (descending input)
      const auto pos =
          std::find(out.freq_array.begin(), out.freq_array.end(), in.freq_array.back());
      REQUIRE(pos != out.freq_array.end());
      const auto first = static_cast<std::size_t>(pos - out.freq_array.begin());
      for (std::int64_t r = 0; r < in.nblts; ++r) {
        const double dw = out.uvw_array[3 * r + 2] - in.uvw_array[3 * r + 2];
        for (int j = 0; j < nchan; ++j) {
          const double phi = -2 * std::numbers::pi * dw * in.freq_array[j] / 299792458.0;
          const std::size_t oj = first + static_cast<std::size_t>(nchan - 1 - j);
          for (int p = 0; p < npol; ++p) {
            const auto want =
                std::complex<double>(id.visdata[(r * nchan + j) * npol + p]) * std::polar(1.0, phi);
            const auto got = od.visdata[(r * out.nfreqs + oj) * npol + p];
            max_err = std::max(max_err, std::abs(std::complex<double>(got) - want));
          }
        }
      }
    }
    // float32 input uvw limit this comparison to ~1e-3 of 10 Jy.
    CHECK(max_err < 0.05);
  }
}

TEST_CASE("an incomplete group fails on every rank and leaves no output", "[subband][mpi]") {
  const Comm comm = Comm::world();
  const auto dir = fresh_dir(comm, "subband_incomplete");
  SynthOptions so;
  so.scale = synth_scale("tiny");
  synthesize(comm, dir / "in", so);
  if (comm.is_root()) {
    for (const auto& e : std::filesystem::directory_iterator(dir / "in")) {
      if (e.path().filename().string().find("_sb07") != std::string::npos) {
        std::filesystem::remove(e.path());
      }
    }
  }
  comm.barrier();
  const auto groups = scan_groups(dir / "in", 60.0);
  REQUIRE(groups.size() == 1);
  ConvertOptions opt;
  CHECK_THROWS_AS(convert_group(comm, groups[0], dir / "out", opt), FormatError);
  comm.barrier();
  CHECK_FALSE(std::filesystem::exists(output_path(dir / "out", groups[0])));
}

TEST_CASE("a subband with other times fails the group naming the file", "[subband][mpi]") {
  const Comm comm = Comm::world();
  const auto dir = fresh_dir(comm, "subband_other_times");
  SynthOptions so;
  so.scale = synth_scale("tiny");
  so.groups = 2;
  synthesize(comm, dir / "in", so);
  // Move one file of group 2 into group 1 under group 1's sb05 name.
  auto groups = scan_groups(dir / "in", 60.0);
  REQUIRE(groups.size() == 2);
  if (comm.is_root()) {
    std::filesystem::path g1_sb5 = groups[0].files[5].path;
    std::filesystem::copy_file(groups[1].files[5].path, g1_sb5,
                               std::filesystem::copy_options::overwrite_existing);
  }
  comm.barrier();
  groups = scan_groups(dir / "in", 60.0);
  ConvertOptions opt;
  try {
    convert_group(comm, groups[0], dir / "out", opt);
    FAIL("expected an error");
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK(what.find("time_array") != std::string::npos);
    CHECK(what.find("_sb05.hdf5") != std::string::npos);
  }
  comm.barrier();
  CHECK_FALSE(std::filesystem::exists(output_path(dir / "out", groups[0])));
}
