# Precompiled headers: the heavy third-party headers that most translation units include
# (through the generated *.pb.h / *.grpc.pb.h and common/) compiled once per build tree, then
# reused by every target (REUSE_FROM: every target of a tree has the same language flags).
#
#   maillage_pch        gRPC, protobuf, Abseil, libpqxx, the standard library
#   maillage_test_pch   the same plus GoogleTest and GoogleMock, for the targets that link them
#
# maillage_apply_pch() (called last by the top-level CMakeLists.txt) gives one of them to every
# C++ target of the tree, but the small libraries that include none of these headers
# (kMaillageNoPch), for which loading the precompiled header would cost more than it saves.
#
# ccache: a build through ccache (CMAKE_CXX_COMPILER_LAUNCHER=ccache) is given the sloppiness
# precompiled headers need (pch_defines, time_macros; include_file_mtime/ctime because the .gch
# is newer than the compilations that read it) and gcc -fpch-preprocess, so it keeps hitting.

set(kMaillagePchHeaders
  <algorithm> <chrono> <functional> <map> <memory> <mutex> <optional> <set> <string> <thread>
  <utility> <vector>
  <absl/status/status.h> <absl/status/statusor.h> <absl/strings/match.h>
  <absl/strings/str_cat.h> <absl/strings/str_format.h> <absl/strings/str_join.h>
  <absl/strings/str_split.h> <absl/strings/string_view.h> <absl/time/time.h>
  <google/protobuf/descriptor.h> <google/protobuf/generated_message_reflection.h>
  <google/protobuf/message.h> <google/protobuf/repeated_field.h>
  <google/protobuf/timestamp.pb.h> <google/protobuf/field_mask.pb.h>
  <google/protobuf/util/json_util.h>
  <grpcpp/grpcpp.h> <grpcpp/impl/codegen/async_stream.h> <grpcpp/impl/codegen/method_handler.h>
  <pqxx/pqxx>)
set(kMaillageTestPchHeaders <gmock/gmock.h> <gtest/gtest.h>)
# Libraries that include none of the headers above.
set(kMaillageNoPch maillage_csv maillage_ids maillage_text maillage_config maillage_log
  maillage_test_support)

if(MAILLAGE_PCH AND CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache"
   AND NOT CMAKE_CXX_COMPILER_LAUNCHER MATCHES "CCACHE_SLOPPINESS")
  # A normal variable: every target made after this point takes it as its CXX_COMPILER_LAUNCHER.
  set(CMAKE_CXX_COMPILER_LAUNCHER env
    CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
    ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()

if(MAILLAGE_PCH)
  set(pch_source ${CMAKE_BINARY_DIR}/maillage_pch.cc)
  file(CONFIGURE OUTPUT ${pch_source} CONTENT "// The target of the precompiled headers.\n")
  add_library(maillage_pch STATIC EXCLUDE_FROM_ALL ${pch_source})
  target_link_libraries(maillage_pch PRIVATE protobuf::libprotobuf gRPC::grpc++ absl::status
    absl::statusor absl::strings absl::str_format absl::time PkgConfig::PQXX)
  target_precompile_headers(maillage_pch PRIVATE ${kMaillagePchHeaders})
  if(MAILLAGE_BUILD_TESTS)
    add_library(maillage_test_pch STATIC EXCLUDE_FROM_ALL ${pch_source})
    target_link_libraries(maillage_test_pch PRIVATE protobuf::libprotobuf gRPC::grpc++
      absl::status absl::statusor absl::strings absl::str_format absl::time PkgConfig::PQXX
      GTest::gmock GTest::gtest)
    target_precompile_headers(maillage_test_pch PRIVATE ${kMaillagePchHeaders}
      ${kMaillageTestPchHeaders})
  endif()
endif()

# The targets of `dir` and of its subdirectories, into `out`.
function(maillage_targets_under dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    maillage_targets_under(${sub} sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(maillage_apply_pch)
  if(NOT MAILLAGE_PCH)
    return()
  endif()
  maillage_targets_under(${PROJECT_SOURCE_DIR} targets)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(STATIC_LIBRARY|EXECUTABLE|OBJECT_LIBRARY)$"
       OR target MATCHES "^maillage_(test_)?pch$")
      continue()
    endif()
    if(target IN_LIST kMaillageNoPch)
      continue()
    endif()
    get_target_property(libs ${target} LINK_LIBRARIES)
    if(NOT libs)
      set(libs "")
    endif()
    if("GTest::gmock" IN_LIST libs OR "GTest::gtest" IN_LIST libs)
      if(NOT TARGET maillage_test_pch)
        continue()
      endif()
      target_precompile_headers(${target} REUSE_FROM maillage_test_pch)
    else()
      target_precompile_headers(${target} REUSE_FROM maillage_pch)
    endif()
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -fpch-preprocess)
    endif()
  endforeach()
endfunction()
