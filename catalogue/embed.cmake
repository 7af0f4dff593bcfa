# Turns a text file into a C++ source defining `const char NAME[]`.
# Usage: cmake -DIN=... -DOUT=... -DNAME=... -DNS=... -P embed.cmake
file(READ "${IN}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," content "${content}")
file(WRITE "${OUT}" "// Generated from ${IN}; do not edit.\nnamespace ${NS} {\nextern const char ${NAME}[];\nconst char ${NAME}[] = {${content} '\\0'};\n}\n")
