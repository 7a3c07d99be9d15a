SUMMARY = "A flexible Python Kconfig implementation"
DESCRIPTION = "Kconfiglib parses Kconfig files and reads and writes configurations; \
               lwai's Kconfig tasks (make oldconfig/menuconfig/savedefconfig) run on it. \
               Used when meta-python, which has the same recipe, is not in the build."
HOMEPAGE = "https://github.com/ulfalizer/Kconfiglib"
BUGTRACKER = "https://github.com/ulfalizer/Kconfiglib/issues"
CVE_PRODUCT = "kconfiglib"
SECTION = "devel/python"
LICENSE = "ISC"
LIC_FILES_CHKSUM = "file://LICENSE.txt;md5=712177a72a3937909543eda3ad1bfb7c"

SRC_URI[sha256sum] = "bed2cc2216f538eca4255a83a4588d8823563cdd50114f86cf1a2674e602c93c"

inherit pypi setuptools3

RDEPENDS:${PN} += "python3-core python3-curses"

BBCLASSEXTEND = "native nativesdk"
