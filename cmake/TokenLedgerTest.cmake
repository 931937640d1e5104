# tokenledger_add_test(Name SOURCES a.cpp [b.cpp ...] [GUI] [LIBS extra ...] [TIMEOUT s] [ENVIRONMENT K=V ...])
# One executable per test class, linked to the test-support library; run offscreen with a fixed locale.
function(tokenledger_add_test name)
    cmake_parse_arguments(ARG "GUI" "TIMEOUT" "SOURCES;LIBS;ENVIRONMENT" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE tokenledger_test_support tokenledger_core tokenledger_options Qt6::Test ${ARG_LIBS})
    if(ARG_GUI)
        target_link_libraries(${name} PRIVATE tokenledger_ui Qt6::Widgets)
    endif()
    target_compile_definitions(${name} PRIVATE
        TOKENLEDGER_SHARED_DIR="${TOKENLEDGER_SHARED_DIR}"
        TOKENLEDGER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        TOKENLEDGER_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/tests/fixtures")
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;LC_ALL=C.UTF-8;LANG=C.UTF-8;LANGUAGE=en;TZ=UTC;QT_LOGGING_RULES=*.debug=false;${ARG_ENVIRONMENT}")
endfunction()
