# Run by `cmake --install` (see packaging/CMakeLists.txt): places the example configuration
# and the systemd units for the prefix chosen at install time. The system prefix /usr puts
# them in /etc/sentinel-proxy and /lib/systemd/system (the Debian package); any other
# prefix keeps everything under it. The units name the installed binary and config.
# An existing configuration is never overwritten.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(conf_dir "/etc/sentinel-proxy")
  set(unit_dir "/lib/systemd/system")
else()
  set(conf_dir "${CMAKE_INSTALL_PREFIX}/etc/sentinel-proxy")
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(SP_BINARY "${CMAKE_INSTALL_PREFIX}/bin/sentinel-proxy")
set(SP_CONF_DIR "${conf_dir}")
set(stage "${SP_BINARY_DIR}/packaging-stage")
foreach(unit sentinel-proxy.service sentinel-proxy-sentinel.service)
  configure_file("${SP_SOURCE_DIR}/packaging/systemd/${unit}.in" "${stage}/${unit}" @ONLY)
  file(INSTALL "${stage}/${unit}" DESTINATION "${unit_dir}")
endforeach()
foreach(conf sentinel-proxy.conf sentinel.conf)
  if(EXISTS "$ENV{DESTDIR}${conf_dir}/${conf}")
    message(STATUS "Kept: $ENV{DESTDIR}${conf_dir}/${conf}")
  else()
    file(INSTALL "${SP_SOURCE_DIR}/conf/${conf}" DESTINATION "${conf_dir}")
  endif()
endforeach()
