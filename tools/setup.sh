#!/usr/bin/env bash
# Installs every Debian package Tessera needs to build, test and benchmark.
# Idempotent: when everything is present it only runs dpkg-query (about a second).
# Used by both README commands and by .ci/run.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang-format
  # MPI and parallel I/O
  openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools libpnetcdf-dev pnetcdf-bin libnetcdf-mpi-dev
  # the LZF filter (HDF5 filter 32000) pyuvdata writes flags/nsamples with
  hdf5-plugin-lzf
  # science libraries
  libcfitsio-dev libhealpix-cxx-dev libnanoflann-dev libeigen3-dev libgdal-dev gdal-bin liberfa-dev
  libtiff-dev libdeflate-dev libisal-dev casacore-dev
  # general libraries
  libboost-program-options-dev catch2 libsqlite3-dev nlohmann-json3-dev libfmt-dev
  # independent cross-check tools (tests and perf references)
  python3 python3-numpy python3-scipy python3-healpy python3-astropy python3-erfa python3-casacore python3-fitsio
  python3-h5py python3-netcdf4 python3-xarray python3-pandas python3-rasterio python3-shapely
  python3-jsonschema python3-yaml netcdf-bin hyperfine
  # nodejs runs laz-perf (npm), the independent LAZ decoder of the cross test
  nodejs
  # the HPC path under test: a one-node Slurm (tools/slurm-local.sh) and Lmod
  slurmctld slurmd slurm-client slurm-wlm-basic-plugins munge lmod
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
# npm (to install laz-perf): Debian packages it apart from nodejs; a nodejs
# from elsewhere (NodeSource) brings its own, which Debian's would conflict with.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/tessera-setup-apt.log 2>&1 || {
  echo "setup: apt-get install failed; last lines of /tmp/tessera-setup-apt.log:" >&2
  tail -20 /tmp/tessera-setup-apt.log >&2
  exit 1
}
echo "setup: done"
