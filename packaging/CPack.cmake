# Installation (binary, desktop entry, AppStream metainfo, icon) and the Debian package:
#   cmake --build build && (cd build && cpack -G DEB)   ->  strata_<version>_<arch>.deb
include(GNUInstallDirs)

# The product's shared libraries go in a directory of their own, found through the RUNPATH.
set(STRATA_LIBRARY_DIR ${CMAKE_INSTALL_LIBDIR}/strata)
set(STRATA_LIBRARIES strata_orm_core strata_orm_postgres strata_orm_sqlite strata_orm
    strata_orm_session strata_orm_fanout strata_orm_editing strata_ui strata_fanout_ui
    strata_console)
set_target_properties(strata PROPERTIES INSTALL_RPATH "$ORIGIN/../${STRATA_LIBRARY_DIR}")
set_target_properties(${STRATA_LIBRARIES} PROPERTIES INSTALL_RPATH "$ORIGIN")
install(TARGETS strata RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${STRATA_LIBRARIES} LIBRARY DESTINATION ${STRATA_LIBRARY_DIR} NAMELINK_SKIP)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/strata.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/io.strata.Strata.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/strata.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)

set(CPACK_PACKAGE_NAME strata)
set(CPACK_PACKAGE_VENDOR "Strata")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "Strata maintainers <maintainers@strata.io>")
set(CPACK_PACKAGE_INSTALL_DIRECTORY strata)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)

set(CPACK_DEBIAN_PACKAGE_NAME strata)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://strata.io")
# The shared libraries strata links come from dpkg-shlibdeps, by their Debian package names and
# minimum versions (libqt6core6, libqt6widgets6, libqt6keychain1, libpq5, libsqlite3-0, ...).
# Listed here is what is loaded at run time without being linked: the SVG icon plugin and the
# platform plugins.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6, qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_LIBRARY_OUTPUT_DIRECTORY})
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql-client, gnome-keyring | kwalletmanager")

include(CPack)
