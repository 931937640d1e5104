# macOS: an app bundle via `cmake --install` + macdeployqt, packed as a DMG.
set_target_properties(tokenledger PROPERTIES MACOSX_BUNDLE ON MACOSX_BUNDLE_BUNDLE_NAME "TokenLedger"
    MACOSX_BUNDLE_GUI_IDENTIFIER "io.tokenledger.TokenLedger")
set(CPACK_GENERATOR "DragNDrop")
