# Windows: a GUI-subsystem executable; windeployqt gathers the Qt DLLs; packed as a ZIP (or NSIS when installed).
set_target_properties(tokenledger PROPERTIES WIN32_EXECUTABLE ON)
set(CPACK_GENERATOR "ZIP")
