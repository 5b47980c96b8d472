# cmake -DMODULE=path/libx.so -DPROGRAMS=a,b [-DNM=nm] [-DREADELF=readelf] -P check_module.cmake
#
# Checks that a user's client library built against the installed package holds nothing of dbgsim
# but <dbgsim/dbgeng.h> (client/CMakeLists.txt, examples/my-client): it needs no dbgsim or CAF
# library and no symbol of theirs, it exports dbgsim_client_programs and dbgsim_program_<name>
# for each of PROGRAMS, and the header's own functions stay inside it (hidden), so that another
# library loaded beside it, or the dbgsim command, can never take their place. Also run from
# consumer.cmake (package.my_client), with the module it built.
cmake_minimum_required(VERSION 3.25)
foreach(var MODULE PROGRAMS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_module.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "," ";" PROGRAMS "${PROGRAMS}")
if(NOT NM)
  find_program(NM nm REQUIRED)
endif()
if(NOT READELF)
  find_program(READELF readelf REQUIRED)
endif()

# symbols(OUT ARGS...): the demangled dynamic symbols `nm -D -C ARGS` lists, one per element.
function(symbols out)
  execute_process(COMMAND "${NM}" -D -C --format=posix ${ARGN} "${MODULE}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} -D ${ARGN} ${MODULE} failed (${rc}): ${err}")
  endif()
  # POSIX format is "NAME TYPE [VALUE SIZE]"; a demangled name may hold spaces, so the type
  # letter and what follows it are cut from the end.
  string(REPLACE ";" "\\;" text "${text}")
  string(REGEX REPLACE "\n$" "" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(names)
  foreach(line IN LISTS lines)
    string(REGEX REPLACE " [A-Za-z?] *[0-9a-fA-F]* *[0-9a-fA-F]*$" "" name "${line}")
    list(APPEND names "${name}")
  endforeach()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

set(problems)

# 1. Nothing of dbgsim or CAF needed: no such library in DT_NEEDED ...
execute_process(COMMAND "${READELF}" -d "${MODULE}" RESULT_VARIABLE rc OUTPUT_VARIABLE dynamic)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${READELF} -d ${MODULE} failed (${rc})")
endif()
string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*" needed "${dynamic}")
foreach(entry IN LISTS needed)
  if(entry MATCHES "dbgsim|caf")
    list(APPEND problems "needs a library of dbgsim or CAF: ${entry}")
  endif()
endforeach()

# ... and no undefined symbol of theirs, which the dynamic linker would have to find in the
# dbgsim command (the header's calls all go through IDebugClient's virtual functions).
symbols(undefined --undefined-only)
foreach(name IN LISTS undefined)
  if(name MATCHES "dbgsim|caf::|Sleep|GetTickCount")
    list(APPEND problems "undefined symbol from dbgsim: ${name}")
  endif()
endforeach()

# 2. The loader's entry points are exported, and the header's own functions are not.
symbols(defined --defined-only)
set(exports dbgsim_client_programs)
foreach(program IN LISTS PROGRAMS)
  list(APPEND exports dbgsim_program_${program})
endforeach()
foreach(export IN LISTS exports)
  if(NOT export IN_LIST defined)
    list(APPEND problems "does not export ${export}")
  endif()
endforeach()
# Anything of dbgsim's namespace, or of CAF's, is either a dbgsim library linked in statically
# or a function of the header left visible; Sleep and GetTickCount are the header's too. (The
# standard library's templates instantiated over dbgsim_program_entry are not dbgsim's code.)
# A type's typeinfo and vtable are the type's, not code: the header keeps its types visible, and
# UBSan's vptr check (the asan preset) makes each user of a polymorphic type emit them.
foreach(name IN LISTS defined)
  if(name MATCHES "^(typeinfo for|typeinfo name for|vtable for) ")
    continue()
  endif()
  if(name MATCHES "dbgsim::|caf::|^Sleep\\(|^GetTickCount\\(")
    list(APPEND problems "exports ${name}: dbgsim's code linked in, or the header's own function "
                         "left visible for another library or the command to interpose")
  endif()
endforeach()

if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "${MODULE}:\n  ${text}")
endif()
list(LENGTH undefined n_undefined)
message(STATUS "${MODULE}: exports dbgsim_client_programs and the programs ${PROGRAMS}; "
               "${n_undefined} undefined symbols, none of dbgsim's or CAF's")
