# Every third-party dependency comes from a Debian 12 package installed by
# scripts/install-deps.sh. prometheus-cpp is not packaged for Debian 12; the
# Prometheus text format is produced by common/metrics instead.
find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(benchmark CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
# The x-amz-crc32 of every reply: libdeflate's CRC-32 uses carry-less multiply
# where the CPU has it (zlib's took ~4.5 instructions per byte).
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)

find_program(TERN_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
find_program(TERN_CLANG_FORMAT NAMES clang-format clang-format-14)
# Debian's python3, which has pytest and boto3; a pyenv python3 on PATH has not.
find_program(TERN_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
