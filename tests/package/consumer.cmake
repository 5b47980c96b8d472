# cmake -DSOURCE_DIR=... -DBINARY_DIR=... -DPREFIX=... -DGENERATOR=... -DCXX_COMPILER=...
#       [-DMAKE_PROGRAM=...] [-DBUILD_TYPE=...] [-DCXX_FLAGS=...] [-DLINKER_FLAGS=...]
#       [-DRUN_TESTS=ON] [-DMODULE=libx.so -DPROGRAMS=a,b [-DNM=...] [-DREADELF=...]]
#       -P consumer.cmake
#
# Configures, builds and (with RUN_TESTS) tests a project that uses the dbgsim package installed
# in PREFIX, as a user's project would: from a fresh build directory, with the compiler, generator
# and sanitizer flags of the build that installed it, since static libraries built with
# -fsanitize only link into code linked with it too. With MODULE, the client library of that name
# it built is checked by check_module.cmake (it holds nothing of dbgsim but the header) before
# its tests run.
foreach(var SOURCE_DIR BINARY_DIR PREFIX GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "consumer.cmake: -D${var}=... is required")
  endif()
endforeach()

# run(WHAT COMMAND...): runs a step and stops the test at its first failure.
function(run what)
  execute_process(COMMAND ${ARGN} COMMAND_ECHO STDOUT RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} of ${SOURCE_DIR} failed (${rc})")
  endif()
endfunction()

file(REMOVE_RECURSE "${BINARY_DIR}")
set(configure_args -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
                   "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
                   "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}"
                   "-DCMAKE_SHARED_LINKER_FLAGS=${LINKER_FLAGS}"
                   "-DCMAKE_MODULE_LINKER_FLAGS=${LINKER_FLAGS}")
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
run(configure "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${BINARY_DIR}" ${configure_args})

# A dbgsim installed elsewhere on the machine must not stand in for the one under test.
file(STRINGS "${BINARY_DIR}/CMakeCache.txt" found REGEX "^dbgsim_DIR:")
string(REGEX REPLACE "^dbgsim_DIR:[A-Z]+=" "" found "${found}")
file(REAL_PATH "${PREFIX}" real_prefix)
file(REAL_PATH "${found}" real_found)
cmake_path(IS_PREFIX real_prefix "${real_found}" NORMALIZE inside)
if(NOT inside)
  message(FATAL_ERROR "find_package(dbgsim) found '${found}', not the package in ${PREFIX}")
endif()

set(config_args)
if(BUILD_TYPE)
  set(config_args --config "${BUILD_TYPE}")
endif()
run(build "${CMAKE_COMMAND}" --build "${BINARY_DIR}" ${config_args})
if(MODULE)
  # Searched for, because a multi-configuration generator puts it in a folder per configuration.
  file(GLOB_RECURSE modules "${BINARY_DIR}/*/${MODULE}" "${BINARY_DIR}/${MODULE}")
  list(REMOVE_DUPLICATES modules)
  list(LENGTH modules n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "expected one ${MODULE} under ${BINARY_DIR}, found ${n}: ${modules}")
  endif()
  set(tools)
  foreach(tool NM READELF)
    if(${tool})
      list(APPEND tools "-D${tool}=${${tool}}")
    endif()
  endforeach()
  run(check "${CMAKE_COMMAND}" "-DMODULE=${modules}" "-DPROGRAMS=${PROGRAMS}" ${tools}
      -P "${CMAKE_CURRENT_LIST_DIR}/check_module.cmake")
endif()
if(RUN_TESTS)
  run(ctest "${CMAKE_CTEST_COMMAND}" --test-dir "${BINARY_DIR}" --output-on-failure
      --no-tests=error ${config_args})
endif()
