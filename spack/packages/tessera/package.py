# Spack recipe for Tessera. Add the repository with `spack repo add <tessera>/spack`,
# then `spack install tessera@main` (or use the environment in <tessera>/spack.yaml).
import spack
from spack.package import *


class Tessera(CMakePackage):
    """Tessera: one MPI+OpenMP C++20 application running four science data
    pipelines (healpix, subband, raster, tiles) from a laptop to Perlmutter."""

    # PLACEHOLDER: Tessera has no public repository, so there is nothing for
    # `spack install tessera@main` to fetch from. Build from a checkout instead:
    # `spack develop --path <checkout> tessera@main` in an environment, or
    # `spack dev-build tessera@main` run inside the checkout (docs/install.md).
    # Replace both addresses only once a real repository exists.
    homepage = "https://example.invalid/tessera"
    git = "https://example.invalid/tessera.git"

    version("main", branch="main")

    # Release is what CI tests besides RelWithDebInfo (docs/install.md, build
    # types); stated here so a change of Spack's own default cannot move it.
    variant("build_type", default="Release",
            values=("Release", "RelWithDebInfo", "Debug", "MinSizeRel"),
            description="CMake build type (CI tests Release and RelWithDebInfo)")
    variant("tests", default=False,
            description="Build the Catch2 test suite and run it with ctest (spack install --test=root)")

    # Spack 1.0 treats compilers as dependencies on the language virtuals c and
    # cxx and needs them declared. Spack 0.23 releases accept them but do not need
    # them; 0.23 development snapshots from before the virtuals (0.23.0.dev0 of
    # mid-2024, run in docs/spack-run.md) have placeholder packages named c and
    # cxx with no versions, which no spec depending on them can concretize. So
    # they are declared from 1.0 on only.
    if getattr(spack, "spack_version_info", (0,)) >= (1, 0):
        depends_on("c", type="build")
        depends_on("cxx", type="build")

    depends_on("cmake@3.20:", type="build")
    depends_on("pkgconfig", type="build")

    depends_on("mpi")
    depends_on("hdf5@1.10:+mpi")
    # pyuvdata's UVH5 files also need the LZF filter (HDF5 filter 32000) as an
    # HDF5 plugin at run time; no Spack package provides it: build one and set
    # HDF5_PLUGIN_PATH (docs/pipelines/subband.md, "Real inputs").
    # Only the C API is used; with or without Fortran both match (a ~fortran
    # constraint refused an external PnetCDF built with Fortran).
    depends_on("parallel-netcdf@1.12:")
    # NetCDF-4 output of raster grid/reproject: netcdf-c on parallel HDF5,
    # compressed variables written collectively (netcdf-c >= 4.7.4 with HDF5
    # >= 1.10.3 for parallel filters).
    depends_on("netcdf-c@4.7.4:+mpi")
    # Spack's HEALPix recipes may pair HEALPix with cfitsio@3 (newer `healpix`
    # pins it) while Debian 12 ships 4.2, so the code must build and run with
    # both cfitsio 3.49 and 4.x; do not add a version constraint here that
    # would exclude either.
    depends_on("cfitsio")
    depends_on("healpix-cxx")
    # Debian ships nanoflann 1.4.3, Spack 1.5.x; src/tiles keeps one adaptor for
    # the search API change between them.
    depends_on("nanoflann@1.4:")
    depends_on("boost@1.70:+program_options")
    depends_on("eigen@3.3:")
    depends_on("gdal@3:+geos+sqlite3")  # GeoTIFF and PROJ are part of every GDAL 3 build
    # The DoD GeoTIFF: tiles compressed on every rank (libdeflate), appended
    # by rank 0 (libtiff's TIFFOpenExt, 4.5 and later).
    depends_on("libtiff@4.5:")
    depends_on("libdeflate")
    depends_on("isa-l")  # igzip: deflate level 1 of raster grid's NetCDF-4 chunks
    depends_on("erfa")
    # Measurement Set output of subband convert. Only the module
    # <prefix>/lib*/tessera/tessera-ms.so links it (tessera loads it for
    # --format ms); Spack's RPATHs let the installed module find it.
    depends_on("casacore")
    depends_on("sqlite@3:")
    depends_on("nlohmann-json@3.9:")
    depends_on("fmt@9:")

    # Catch2 2.13 (header-only, Debian) or 3.x (a compiled library in Spack):
    # tests/support/catch.hpp hides the difference, so either is accepted.
    depends_on("catch2@2.13:", when="+tests", type=("build", "link"))
    # Independent cross-check tools used by tests/cross and perf/reference.
    with when("+tests"):
        depends_on("python@3.9:", type="test")
        depends_on("py-numpy", type="test")
        depends_on("py-scipy", type="test")
        depends_on("py-h5py", type="test")
        depends_on("py-astropy", type="test")
        depends_on("py-healpy", type="test")
        depends_on("py-netcdf4", type="test")

    def cmake_args(self):
        return [
            self.define_from_variant("TESSERA_BUILD_TESTS", "tests"),
        ]

    def check(self):
        """Runs the test suite after the build (spack install --test=root)."""
        if not self.spec.satisfies("+tests"):
            return
        ctest = Executable(self.spec["cmake"].prefix.bin.ctest)
        with working_dir(self.build_directory):
            ctest("--output-on-failure", "-j", str(make_jobs))

    def test_help(self):
        """the installed tessera prints its command list"""
        tessera = Executable(self.prefix.bin.tessera)
        out = tessera("--help", output=str, error=str)
        assert "check" in out

    def test_check_workload(self):
        """the installed tessera runs the core workload check on one process"""
        tessera = Executable(self.prefix.bin.tessera)
        tessera("check", "workload", "--items", "100", "--out", "check-workload")

    def test_measurement_set(self):
        """the installed tessera loads its casacore module and writes a Measurement Set"""
        import glob

        tessera = Executable(self.prefix.bin.tessera)
        tessera("synth", "subband", "--out", "ms-in", "--scale", "tiny", "--no-progress")
        tessera("subband", "convert", "--in", "ms-in", "--out", "ms-out", "--format", "ms",
                "--no-progress")
        assert glob.glob("ms-out/*.ms/table.dat"), "no Measurement Set written"
