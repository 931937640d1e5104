# One INTERFACE target carries the language level, warnings and Qt defines; every target links it.
add_library(tokenledger_options INTERFACE)
target_compile_features(tokenledger_options INTERFACE cxx_std_23)
if(MSVC)
    target_compile_options(tokenledger_options INTERFACE /W4 /permissive- /utf-8 /Zc:__cplusplus)
else()
    target_compile_options(tokenledger_options INTERFACE
        -Wall -Wextra -pedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual)
endif()
target_compile_definitions(tokenledger_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_KEYWORDS
    QT_DISABLE_DEPRECATED_UP_TO=0x060400)
