# cmake -DBUILD_DIR=... -DPREFIX=... [-DCONFIG=...] -P install.cmake
#
# Installs a dbgsim build into PREFIX, emptied first so that nothing a previous run installed can
# stand in for a file this build no longer installs, and checks the layout a user relies on.
foreach(var BUILD_DIR PREFIX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${PREFIX}")
set(config_args)
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${config_args}
                COMMAND_ECHO STDOUT RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} failed (${rc})")
endif()

# The library directory is whatever GNUInstallDirs chose (lib or lib64), found by its config file.
file(GLOB config_files "${PREFIX}/*/cmake/dbgsim/dbgsimConfig.cmake")
list(LENGTH config_files n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one */cmake/dbgsim/dbgsimConfig.cmake under ${PREFIX}, found ${n}")
endif()
get_filename_component(package_dir "${config_files}" DIRECTORY)
foreach(f dbgsimConfigVersion.cmake dbgsim-targets.cmake FindCAF.cmake)
  if(NOT EXISTS "${package_dir}/${f}")
    message(FATAL_ERROR "${package_dir}/${f} was not installed")
  endif()
endforeach()
file(GLOB per_config "${package_dir}/dbgsim-targets-*.cmake")
if(NOT per_config)
  message(FATAL_ERROR "no per-configuration dbgsim-targets-*.cmake in ${package_dir}")
endif()

execute_process(COMMAND "${PREFIX}/bin/dbgsim" --version RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PREFIX}/bin/dbgsim --version failed (${rc})")
endif()
message(STATUS "installed: ${out}")
