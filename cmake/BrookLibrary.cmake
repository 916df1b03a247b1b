# brook_library(NAME SRCS a.cc b.cc DEPS dep1 dep2 [PRIVATE_DEPS ...])
# Declares one folder's static library; its public dependencies are written down here so the
# one-way layering (common <- parser <- planner <- runtime <- server) stays visible.
function(brook_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# brook_test(NAME SRCS ... DEPS ...): one GoogleTest binary, its cases registered with CTest.
function(brook_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "BROOK_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
