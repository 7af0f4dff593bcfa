# Writes a C++ source holding a packing dictionary (packing.h), run at build
# time by add_custom_command (see CMakeLists.txt beside this file):
#   cmake -DINPUT=<file.zdict> -DOUTPUT=<file.cc> -DNAME=<symbol> -P embed_dictionary.cmake
# The bytes become an array of the store's namespace, NAME and NAME##Size.
cmake_minimum_required(VERSION 3.25)

foreach(var INPUT OUTPUT NAME)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_dictionary.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR size "${digits} / 2")
# Sixteen bytes a line.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" bytes "${bytes}")
if(size EQUAL 0)
  set(bytes "0")
endif()
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
