// One include for Catch2 v2 (Debian) and v3 (Spack).
#pragma once
#if defined(TESSERA_CATCH3)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
