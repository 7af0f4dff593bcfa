# Writes a C++ source holding a packing dictionary (packing.h), run at build
# time by add_custom_command (see CMakeLists.txt beside this file):
#   cmake -DINPUT=<file.zdict> -DOUTPUT=<file.cc> -DNAME=<symbol>
#         -DSHA256=<hex> -P embed_dictionary.cmake
# The bytes become an array of the store's namespace, NAME and NAME##Size.
# A dictionary records were packed with must never change (they would
# unpack to other bytes of the same length): its SHA-256 is pinned, and
# the build stops when the file is not that one.
cmake_minimum_required(VERSION 3.25)

foreach(var INPUT OUTPUT NAME SHA256)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_dictionary.cmake: -D${var}=... is required")
  endif()
endforeach()

file(SHA256 "${INPUT}" actual)
if(NOT "${actual}" STREQUAL "${SHA256}")
  message(FATAL_ERROR "embed_dictionary.cmake: ${INPUT} has SHA-256 "
    "${actual}, not ${SHA256}. Records packed with this dictionary version "
    "would unpack to other bytes: restore the file; a new dictionary takes "
    "a new version (daemon/store/packing.h).")
endif()
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR size "${digits} / 2")
# Sixteen bytes a line.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by embed_dictionary.cmake.
#include <cstddef>

namespace helpdesk::store {
extern const unsigned char ${NAME}[];
extern const size_t ${NAME}Size;
const unsigned char ${NAME}[] = {
${bytes}};
const size_t ${NAME}Size = ${size};
}  // namespace helpdesk::store
")
