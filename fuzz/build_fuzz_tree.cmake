# cmake -DSOURCE_DIR=... -DPROTO_FROM=<a built tree, or empty> -DJOBS=N -P build_fuzz_tree.cmake
# The ctest `fuzz_build` of the test tree: configures build-fuzz/ with the preset `fuzz` (clang)
# and builds its targets only (the build preset `fuzz`). PROTO_FROM: the tree whose compiled
# maillage_proto the fuzz targets link (empty: build-fuzz/ compiles its own).
execute_process(
  COMMAND ${CMAKE_COMMAND} --preset fuzz -DMAILLAGE_FUZZ_PROTO_FROM=${PROTO_FROM}
  WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE configured)
if(NOT configured EQUAL 0)
  message(FATAL_ERROR "cmake --preset fuzz failed (${configured})")
endif()
execute_process(
  COMMAND ${CMAKE_COMMAND} --build --preset fuzz -j ${JOBS}
  WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE built)
if(NOT built EQUAL 0)
  message(FATAL_ERROR "cmake --build --preset fuzz failed (${built})")
endif()
