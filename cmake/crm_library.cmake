# crm_library(<target> <folder> DEPS <targets...>)
# Builds every .cpp under <folder> (except main.cpp) into one static library. Sources are globbed
# with CONFIGURE_DEPENDS so adding a file to a folder needs no edit here; the folder *is* the
# library, which is what keeps the dependency arrows honest.
function(crm_library target folder)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${folder}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX ".*/main\\.cpp$")
  add_library(${target} STATIC ${srcs} ${CMAKE_SOURCE_DIR}/cmake/empty.cpp)
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/generated)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE crm_warnings)
  if(CRM_UNITY)  # CMakeLists.txt says why
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${CRM_UNITY_BATCH})
  endif()
endfunction()

# crm_test_binary(<target> <glob-folder> LABEL <label> DEPS <targets...>)
# One Catch2 binary per tier and folder, so a broken test in one folder cannot stop another
# folder's suite from building. Each TEST_CASE becomes its own CTest test.
function(crm_test_binary target folder)
  cmake_parse_arguments(ARG "" "LABEL" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${folder}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  add_executable(${target} ${srcs})
  target_link_libraries(${target} PRIVATE crm_catch_main ${ARG_DEPS} crm_warnings)
  target_compile_definitions(${target} PRIVATE
    CRM_SOURCE_DIR="${CMAKE_SOURCE_DIR}" CRM_BINARY_DIR="${CMAKE_BINARY_DIR}")
  catch_discover_tests(${target} TEST_PREFIX "${ARG_LABEL}/" PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${CRM_TEST_TIMEOUT}
                       DISCOVERY_TIMEOUT 60)
endfunction()
