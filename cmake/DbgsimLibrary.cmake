# dbgsim_add_library(NAME [NO_INSTALL] [PUBLIC libs...] [PRIVATE libs...])
#
# The one way a folder becomes a library: every *.cpp of the folder (tests live in tests/) builds
# the static library dbgsim_NAME, also known as dbgsim::NAME, which is the name users of the
# installed package link (find_package(dbgsim), docs/world.md). Its headers install under
# include/dbgsim/FOLDER/, so that both <dbgsim/FOLDER/x.hpp> and the tree's own "FOLDER/x.hpp"
# spelling resolve against an installed prefix.
function(dbgsim_add_library name)
  cmake_parse_arguments(arg "NO_INSTALL" "" "PUBLIC;PRIVATE" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  file(GLOB headers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.hpp
                                      ${CMAKE_CURRENT_SOURCE_DIR}/*.def)
  add_library(dbgsim_${name} STATIC ${sources})
  add_library(dbgsim::${name} ALIAS dbgsim_${name})
  set_target_properties(dbgsim_${name} PROPERTIES EXPORT_NAME ${name})
  # The headers use C++20 (defaulted comparisons, std::span), so every user needs it too.
  target_compile_features(dbgsim_${name} PUBLIC cxx_std_20)
  target_include_directories(dbgsim_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:include>
    $<INSTALL_INTERFACE:include/dbgsim>)
  target_link_libraries(dbgsim_${name} PUBLIC ${arg_PUBLIC}
                        PRIVATE ${arg_PRIVATE} $<BUILD_INTERFACE:dbgsim_warnings>)
  if(NOT arg_NO_INSTALL)
    get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
    install(TARGETS dbgsim_${name} EXPORT dbgsim-targets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
    install(FILES ${headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dbgsim/${folder})
  endif()
endfunction()
